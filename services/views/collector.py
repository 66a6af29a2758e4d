"""Post views from a views source, polled on a schedule that follows each post's age."""

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from db.channels import ChannelsRepository
from db.views import ViewsRepository
from services.clock import Clock
from services.domain.views import (
    DueChannel,
    PollingStep,
    PollOutcome,
    PreviewedPost,
    ViewCount,
    ViewSourceStatus,
)
from services.entitlements import EntitlementsService
from services.plans import FREE, Allowance
from services.views import ViewsSource
from services.views.preview import (
    PreviewLayoutChanged,
    PreviewNotPublic,
    PreviewPage,
    PreviewPost,
    PreviewUnavailable,
)

log = logging.getLogger(__name__)

# Often while a post is fresh, then less and less: enough to know its views at 1 h, 24 h, 48 h.
POLLING_SCHEDULE = (
    PollingStep(until_age=timedelta(hours=6), every=timedelta(minutes=10)),
    PollingStep(until_age=timedelta(hours=48), every=timedelta(hours=1)),
    PollingStep(until_age=timedelta(days=30), every=timedelta(days=1)),
)
# After a failed fetch a channel waits this long, doubled for each further failure.
RETRY_FIRST = timedelta(minutes=10)
RETRY_LONGEST = timedelta(days=1)
# A run's hold on its channels; a process that dies mid-run frees them after this long.
CLAIM_LEASE = timedelta(minutes=30)
# An unlimited history reaches back to Telegram's launch; max_pages bounds it in practice.
_TELEGRAM_LAUNCH = datetime(2013, 8, 14, tzinfo=UTC)
# The preview's media kinds, in the words the bot's own ingestion stores.
_INGESTED_MEDIA_KINDS = {"round_video": "video_note"}


class HistoryListener(Protocol):
    async def on_history(self, channel_id: int, posts: Sequence[PreviewPost]) -> None:
        """Called with the posts of each history page a backfill read (copies fingerprints them)."""
        ...


@dataclass(frozen=True)
class ViewsCollector:
    """Backfills newly tracked public channels and re-polls posts as their schedule says."""

    views: ViewsRepository
    channels: ChannelsRepository
    source: ViewsSource
    entitlements: EntitlementsService
    clock: Clock
    _: KW_ONLY
    concurrency: int
    channels_per_run: int
    max_pages: int  # bounds the pages read from one channel in a run
    page_delay: float  # spaces them
    history_listener: HistoryListener | None = None

    async def collect_due(self) -> list[PollOutcome]:
        """Fetch every due channel no other process is fetching, a few at a time.

        The scheduler runs this every minute in every process.
        """
        await self.views.mark_private()
        started_at = self.clock.now()
        due = await self.views.due_channels(
            now=started_at,
            schedule=POLLING_SCHEDULE,
            retry_first=RETRY_FIRST,
            retry_longest=RETRY_LONGEST,
            limit=self.channels_per_run,
        )
        # Other processes running at the same time take the channels this one did not get.
        claimed = await self.views.claim_channels(
            channel_ids=[channel.channel_id for channel in due],
            now=started_at,
            lease_until=started_at + CLAIM_LEASE,
        )
        due = [channel for channel in due if channel.channel_id in claimed]
        if not due:
            return []
        history_starts = await self._history_starts(
            [channel.channel_id for channel in due if channel.needs_backfill]
        )
        semaphore = asyncio.Semaphore(self.concurrency)

        async def collect(channel: DueChannel) -> PollOutcome:
            async with semaphore:
                if channel.needs_backfill:
                    since = history_starts[channel.channel_id]
                    return await self._collect(channel, self._backfill(channel, since=since))
                return await self._collect(channel, self._poll(channel))

        outcomes = await asyncio.gather(*(collect(channel) for channel in due))
        await self.views.record_outcomes(polled_at=started_at, outcomes=outcomes)
        failed = sum(outcome.status is not ViewSourceStatus.OK for outcome in outcomes)
        log.info("views collected from %d channels, %d failed", len(outcomes), failed)
        return outcomes

    async def _collect(self, channel: DueChannel, work: Awaitable[None]) -> PollOutcome:
        """Run one channel's fetches; what went wrong becomes its status, never the run's."""

        def outcome(status: ViewSourceStatus, error: str | None = None) -> PollOutcome:
            backfilled = channel.needs_backfill and status is ViewSourceStatus.OK
            return PollOutcome(
                channel_id=channel.channel_id, status=status, error=error, backfilled=backfilled
            )

        try:
            await work
        except PreviewNotPublic as error:
            log.info("@%s has no public preview: %s", channel.username, error.reason)
            return outcome(ViewSourceStatus.PRIVATE, error.reason)
        except PreviewUnavailable as error:
            log.info("preview of @%s unavailable: %s", channel.username, error.reason)
            return outcome(ViewSourceStatus.UNAVAILABLE, error.reason)
        except PreviewLayoutChanged as error:
            log.warning("preview of @%s no longer parses: %s", channel.username, error.reason)
            return outcome(ViewSourceStatus.LAYOUT_CHANGED, error.reason)
        except Exception as error:
            log.exception("collecting views of @%s failed", channel.username)
            return outcome(ViewSourceStatus.UNAVAILABLE, repr(error))
        return outcome(ViewSourceStatus.OK)

    async def _backfill(self, channel: DueChannel, *, since: datetime) -> None:
        """Every post on the pages back to `since`, including ones the bot never received.

        The last page is kept whole, a few posts past `since`: its oldest post anchors the
        coverage of older gaps (see ViewsRepository.due_channels).
        """
        pages = self.source.fetch_history(channel.username, since=since, max_pages=self.max_pages)
        async for page in pages:
            posts = [_previewed(post) for post in page.posts if not post.is_service]
            await self._store(channel, page.posts, posts=posts)
            if self.history_listener is not None:
                regular = [post for post in page.posts if not post.is_service]
                try:
                    await self.history_listener.on_history(channel.channel_id, regular)
                except Exception:
                    # The views are stored; fingerprints of these posts wait for an edit.
                    log.exception("history listener failed for @%s", channel.username)
            # fetch_history asks for the next page only when the loop comes back for it.
            await asyncio.sleep(self.page_delay)

    async def _poll(self, channel: DueChannel) -> None:
        """The newest page, then older ones down to the oldest due post; store the due ones."""
        due = set(channel.due_message_ids)
        oldest_due = channel.due_message_ids[0]
        before: int | None = None
        for number in range(self.max_pages):
            if number:
                await asyncio.sleep(self.page_delay)
            page = await self.source.fetch_page(channel.username, before=before)
            oldest = page.oldest_message_id
            # An empty page is the start of the channel; an unmoved one means ?before= was ignored.
            if oldest is None or (before is not None and oldest >= before):
                return
            reached = oldest <= oldest_due
            observed = [post for post in page.posts if post.message_id in due]
            if reached and oldest_due not in (post.message_id for post in page.posts):
                observed += _nearest_older(page, oldest_due)
            await self._store(channel, observed)
            if reached:
                return
            before = oldest

    async def _store(
        self,
        channel: DueChannel,
        observed: Sequence[PreviewPost],
        *,
        posts: Sequence[PreviewedPost] = (),
    ) -> None:
        """Views of the observed posts that show a counter (service messages have none)."""
        await self.views.store_page(
            channel_id=channel.channel_id,
            observed_at=self.clock.now(),
            view_counts=[
                ViewCount(message_id=post.message_id, views=post.views)
                for post in observed
                if post.views is not None
            ],
            posts=posts,
        )

    async def _history_starts(self, channel_ids: list[int]) -> dict[int, datetime]:
        """How far back each channel's backfill reaches: the longest history among its admins."""
        if not channel_ids:
            return {}
        admins = await self.channels.admin_ids_of(channel_ids=channel_ids)
        user_ids = sorted({user_id for ids in admins.values() for user_id in ids})
        allowed = await asyncio.gather(
            *(
                self.entitlements.allowance(user_id=user_id, allowance=Allowance.HISTORY_DAYS)
                for user_id in user_ids
            )
        )
        days_of = dict(zip(user_ids, allowed, strict=True))
        now = self.clock.now()
        starts = {}
        for channel_id in channel_ids:
            depths = [days_of[user_id] for user_id in admins.get(channel_id, [])]
            depths = depths or [FREE.limits[Allowance.HISTORY_DAYS]]
            limited = [days for days in depths if days is not None]
            if len(limited) < len(depths):
                starts[channel_id] = _TELEGRAM_LAUNCH
            else:
                starts[channel_id] = now - timedelta(days=max(limited))
        return starts


def _nearest_older(page: PreviewPage, message_id: int) -> list[PreviewPost]:
    """The closest older post with a counter: storing it records that the poll reached past a
    post the preview no longer shows (deleted), so that post stops being due."""
    older = [post for post in page.posts if post.message_id < message_id and post.views is not None]
    return [max(older, key=lambda post: post.message_id)] if older else []


def _previewed(post: PreviewPost) -> PreviewedPost:
    return PreviewedPost(
        message_id=post.message_id,
        posted_at=post.posted_at,
        text=post.text,
        media_kind=_INGESTED_MEDIA_KINDS.get(post.media_kind or "", post.media_kind),
    )
