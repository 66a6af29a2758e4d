"""Buffers what Telegram reports about channels and writes it to the database in batches."""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from db.ingestion import IngestionRepository
from services.domain.ingestion import PostRow, ReactionCountRow, SubscriberEventRow
from services.installation_secrets import SubscriberHasher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestedChannels:
    """Which channels a written batch brought news of, by kind of news."""

    posts: frozenset[int]
    reactions: frozenset[int]
    subscriber_events: frozenset[int]
    written_posts: tuple[PostRow, ...] = ()  # the posts themselves, newest version of each


class IngestionListener(Protocol):
    async def on_ingested(self, batch: IngestedChannels) -> None:
        """Called after each written batch (alerts check the rules it can set off)."""
        ...


class IngestionService:
    """Collects events from handlers; a background task flushes them every few seconds.

    A failed flush keeps its rows for the next attempt, so a database that goes away for a
    moment loses nothing. After each written batch the listeners hear what it brought.
    """

    def __init__(
        self,
        repository: IngestionRepository,
        hasher: SubscriberHasher,
        *,
        batch_size: int,
        flush_seconds: float,
        listeners: Sequence[IngestionListener] = (),
    ) -> None:
        self._repository = repository
        self._hasher = hasher
        self._listeners = tuple(listeners)
        self._batch_size = batch_size
        self._flush_seconds = flush_seconds
        self._posts: dict[tuple[int, int], PostRow] = {}
        self._reaction_counts: list[ReactionCountRow] = []
        self._subscriber_events: list[SubscriberEventRow] = []
        self._lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        return len(self._posts) + len(self._reaction_counts) + len(self._subscriber_events)

    async def record_post(self, post: PostRow) -> None:
        key = (post.channel_id, post.message_id)
        known = self._posts.get(key)
        # Within one batch the newest version of a post wins; the original keeps its date.
        if known is None or _edit_order(post) >= _edit_order(known):
            self._posts[key] = post
        await self._flush_if_full()

    async def record_reaction_count(self, reaction_count: ReactionCountRow) -> None:
        self._reaction_counts.append(reaction_count)
        await self._flush_if_full()

    async def record_subscriber_event(self, event: SubscriberEventRow, *, user_id: int) -> None:
        """Buffer a join or leave of the subscriber `user_id`, kept only as its keyed hash."""
        subscriber_hash = self._hasher(channel_id=event.channel_id, user_id=user_id)
        self._subscriber_events.append(dataclasses.replace(event, subscriber_hash=subscriber_hash))
        await self._flush_if_full()

    async def _flush_if_full(self) -> None:
        if self.pending >= self._batch_size:
            await self.flush()

    async def flush(self) -> None:
        """Write everything buffered (on failure put it back and re-raise); tell the listener."""
        written = await self._write_buffered()
        if written is None:
            return
        for listener in self._listeners:
            try:
                await listener.on_ingested(written)
            except Exception:
                # The rows are stored; the scheduled checks will still see them.
                log.exception("ingestion listener failed")

    async def _write_buffered(self) -> IngestedChannels | None:
        async with self._lock:
            posts, self._posts = self._posts, {}
            reaction_counts, self._reaction_counts = self._reaction_counts, []
            subscriber_events, self._subscriber_events = self._subscriber_events, []
            if not (posts or reaction_counts or subscriber_events):
                return None
            try:
                await self._repository.write_batch(
                    posts=list(posts.values()),
                    reaction_counts=reaction_counts,
                    subscriber_events=subscriber_events,
                )
            except BaseException:
                for key, post in posts.items():
                    self._posts.setdefault(key, post)
                self._reaction_counts[:0] = reaction_counts
                self._subscriber_events[:0] = subscriber_events
                raise
            return IngestedChannels(
                posts=frozenset(channel_id for channel_id, _ in posts),
                reactions=frozenset(row.channel_id for row in reaction_counts),
                subscriber_events=frozenset(row.channel_id for row in subscriber_events),
                written_posts=tuple(posts.values()),
            )

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            try:
                await self.flush()
            except Exception:
                log.exception("ingestion flush failed; %d rows kept for the next try", self.pending)

    def start(self) -> None:
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_periodically())

    async def stop(self) -> None:
        """Stop the background task and write what is left."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()


def _edit_order(post: PostRow) -> float:
    return post.edited_at.timestamp() if post.edited_at else float("-inf")
