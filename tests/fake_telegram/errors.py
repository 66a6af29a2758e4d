"""Telegram-shaped error answers, the flood limits and injected failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """A Bot API error answer: HTTP status = error_code, Telegram's body shape."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


@dataclass
class FloodLimits:
    """Telegram's sending limits, enforced by the fake once set as ``tg.flood_limits``.

    A send is refused with 429 when the last ``window`` seconds already hold ``overall`` sends,
    or ``per_chat`` sends to the same chat. The window is a little under a second: Telegram's
    own limits are approximate, and a sender that paces itself exactly meets some jitter.
    """

    overall: int = 30
    per_chat: int = 1
    window: float = 0.9
    retry_after: int = 1


@dataclass
class _Failure:
    method: str
    error: ApiError
    times: int
    chat_id: int | str | None
