"""What the fake records and keeps: calls, uploads, users, channels, requests, stored files."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .constants import DEFAULT_BOT_RIGHTS
from .errors import ApiError
from .helpers import _compact, _find_button, _inline_buttons, _shorten
from .parse_mode import parse_html


@dataclass
class UploadedFile:
    """A multipart file part of a request."""

    field: str  # the multipart part name (aiogram uses random names referenced by attach://)
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Call:
    """One request the bot made, with what the fake answered."""

    method: str  # as in the URL, case preserved
    params: dict[str, Any]  # decoded: JSON fields parsed, numbers and booleans typed
    # Uploads by the parameter that used them ("document", "photo", "media[0]", ...); parts
    # that no parameter referenced are kept under their part name.
    files: dict[str, UploadedFile] = field(default_factory=dict)
    response: Any = None  # the "result", or None if an error was returned
    error: dict[str, Any] | None = None  # the error body, if any
    index: int = -1  # position in FakeTelegram.calls
    finished: bool = True  # False while a long poll (getUpdates) is still held
    # When the request arrived (time.monotonic()), as the flood limits count it.
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.finished and self.error is None

    @property
    def text(self) -> str | None:
        """The text parameter as sent (with its HTML markup)."""
        return self.params.get("text")

    @property
    def caption(self) -> str | None:
        return self.params.get("caption")

    @property
    def plain_text(self) -> str | None:
        """Text or caption as the user sees it: HTML tags removed, entities decoded."""
        raw = self.text if self.text is not None else self.caption
        if raw is None or str(self.params.get("parse_mode", "")).lower() != "html":
            return raw
        try:
            return parse_html(str(raw), strict_ampersand=False)[0]
        except ApiError:
            return raw

    @property
    def chat_id(self) -> int | str | None:
        return self.params.get("chat_id")

    @property
    def message_id(self) -> int | None:
        if isinstance(self.response, dict) and "message_id" in self.response:
            return self.response["message_id"]
        return self.params.get("message_id")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row, flattened."""
        return _inline_buttons(self.reply_markup)

    def labels(self) -> list[str]:
        """The inline keyboard buttons' texts, row by row, flattened."""
        return [button["text"] for button in self.buttons()]

    def button(self, text_substring: str) -> dict[str, Any]:
        """The first inline button whose text contains ``text_substring`` (exact match first)."""
        return _find_button(self.buttons(), text_substring, f"{self.method} #{self.index}")

    def __repr__(self) -> str:
        bits = [f"#{self.index} {self.method}"]
        bits += [f"{k}={self.params[k]!r}" for k in ("chat_id", "message_id") if k in self.params]
        shown = self.text if self.text is not None else self.caption
        if shown is not None:
            bits.append(f"text={_shorten(str(shown))!r}")
        if not self.finished:
            outcome = "pending"
        elif self.error is not None:
            outcome = f"{self.error['error_code']} {self.error['description']}"
        else:
            outcome = "ok"
        return f"<{' '.join(bits)} -> {outcome}>"


@dataclass(eq=False)
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "en"
    last_name: str | None = None
    started: bool = False  # has written to the bot, so the bot may write to them
    blocked: bool = False  # has blocked the bot

    def api(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        return _compact(
            id=self.id,
            is_bot=False,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
        )

    def chat(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object of the private chat with the bot."""
        return _compact(
            id=self.id,
            type="private",
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
        )


@dataclass(eq=False)
class FakeChannel:
    id: int
    title: str
    username: str | None
    subscribers: int
    admins: dict[int, str]  # user id -> "creator" | "administrator"
    bot_status: str = "left"  # "left" | "administrator" | "kicked"
    next_message_id: int = 1
    description: str | None = None
    bot_rights: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_BOT_RIGHTS))
    members: dict[int, FakeUser] = field(default_factory=dict)  # subscribers the fake knows
    invite_links: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Pending join requests: user id -> the link requested through (None: no link).
    join_requests: dict[int, dict[str, Any] | None] = field(default_factory=dict)

    @property
    def owner_id(self) -> int | None:
        return next((uid for uid, status in self.admins.items() if status == "creator"), None)

    def chat(self) -> dict[str, Any]:
        return _compact(id=self.id, type="channel", title=self.title, username=self.username)

    def new_invite_link(self, url: str, creator: dict[str, Any], **options: Any) -> dict[str, Any]:
        """A new additional invite link (not the primary one), kept among the channel's."""
        link = {
            "invite_link": url,
            "creator": creator,
            "creates_join_request": False,
            "is_primary": False,
            "is_revoked": False,
            **options,
        }
        self.invite_links[url] = link
        return link


@dataclass
class ApiRequest:
    """What a method handler gets; raise :class:`ApiError` to answer with an error."""

    method: str
    params: dict[str, Any]
    uploads: dict[str, UploadedFile]  # by multipart part name
    files: dict[str, UploadedFile] = field(default_factory=dict)  # consumed, by parameter

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


Handler = Callable[[ApiRequest], Any]


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    file_path: str | None = None

    def photo_size(self) -> dict[str, Any]:
        return {**self._ids(), "width": self.width, "height": self.height}

    def document(self) -> dict[str, Any]:
        return _compact(**self._ids(), file_name=self.file_name, mime_type=self.mime_type)

    def video(self, duration: int = 0) -> dict[str, Any]:
        return _compact(
            **self._ids(),
            width=self.width,
            height=self.height,
            duration=duration,
            file_name=self.file_name,
            mime_type=self.mime_type or "video/mp4",
        )

    def media(self) -> Any:
        """The message field value for this file's kind."""
        if self.kind == "photo":
            return [self.photo_size()]
        return self.video() if self.kind == "video" else self.document()

    def _ids(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
