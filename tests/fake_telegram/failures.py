"""Failures a test injects, and the flood limits."""

from __future__ import annotations

import time
from typing import Any

from .constants import _DEFAULT_DESCRIPTIONS, _SENDING_METHODS
from .errors import ApiError, _Failure
from .records import ApiRequest, FakeChannel, FakeUser


class FailureInjection:
    """Telegram-shaped failures on demand, and flood refusals.

    A part of :class:`FakeTelegram`, whose ``__init__`` holds the state.
    """

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | str | FakeUser | FakeChannel | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id``, if given) fail like this."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
        error = ApiError(error_code, description, retry_after=retry_after)
        target = None if chat_id is None else self._chat_key(chat_id)
        self._failures.append(_Failure(method.lower(), error, times, target))

    def _injected_failure(self, method: str, params: dict[str, Any]) -> ApiError | None:
        for failure in self._failures:
            if failure.method == method.lower() and (
                failure.chat_id is None or self._chat_key(params.get("chat_id")) == failure.chat_id
            ):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure.error
        return None

    def _flood_refusal(self, rq: ApiRequest) -> ApiError | None:
        limits = self.flood_limits
        if limits is None or rq.method.lower() not in _SENDING_METHODS:
            return None
        now = time.monotonic()
        while self._recent_sends and self._recent_sends[0][0] <= now - limits.window:
            self._recent_sends.popleft()
        chat = self._chat_key(rq.get("chat_id"))
        to_chat = sum(1 for _, recent in self._recent_sends if recent == chat)
        if len(self._recent_sends) >= limits.overall or to_chat >= limits.per_chat:
            self.flood_refusals += 1
            return ApiError(
                429,
                f"Too Many Requests: retry after {limits.retry_after}",
                retry_after=limits.retry_after,
            )
        self._recent_sends.append((now, chat))
        return None
