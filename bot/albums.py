"""Albums: Telegram delivers one message per item, sharing a media_group_id; gather them."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiogram.types import Message

log = logging.getLogger(__name__)

AlbumHandler = Callable[[list[Message]], Awaitable[None]]


@dataclass
class _Album:
    complete: AlbumHandler
    messages: list[Message] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class AlbumCollector:
    """Collects the messages of each album and hands them over once no more arrive.

    The handler that adds a message returns at once (with handle_as_tasks=False the next
    album item is only read after it returns); a background task per album waits until
    ``wait`` seconds have passed since the latest item, then calls ``complete`` once.
    """

    def __init__(self) -> None:
        self._albums: dict[str, _Album] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def add(self, message: Message, *, wait: float, complete: AlbumHandler) -> None:
        """Add an album item; ``complete`` of the album's first item is the one called."""
        key = message.media_group_id
        if key is None:
            raise ValueError("not an album item: the message has no media_group_id")
        album = self._albums.get(key)
        if album is None:
            album = self._albums[key] = _Album(complete=complete)
            task = asyncio.create_task(self._complete_when_quiet(key, wait))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        album.messages.append(message)
        album.arrived.set()

    async def close(self) -> None:
        """Drop albums still being collected (the bot is stopping)."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._albums.clear()

    async def _complete_when_quiet(self, key: str, wait: float) -> None:
        album = self._albums[key]
        # Each new item restarts the wait; the album is whole once none came for `wait` s.
        while album.arrived.is_set():
            album.arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await album.arrived.wait()
        del self._albums[key]
        try:
            await album.complete(sorted(album.messages, key=lambda m: m.message_id))
        except Exception:
            # complete() answers the user itself; this only keeps a bug from going unseen.
            log.exception("handling album %s failed", key)
