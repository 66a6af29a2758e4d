"""Middlewares: remember the user, and keep one user from flooding the bot."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot import texts
from bot.rate_limit import TokenBuckets
from services.users import UserService

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

    def _take(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn): warn once per flood, not on every dropped update."""
        if self._buckets.take(user_id) == 0:
            self._warned.discard(user_id)
            return True, False
        if user_id in self._warned:
            return False, False
        if len(self._warned) > 10_000:
            self._warned.clear()
        self._warned.add(user_id)
        return False, True

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user: User | None = data.get("event_from_user")
        if from_user is None:
            return await handler(event, data)
        allowed, warn = self._take(from_user.id)
        if allowed:
            return await handler(event, data)
        if warn and isinstance(event, Message):
            await event.answer(texts.SLOW_DOWN)
        elif isinstance(event, CallbackQuery):
            await event.answer(texts.SLOW_DOWN, show_alert=False)
        return None
