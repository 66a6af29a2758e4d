"""Middlewares: remember the user, keep one user from flooding the bot, track work in flight."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.i18n_texts.common import SLOW_DOWN
from bot.rate_limit import TokenBuckets
from services.i18n import Catalogs, locale_for
from services.users import UserService

log = logging.getLogger(__name__)

# Users remembered for warnings and albums; past this the memory starts over.
_MAX_REMEMBERED = 10_000

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class RememberUserMiddleware(BaseMiddleware):
    """Stores the user behind each private message or button press, as `user` for handlers."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user: User | None = data.get("event_from_user")
        if from_user is not None and not from_user.is_bot:
            users: UserService = data["users"]
            data["user"] = await users.remember(
                user_id=from_user.id,
                username=from_user.username,
                first_name=from_user.first_name,
                language_code=from_user.language_code,
            )
        return await handler(event, data)


class ThrottlingMiddleware(BaseMiddleware):
    """A token bucket per user: a short burst is fine, a flood is dropped with one warning."""

    def __init__(self, *, burst: int, rate: float, clock: Callable[[], float] = time.monotonic):
        self._buckets = TokenBuckets(burst=burst, rate=rate, clock=clock)
        self._warned: set[int] = set()  # users told to slow down during their current flood
        # The album each user last sent: its other items (up to ten updates) come free.
        self._albums: dict[int, str] = {}

    def _take(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn): warn once per flood, not on every dropped update."""
        if self._buckets.take(user_id) == 0:
            self._warned.discard(user_id)
            return True, False
        if user_id in self._warned:
            return False, False
        if len(self._warned) > _MAX_REMEMBERED:
            self._warned.clear()
        self._warned.add(user_id)
        return False, True

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user: User | None = data.get("event_from_user")
        if from_user is None or _is_payment(event):
            return await handler(event, data)
        album = event.media_group_id if isinstance(event, Message) else None
        if album is not None and self._albums.get(from_user.id) == album:
            return await handler(event, data)
        allowed, warn = self._take(from_user.id)
        if allowed:
            if album is not None:
                if len(self._albums) > _MAX_REMEMBERED:
                    self._albums.clear()
                self._albums[from_user.id] = album
            return await handler(event, data)
        # Before the user is looked up, on purpose: a flood costs no query, so Telegram's
        # language it is, not the one chosen in /settings.
        catalogs: Catalogs = data["catalogs"]
        slow_down = catalogs.translator(locale_for(from_user.language_code))(SLOW_DOWN)
        if warn and isinstance(event, Message):
            await event.answer(slow_down)
        elif isinstance(event, CallbackQuery):
            await event.answer(slow_down, show_alert=False)
        return None


def _is_payment(event: TelegramObject) -> bool:
    """Money moved: such a message is never dropped, however busy the user is."""
    return isinstance(event, Message) and bool(event.successful_payment or event.refunded_payment)


class InFlightUpdates(BaseMiddleware):
    """Knows the tasks handling updates right now, so a shutdown can end them, queries and all."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            return await handler(event, data)
        finally:
            self._tasks.discard(task)

    async def finish_or_cancel(self, *, grace: float) -> None:
        """Give the updates being handled `grace` seconds to finish, then cancel the rest."""
        tasks = self._tasks - {asyncio.current_task()}
        if not tasks:
            return
        _, unfinished = await asyncio.wait(tasks, timeout=grace)
        if unfinished:
            log.warning("%d updates unfinished after %.0f s: cancelled", len(unfinished), grace)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
