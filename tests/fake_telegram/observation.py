"""What a test reads back: the calls the bot made and the messages it sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .records import Call, FakeChannel, FakeUser


class Observation:
    """Reading back what the bot did.

    A part of :class:`FakeTelegram`, whose ``__init__`` holds the state.
    """

    # ----------------------------------------------------------------- observation

    def mark(self) -> int:
        """The number of calls so far, to pass as ``after``."""
        return len(self.calls)

    def sent(
        self,
        method: str | None = None,
        *,
        chat_id: int | str | FakeUser | FakeChannel | None = None,
    ) -> list[Call]:
        """Calls the bot made (failed ones included), except getUpdates, optionally filtered."""
        target = self._chat_key(chat_id)
        return [
            call
            for call in self.calls
            if call.method.lower() != "getupdates"
            and (method is None or call.method.lower() == method.lower())
            and (chat_id is None or self._chat_key(call.chat_id) == target)
        ]

    def texts_to(self, user_or_chat: FakeUser | FakeChannel | int | str) -> list[str]:
        """Texts (as sent, with markup) of successful sendMessage/editMessageText to a chat."""
        target = self._chat_key(user_or_chat)
        return [
            str(call.text)
            for call in self.calls
            if call.ok
            and call.method.lower() in ("sendmessage", "editmessagetext")
            and self._chat_key(call.chat_id) == target
        ]

    def last_to(
        self, user_or_chat: FakeUser | FakeChannel | int | str, method: str | None = None
    ) -> Call:
        """The last successful call to a chat (without ``method``: not get*/sendChatAction)."""
        target = self._chat_key(user_or_chat)
        for call in reversed(self.calls):
            name = call.method.lower()
            if not call.ok or self._chat_key(call.chat_id) != target:
                continue
            if method is None and not (name.startswith("get") or name == "sendchataction"):
                return call
            if method is not None and name == method.lower():
                return call
        raise AssertionError(
            f"nothing{f' ({method})' if method else ''} was sent to {target}; calls:\n"
            + self._listing(self.calls)
        )

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """What answerCallbackQuery said for a query (None if not answered)."""
        return self.callback_answers.get(query_id)

    async def wait_for(
        self,
        method: str,
        *,
        chat_id: int | str | FakeUser | FakeChannel | None = None,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the fake's interface
        after: int | None = None,
    ) -> Call:
        """The first matching call with index >= ``after`` (default: calls from now on)."""
        start = len(self.calls) if after is None else after
        target = self._chat_key(chat_id)

        def find() -> Call | None:
            for call in self.calls[start:]:
                if (
                    call.method.lower() == method.lower()
                    and (chat_id is None or self._chat_key(call.chat_id) == target)
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        async with self._cond:
            try:
                async with asyncio.timeout(timeout):
                    await self._cond.wait_for(lambda: find() is not None)
            except TimeoutError:
                raise AssertionError(
                    f"no {method} call{f' to {target}' if chat_id is not None else ''} within "
                    f"{timeout}s; recent calls:\n{self._listing(self.calls)}"
                ) from None
        found = find()
        assert found is not None
        return found
