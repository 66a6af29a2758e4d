"""A fake Telegram Bot API server for the test suite.

The real aiogram ``Bot`` talks HTTP to it::

    async with FakeTelegram() as tg:
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
        bot = Bot(BOT_TOKEN, session=session)

It keeps a small world (users, channels, messages, files), answers the Bot API methods the bot
uses with objects aiogram parses, records every request as a :class:`Call`, rejects what Telegram
rejects with Telegram's status codes and wording, and feeds updates through long polling.

Every helper that produces an update (``send_text``, ``press``, ``post``, ``join``, ...) returns
only after the bot confirmed it, i.e. asked ``getUpdates`` with a higher offset. With
``dp.start_polling(..., handle_as_tasks=False)`` that happens after the handler has finished, so a
test can assert on what the bot did right after the ``await``.

As on Telegram, the bot receives only the update kinds it asked for in ``allowed_updates`` (by
default not ``chat_member``/``message_reaction``/``message_reaction_count``), and channel updates
only from channels where it is an administrator; other updates are dropped with a warning.

A typical test::

    alice = tg.user("Alice")
    channel = tg.channel("Cooking", "cooking", owner=alice, subscribers=1500)
    await tg.add_bot_to_channel(channel, by=alice)  # my_chat_member
    await tg.send_text(alice, "/channels")  # returns after the handler ran
    reply = tg.last_to(alice, "sendMessage")
    await tg.press_button(alice, reply, "Cooking")  # callback_query on that message
    assert "1,500" in tg.texts_to(alice)[-1]
    tg.fail_next("sendMessage", error_code=429, retry_after=1)  # Telegram-shaped failures

Answers are checked against aiogram's types (``self_check``); if the fake itself crashes or
answers wrongly, the bot gets a 500 and ``stop()`` raises, so such bugs never pass silently.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import functools
import html
import io
import itertools
import json
import logging
import mimetypes
import re
import secrets
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

BOT_TOKEN: Final = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
BOT_ID: Final = 123456789
BOT_USERNAME: Final = "AnalyticTestBot"
BOT_NAME: Final = "AnalyticBot"

log = logging.getLogger(__name__)

BOT_USER: Final[dict[str, Any]] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_NAME,
    "username": BOT_USERNAME,
}
# Rights the bot gets in a channel by default (ChatMemberAdministrator fields).
DEFAULT_BOT_RIGHTS: Final[dict[str, bool]] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_send_welcome_messages": False,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_manage_direct_messages": False,
}
_HUMAN_ADMIN_RIGHTS: Final = {**DEFAULT_BOT_RIGHTS, "can_promote_members": True}
_ACCEPTED_GIFTS: Final = {
    "unlimited_gifts": True,
    "limited_gifts": True,
    "unique_gifts": True,
    "premium_subscription": False,
    "gifts_from_channels": True,
}
# Telegram sends these only when allowed_updates names them.
_OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_BUTTON_ACTIONS: Final = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS: Final = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
_MEDIA_KINDS: Final = ("photo", "video", "document", "audio", "animation", "voice")
_FILE_ID_PREFIX: Final = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}
_FILE_FOLDER: Final = {"photo": "photos", "document": "documents", "video": "videos"}
_DEFAULT_DESCRIPTIONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_QUERY_INVALID: Final = "query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_POLL_CONFLICT: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
# Methods that put a message into a chat: what flood limits count.
_SENDING_METHODS: Final = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendvideo", "sendmediagroup", "sendinvoice"}
)
_MAX_UPLOAD: Final = 50 * 1024 * 1024
_MAX_DOWNLOAD: Final = 20 * 1024 * 1024


# --------------------------------------------------------------------------- records and world


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

    @property
    def owner_id(self) -> int | None:
        return next((uid for uid, status in self.admins.items() if status == "creator"), None)

    def chat(self) -> dict[str, Any]:
        return _compact(id=self.id, type="channel", title=self.title, username=self.username)


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


# --------------------------------------------------------------------------- small helpers


def _compact(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _shorten(text: str, width: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts text and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _timestamp(when: datetime | int | float | None) -> int:
    if when is None:
        return int(time.time())
    if isinstance(when, datetime):
        return int(when.timestamp())
    return int(when)


def _inline_buttons(markup: Any) -> list[dict[str, Any]]:
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        return []
    return [b for row in markup["inline_keyboard"] if isinstance(row, list) for b in row]


def _find_button(buttons: list[dict[str, Any]], text: str, where: str) -> dict[str, Any]:
    exact = [b for b in buttons if b.get("text") == text]
    found = exact or [b for b in buttons if text in str(b.get("text", ""))]
    if not found:
        listing = "\n".join(f"  {b}" for b in buttons) or "  (no inline buttons)"
        raise AssertionError(f"no button containing {text!r} in {where}; buttons:\n{listing}")
    return found[0]


def _update_kind(update: Mapping[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "?")


def _image_info(data: bytes) -> tuple[str, int, int] | None:
    """(Pillow format, width, height) if the bytes are an image Pillow can open."""
    try:
        from PIL import Image, UnidentifiedImageError

        with Image.open(io.BytesIO(data)) as image:
            return str(image.format), image.width, image.height
    except (ImportError, UnidentifiedImageError, OSError, ValueError):
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None  # a decompression bomb: Telegram doesn't decode documents either


@functools.cache
def _placeholder_png() -> bytes:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a project dependency
        return b"\x89PNG\r\n\x1a\n"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def _command_entities(text: str) -> list[dict[str, Any]]:
    match = _COMMAND.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


# --------------------------------------------------------------------------- request decoding


@functools.cache
def _aiogram_methods() -> dict[str, Any]:
    """Lower-cased Bot API method name -> aiogram's method class."""
    from aiogram import methods
    from aiogram.methods.base import TelegramMethod

    return {
        cls.__api_method__.lower(): cls
        for cls in vars(methods).values()
        if isinstance(cls, type)
        and issubclass(cls, TelegramMethod)
        and isinstance(getattr(cls, "__api_method__", None), str)
    }


def _type_args(annotation: Any) -> set[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_args(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_type_args(arg) for arg in typing.get_args(annotation)))
    return {annotation}


@functools.cache
def _string_fields(method: str) -> dict[str, bool]:
    """Field name -> whether aiogram sends it as a plain string (not JSON) for ``method``."""
    from aiogram.client.default import Default
    from aiogram.types import InputFile

    cls = _aiogram_methods().get(method.lower())
    if cls is None:
        return {}
    result = {}
    for name, info in cls.model_fields.items():
        kinds = {
            arg
            for arg in _type_args(info.annotation)
            if arg is not type(None)
            and not (isinstance(arg, type) and issubclass(arg, (Default, InputFile)))
        }
        result[info.alias or name] = kinds == {str}
    return result


_LOOKS_LIKE_JSON = re.compile(r"\s*(?:[\[{]|-?\d+(?:\.\d+)?\s*$|true$|false$)")


def decode_param(value: Any, is_string: bool | None) -> Any:
    """A form value as Telegram reads it: JSON-valued and numeric fields parsed.

    aiogram sends strings as they are and everything else (ints, bools, objects, lists) as
    JSON text, so a field declared as a plain string is kept and any other field is JSON.
    ``is_string`` None means the field is unknown: it is parsed only if it looks like JSON.
    """
    if not isinstance(value, str) or is_string:
        return value
    if is_string is None and not _LOOKS_LIKE_JSON.match(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


# --------------------------------------------------------------------------- HTML parse mode

_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram's HTML parse mode like Telegram (TDLib) does.

    Returns the visible text and its entities (offsets in UTF-16 units); raises
    ``ApiError(400, "Bad Request: can't parse entities: ...")`` with TDLib's wording.
    Telegram keeps a ``&`` that does not start an entity; the Bot API documentation requires
    escaping it, and ``strict_ampersand`` (default) enforces that.
    """
    out: list[str] = []
    offset = 0  # in UTF-16 units
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, dict[str, Any] | None]] = []

    def fail(message: str) -> typing.NoReturn:
        raise _bad(f"can't parse entities: {message}")

    def at(position: int) -> str:
        return f"at byte offset {len(text[:position].encode())}"

    def emit(chunk: str) -> None:
        nonlocal offset
        out.append(chunk)
        offset += utf16_len(chunk)

    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY.match(text, i)
            decoded = _decode_entity(match.group(1)) if match else None
            if match and decoded is not None:
                emit(decoded)
                i = match.end()
                continue
            if strict_ampersand and match:
                fail(f'Unsupported HTML entity "{match.group()}" {at(i)}')
            if strict_ampersand:
                fail(f'Character "&" must be escaped as "&amp;" {at(i)}')
            emit("&")
            i += 1
        elif char != "<":
            emit(char)
            i += 1
        elif text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                fail(f"Unclosed end tag {at(i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                fail(f"Unexpected end tag {at(i)}")
            open_name, entity = stack.pop()
            if name != open_name:
                fail(f'Unmatched end tag {at(i)}, expected "</{open_name}>", found "</{name}>"')
            if entity is not None:
                entity["length"] = offset - entity["offset"]
            i = end + 1
        else:
            j = i + 1
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            if j >= n:
                fail(f"Unclosed start tag {at(i)}")
            name = text[i + 1 : j].lower()
            if name not in _HTML_TAGS:
                fail(f'Unsupported start tag "{name}" {at(i)}')
            attrs, j = _html_attributes(text, j, name, lambda m, i=i: fail(f"{m} {at(i)}"))
            entity = _tag_entity(name, attrs, stack, offset, lambda m, i=i: fail(f"{m} {at(i)}"))
            if entity is not None:
                entities.append(entity)
            stack.append((name, entity))
            i = j + 1
    if stack:
        fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), [e for e in entities if e["length"] > 0]


def _decode_entity(body: str) -> str | None:
    if not body.startswith("#"):
        return _NAMED_ENTITIES.get(body)
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _html_attributes(
    text: str, j: int, tag: str, fail: Callable[[str], typing.NoReturn]
) -> tuple[dict[str, str], int]:
    """Attributes of a start tag whose name ends at ``j``; returns them and the '>' index."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while j < n and text[j].isspace():
            j += 1
        if j >= n:
            fail("Unclosed start tag")
        if text[j] == ">":
            return attrs, j
        k = j
        while k < n and not text[k].isspace() and text[k] not in "=>":
            k += 1
        name = text[j:k].lower()
        while k < n and text[k].isspace():
            k += 1
        if k < n and text[k] == "=":
            k += 1
            while k < n and text[k].isspace():
                k += 1
            if k < n and text[k] in "'\"":
                end = text.find(text[k], k + 1)
                if end < 0:
                    fail("Unclosed start tag")
                value, k = text[k + 1 : end], end + 1
            else:
                end = k
                while end < n and not text[end].isspace() and text[end] != ">":
                    end += 1
                value, k = text[k:end], end
            attrs[name] = html.unescape(value)
        elif name == "expandable" and tag == "blockquote":
            attrs[name] = ""
        else:
            fail(f'Expected equal sign in declaration of an attribute of the tag "{tag}"')
        j = k


def _tag_entity(
    tag: str,
    attrs: dict[str, str],
    stack: list[tuple[str, dict[str, Any] | None]],
    offset: int,
    fail: Callable[[str], typing.NoReturn],
) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"type": _HTML_TAGS[tag], "offset": offset, "length": 0}
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        fail('Tag "span" must have class "tg-spoiler"')
    if tag == "a":
        if not attrs.get("href"):
            return None
        entity["url"] = attrs["href"]
    if tag == "tg-emoji":
        if not attrs.get("emoji-id"):
            fail('Tag "tg-emoji" must have attribute "emoji-id"')
        entity["custom_emoji_id"] = attrs["emoji-id"]
    if tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    language = attrs.get("class", "")
    if tag == "code" and stack and stack[-1][0] == "pre" and language.startswith("language-"):
        pre = stack[-1][1]
        if pre is not None:
            pre["language"] = language.removeprefix("language-")
        return None  # <pre><code class="language-x"> is one pre entity
    return entity


# --------------------------------------------------------------------------- reply markup


def _check_reply_markup(markup: Any, *, inline_only: bool) -> dict[str, Any] | None:
    """Validate reply_markup; returns the inline keyboard markup to store on the message."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
                "InlineKeyboardMarkup must be an Array of Arrays"
            )
        buttons = [button for row in rows for button in row]
        if len(buttons) > 100:
            raise _bad("reply markup is too long")
        for button in buttons:
            _check_inline_button(button)
        return markup
    if inline_only:
        raise _bad("inline keyboard expected")
    if isinstance(markup.get("keyboard"), list) or "remove_keyboard" in markup:
        return None
    if "force_reply" in markup:
        return None
    raise _bad("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise _bad(prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise _bad(prefix + 'Field "text" must be of type String')
    if not button["text"].strip():
        raise _bad("BUTTON_TEXT_INVALID")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _bad(prefix + f"exactly one of the fields {', '.join(actions)} must be used")
    if actions[0] == "callback_data":
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
            raise _bad("BUTTON_DATA_INVALID")
    elif actions[0] == "url" and not _valid_button_url(button["url"]):
        raise _bad("BUTTON_URL_INVALID")


def _valid_button_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return bool(parts.hostname)
    return parts.scheme == "tg" and bool(parts.netloc or parts.path)


# --------------------------------------------------------------------------- webhook (issue 16)
# Everything of webhook mode lives here: setWebhook, getWebhookInfo, deleteWebhook, and the
# delivery of updates by POST to the registered URL, as Telegram does it. FakeTelegram calls in
# from three places only: __init__, _get_updates (409 while a webhook is set) and _send_updates.

_WEBHOOK_CONFLICT: Final = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
_SECRET_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Webhook:
    """What setWebhook registered, and how its last delivery went (getWebhookInfo's fields)."""

    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookDelivery:
    """The webhook half of FakeTelegram, which inherits it.

    Like a local Bot API server (``telegram-bot-api --local``), the fake takes an http URL on any
    port; api.telegram.org wants https on 443, 80, 88 or 8443. Once a webhook is set, every update
    a helper makes is POSTed to it, in order, one at a time, with the secret in
    ``X-Telegram-Bot-Api-Secret-Token``; the helper returns once the bot answered 2xx and fails the
    test on anything else (the update stays pending, as Telegram keeps it). ``webhook_targets``,
    when set, stands for a load balancer: deliveries go round the listed URLs in turn.
    """

    # FakeTelegram's own, used here.
    _updates: list[dict[str, Any]]
    _dropped: set[int]
    allowed_updates: list[str] | None
    _drop_unwanted: Callable[[], None]

    def _init_webhook(self) -> None:
        self.webhook: Webhook | None = None
        self.webhook_targets: list[str] = []
        self.webhook_deliveries: list[tuple[str, int, int]] = []  # (url, update_id, status)
        self._webhook_http: aiohttp.ClientSession | None = None
        self._webhook_lock = asyncio.Lock()
        self._webhook_turn = itertools.count()
        self._webhook_tasks: set[asyncio.Future[None]] = set()

    def _webhook_methods(self) -> dict[str, Handler]:
        return {
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    async def _close_webhook_http(self) -> None:
        if self._webhook_http is not None:
            await self._webhook_http.close()
            self._webhook_http = None

    def _set_webhook(self, rq: ApiRequest) -> bool:
        url = rq.get("url") or ""
        if not url:  # setWebhook with an empty URL removes the webhook
            self.webhook = None
            return True
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        secret_token = rq.get("secret_token")
        if secret_token is not None and not _SECRET_TOKEN.fullmatch(str(secret_token)):
            raise _bad("secret token contains unallowed characters")
        max_connections = int(rq.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        if isinstance(rq.get("allowed_updates"), list):
            self.allowed_updates = list(rq.get("allowed_updates"))
        if rq.get("drop_pending_updates") is True:
            self._drop_pending()
        self.webhook = Webhook(url, secret_token, max_connections)
        return True

    def _delete_webhook(self, rq: ApiRequest) -> bool:
        if rq.get("drop_pending_updates") is True:
            self._drop_pending()
        self.webhook = None
        return True

    def _drop_pending(self) -> None:
        self._dropped.update(u["update_id"] for u in self._updates)
        self._updates.clear()

    def _get_webhook_info(self, _: ApiRequest) -> dict[str, Any]:
        hook = self.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if self.allowed_updates is not None:
                info["allowed_updates"] = list(self.allowed_updates)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    def _refuse_polling_under_webhook(self) -> None:
        if self.webhook is not None:
            raise ApiError(409, _WEBHOOK_CONFLICT)

    async def post_to_webhook(
        self, update: dict[str, Any], *, url: str | None = None, secret_token: str | None = None
    ) -> int:
        """POST one update as Telegram does; the status the bot answered.

        By default to the registered URL with the registered secret; a test passes its own to
        play a stranger. The update is not queued: this is the raw request only.
        """
        if self._webhook_http is None:
            self._webhook_http = aiohttp.ClientSession()
        hook = self.webhook
        target = url or (hook.url if hook else None)
        if target is None:
            raise AssertionError("no webhook is set (the bot never called setWebhook)")
        headers = {"Content-Type": "application/json"}
        token = secret_token if secret_token is not None else (hook.secret_token if hook else None)
        if token:
            headers[WEBHOOK_SECRET_HEADER] = token
        async with self._webhook_http.post(target, data=json.dumps(update), headers=headers) as r:
            await r.read()
            return r.status

    async def _deliver_to_webhook(self, ids: list[int]) -> None:
        """POST the pending updates among ids in order; fail on the first the bot refuses."""
        async with self._webhook_lock:
            self._drop_unwanted()
            hook = self.webhook
            for update in [u for u in self._updates if u["update_id"] in ids]:
                url = hook.url
                if self.webhook_targets:
                    turn = next(self._webhook_turn)
                    url = self.webhook_targets[turn % len(self.webhook_targets)]
                status = await self.post_to_webhook(update, url=url)
                self.webhook_deliveries.append((url, update["update_id"], status))
                if not 200 <= status < 300:
                    hook.last_error_date = int(time.time())
                    hook.last_error_message = f"Wrong response from the webhook: {status}"
                    raise AssertionError(
                        f"the bot answered {status} to update {update['update_id']} at {url}"
                    )
                self._updates.remove(update)
                self._dropped.add(update["update_id"])  # answered: resolved, never sent again


# --------------------------------------------------------------------------- the server


class FakeTelegram(WebhookDelivery):
    """The fake Bot API server and the world behind it. See the module docstring."""

    def __init__(self) -> None:
        self.base_url = ""
        self.calls: list[Call] = []
        self.allowed_updates: list[str] | None = None
        self.confirm_timeout = 10.0  # seconds the bot gets to confirm an update
        self.strict_html_ampersand = True  # reject a bare "&" in HTML (Telegram tolerates it)
        self.self_check = True  # validate every answer against aiogram's types
        self.internal_errors: list[str] = []  # crashes of the fake itself; stop() raises
        self.callback_answers: dict[str, dict[str, Any]] = {}  # query id -> answer params
        self.pre_checkout_answers: dict[str, dict[str, Any]] = {}
        self.invoice_links: dict[str, dict[str, Any]] = {}  # link -> createInvoiceLink params
        self.users: dict[int, FakeUser] = {}
        self.channels: dict[int, FakeChannel] = {}
        self._subscribers: dict[int, FakeUser] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._bot_messages: set[tuple[int, int]] = set()
        self._dialog_ids: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._paths: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._pre_checkouts: set[str] = set()
        self._charges: dict[str, dict[str, Any]] = {}
        self._failures: list[_Failure] = []
        self.flood_limits: FloodLimits | None = None  # None: no limits, as before
        self.flood_refusals = 0  # sends refused with 429 by flood_limits
        self._recent_sends: collections.deque[tuple[float, int | str | None]] = collections.deque()
        self._updates: list[dict[str, Any]] = []
        self._confirmed_below = 0
        self._dropped: set[int] = set()
        self._poll_generation = 0
        self._active_polls = 0
        self._closing = False
        self._cond = asyncio.Condition()
        self._counter = itertools.count(1)
        self._user_ids = itertools.count(1001)
        self._subscriber_ids = itertools.count(7_000_000_001)
        self._channel_ids = itertools.count(-1001000000001, -1)
        self._update_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._init_webhook()
        self.methods: dict[str, Handler] = {}
        for name, handler in self._default_methods().items():
            self.register_method(name, handler)

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        self._closing = False
        app = web.Application(client_max_size=_MAX_UPLOAD + 10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Stop serving; raises AssertionError if the fake itself crashed during the test."""
        if self._runner is not None:
            self._closing = True
            async with self._cond:
                self._cond.notify_all()
            await self._runner.cleanup()
            self._runner = None
        await self._close_webhook_http()
        if self.internal_errors:
            errors, self.internal_errors = self.internal_errors, []
            raise AssertionError("FakeTelegram crashed:\n" + "\n".join(errors))

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            await self.stop()
        except AssertionError:
            if exc_type is None:
                raise
            log.exception("FakeTelegram crashed (reported under the test's own failure)")

    def register_method(self, name: str, handler: Handler) -> None:
        """Add or replace a Bot API method (case-insensitive); the handler may be async."""
        self.methods[name.lower()] = handler

    # ----------------------------------------------------------------- the world

    def user(
        self,
        first_name: str = "Alice",
        username: str | None = None,
        *,
        language_code: str = "en",
        last_name: str | None = None,
        started: bool = False,
    ) -> FakeUser:
        """A new user (ids 1001, 1002, ...); ``started`` lets the bot write first."""
        user = FakeUser(next(self._user_ids), first_name, username, language_code, last_name)
        user.started = started
        self.users[user.id] = user
        return user

    def channel(
        self,
        title: str = "My Channel",
        username: str | None = "mychannel",
        *,
        owner: FakeUser,
        admins: Iterable[FakeUser] = (),
        subscribers: int = 100,
    ) -> FakeChannel:
        """A channel (public if it has a username); the bot is not in it until added."""
        if username is not None and self._channel_by_username(username) is not None:
            raise ValueError(f"a channel @{username} exists already; pass another username")
        roles = {owner.id: "creator"} | {a.id: "administrator" for a in admins if a is not owner}
        channel = FakeChannel(next(self._channel_ids), title, username, subscribers, roles)
        self.channels[channel.id] = channel
        return channel

    def set_admin(self, channel: FakeChannel, user: FakeUser, is_admin: bool) -> None:
        if channel.admins.get(user.id) == "creator":
            raise ValueError("the owner of a channel is always its admin")
        if is_admin:
            channel.admins[user.id] = "administrator"
        else:
            channel.admins.pop(user.id, None)

    def block_bot(self, user: FakeUser) -> None:
        """From now on sending to the user fails with 403 (until they write to the bot)."""
        user.blocked = True

    def unblock_bot(self, user: FakeUser) -> None:
        user.blocked = False

    def message(self, chat: FakeUser | FakeChannel | int, message_id: int) -> dict[str, Any]:
        """The current state of a message (after edits); KeyError if missing or deleted."""
        chat_id = chat if isinstance(chat, int) else chat.id
        return copy.deepcopy(self._messages[(chat_id, message_id)])

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[Any]:
        """The bot commands set for a scope (default scope if None) and language."""
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ----------------------------------------------------------------- updates

    async def send_update(self, update: dict[str, Any], *, wait: bool = True) -> int:
        """Queue an update (its update_id is assigned) and wait until the bot confirmed it."""
        return (await self._send_updates([update], wait=wait))[0]

    async def send_text(self, user: FakeUser, text: str) -> dict[str, Any]:
        """A private message from the user; a leading /command gets a bot_command entity."""
        message = self._user_message(user, text=text, entities=_command_entities(text) or None)
        await self.send_update({"message": message})
        return message

    async def send_photo(
        self,
        user: FakeUser,
        data: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        return await self._send_user_file(
            user, self._user_file("photo", data), caption, media_group_id
        )

    async def send_document(
        self,
        user: FakeUser,
        data: bytes,
        *,
        filename: str,
        mime_type: str,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        stored = self._user_file("document", data, filename, mime_type)
        return await self._send_user_file(user, stored, caption, media_group_id)

    async def _send_user_file(
        self, user: FakeUser, stored: _StoredFile, caption: str | None, group: str | None
    ) -> dict[str, Any]:
        media = {stored.kind: stored.media()}
        message = self._user_message(user, caption=caption, media_group_id=group, **media)
        await self.send_update({"message": message})
        return message

    async def send_album(
        self, user: FakeUser, items: list[bytes], *, as_documents: bool = False
    ) -> list[dict[str, Any]]:
        """Messages sharing a media_group_id, delivered as separate updates in one batch."""
        group = str(13_000_000_000_000_000 + next(self._counter))
        messages = []
        for number, data in enumerate(items, 1):
            if as_documents:
                info = _image_info(data)
                ext = (
                    ".bin" if info is None else {"JPEG": ".jpg"}.get(info[0], f".{info[0].lower()}")
                )
                mime = mimetypes.guess_type(f"x{ext}")[0] or "application/octet-stream"
                stored = self._user_file("document", data, f"file{number}{ext}", mime)
            else:
                stored = self._user_file("photo", data)
            media = {stored.kind: stored.media()}
            messages.append(self._user_message(user, media_group_id=group, **media))
        await self._send_updates([{"message": m} for m in messages])
        return messages

    async def press(
        self,
        user: FakeUser,
        call_or_message: Call | dict[str, Any],
        callback_data: str,
        *,
        strict: bool = True,
    ) -> str:
        """The user presses an inline button of a message the bot sent; returns the query id.

        With ``strict`` the message's current keyboard must hold that callback_data.
        """
        message = self._current_message(call_or_message)
        buttons = _inline_buttons(message.get("reply_markup"))
        if strict and callback_data not in [b.get("callback_data") for b in buttons]:
            raise AssertionError(
                f"message {message['message_id']} has no button with callback_data "
                f"{callback_data!r}; buttons: {buttons}"
            )
        query_id = str(4_000_000_000_000_000_000 + next(self._counter))
        self._callback_queries[query_id] = False
        chat_id = message["chat"]["id"]
        if chat_id == user.id:
            user.started = True
        query = {
            "id": query_id,
            "from": user.api(),
            "message": message,
            "chat_instance": str(abs(chat_id) * 1_000_003 % 10**18),
            "data": callback_data,
        }
        await self.send_update({"callback_query": query})
        return query_id

    async def press_button(self, user: FakeUser, call: Call | dict[str, Any], text: str) -> str:
        """Press the inline button whose text contains ``text`` (on the message as it is now)."""
        message = self._current_message(call)
        button = _find_button(
            _inline_buttons(message.get("reply_markup")), text, f"message {message['message_id']}"
        )
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} has no callback_data: {button}")
        return await self.press(user, message, button["callback_data"])

    async def add_bot_to_channel(
        self, channel: FakeChannel, *, by: FakeUser, rights: Mapping[str, bool] | None = None
    ) -> None:
        """An admin makes the bot an administrator: a my_chat_member update."""
        channel.bot_rights.update(rights or {})
        await self._set_bot_status(channel, by, "administrator")

    async def remove_bot_from_channel(
        self, channel: FakeChannel, *, by: FakeUser, kicked: bool = False
    ) -> None:
        """An admin removes (or bans) the bot: a my_chat_member update."""
        await self._set_bot_status(channel, by, "kicked" if kicked else "left")

    async def _set_bot_status(self, channel: FakeChannel, by: FakeUser, status: str) -> None:
        if by.id not in channel.admins:
            raise ValueError(f"{by.first_name} is not an admin of {channel.title}")
        old = self._bot_member(channel)
        channel.bot_status = status
        update = self._member_update(channel, by.api(), old, self._bot_member(channel))
        await self.send_update({"my_chat_member": update})

    async def post(
        self,
        channel: FakeChannel,
        text: str = "Hello",
        *,
        photo: bool = False,
        video: bool = False,
        document: bool = False,
        media_group_id: str | None = None,
        date: datetime | int | None = None,
    ) -> int:
        """A channel post (media posts carry ``text`` as caption); returns its message_id."""
        kinds = [k for k, on in (("photo", photo), ("video", video), ("document", document)) if on]
        if len(kinds) > 1:
            raise ValueError("a post has at most one kind of media")
        content: dict[str, Any] = {"text": text}
        if kinds:
            content = {"caption": text or None, kinds[0]: self._placeholder_media(kinds[0])}
        message = self._store_message(
            channel, None, date=_timestamp(date), media_group_id=media_group_id, **content
        )
        await self._channel_updates(channel, [{"channel_post": message}])
        return int(message["message_id"])

    async def edit_post(
        self,
        channel: FakeChannel,
        message_id: int,
        text: str,
        *,
        edit_date: datetime | int | None = None,
    ) -> None:
        message = self._messages.get((channel.id, message_id))
        if message is None:
            raise KeyError(f"{channel.title} has no message {message_id}")
        key = "caption" if any(kind in message for kind in _MEDIA_KINDS) else "text"
        message[key] = text
        message.pop("caption_entities" if key == "caption" else "entities", None)
        message["edit_date"] = _timestamp(edit_date)
        await self._channel_updates(channel, [{"edited_channel_post": copy.deepcopy(message)}])

    async def react(
        self,
        channel: FakeChannel,
        message_id: int,
        counts: Mapping[str, int],
        *,
        date: datetime | int | None = None,
    ) -> None:
        """Anonymous reaction counts; keys are emoji, "paid", or "custom:<custom_emoji_id>"."""
        reactions = [
            {"type": _reaction_type(key), "total_count": count}
            for key, count in counts.items()
            if count > 0
        ]
        update = {
            "chat": channel.chat(),
            "message_id": message_id,
            "date": _timestamp(date),
            "reactions": reactions,
        }
        await self._channel_updates(channel, [{"message_reaction_count": update}])

    async def join(
        self,
        channel: FakeChannel,
        *,
        count: int = 1,
        invite_link_name: str | None = None,
        date: datetime | int | None = None,
        user: FakeUser | None = None,
    ) -> None:
        """``count`` new subscribers (or ``user``) join: chat_member updates left -> member.

        ``invite_link_name`` names a link the bot created (by name or URL) or a new one of
        the owner's.
        """
        link = self._invite_link(channel, invite_link_name) if invite_link_name else None
        joining = [user] if user else [self._new_subscriber() for _ in range(count)]
        await self._membership(channel, joining, "member", date, link)

    async def leave(
        self,
        channel: FakeChannel,
        *,
        count: int = 1,
        date: datetime | int | None = None,
        user: FakeUser | None = None,
    ) -> None:
        """``count`` subscribers (latest joiners first, or ``user``) leave: member -> left."""
        if user is not None:
            leaving = [user]
        else:
            leaving = list(reversed(channel.members.values()))[:count]
            leaving += [self._new_subscriber() for _ in range(count - len(leaving))]
        await self._membership(channel, leaving, "left", date)

    async def _membership(
        self,
        channel: FakeChannel,
        people: list[FakeUser],
        status: str,
        date: datetime | int | None,
        link: dict[str, Any] | None = None,
    ) -> None:
        """People join (status "member") or leave ("left"): one chat_member update each."""
        updates = []
        for person in people:
            if status == "member":
                channel.members[person.id] = person
            else:
                channel.members.pop(person.id, None)
            channel.subscribers = max(0, channel.subscribers + (1 if status == "member" else -1))
            old = {"status": "left" if status == "member" else "member", "user": person.api()}
            new = {"status": status, "user": person.api()}
            member = self._member_update(channel, person.api(), old, new, date, link)
            updates.append({"chat_member": member})
        await self._channel_updates(channel, updates)

    async def demote_admin(
        self, channel: FakeChannel, admin: FakeUser, *, by: FakeUser, to: str = "member"
    ) -> None:
        """An administrator loses the rights: ``to`` "member" (demoted, still subscribed),
        "left" (left or removed; ``by`` the admin themself when they left) or "kicked".

        One chat_member update, as Telegram sends it, and getChatAdministrators no longer
        lists them.
        """
        if channel.admins.get(admin.id) != "administrator":
            raise ValueError(f"{admin.first_name} is not an administrator of {channel.title}")
        if to not in ("member", "left", "kicked"):
            raise ValueError(f"an administrator cannot be demoted to {to!r}")
        old = self._channel_member(channel, admin.id)
        del channel.admins[admin.id]
        if to == "member":
            channel.members[admin.id] = admin
        else:
            channel.members.pop(admin.id, None)
            channel.subscribers = max(0, channel.subscribers - 1)
        new = {"status": to, "user": admin.api()} | ({"until_date": 0} if to == "kicked" else {})
        update = self._member_update(channel, by.api(), old, new)
        await self._channel_updates(channel, [{"chat_member": update}])

    async def pre_checkout(
        self, user: FakeUser, *, payload: str, total_amount: int, currency: str = "XTR"
    ) -> str:
        """A pre_checkout_query; returns its id (the answer lands in pre_checkout_answers)."""
        query_id = str(5_000_000_000_000_000_000 + next(self._counter))
        self._pre_checkouts.add(query_id)
        query = {
            "id": query_id,
            "from": user.api(),
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        }
        await self.send_update({"pre_checkout_query": query})
        return query_id

    async def successful_payment(
        self, user: FakeUser, *, payload: str, total_amount: int, currency: str = "XTR"
    ) -> str:
        """A message with successful_payment; returns the telegram_payment_charge_id."""
        charge_id = f"stxFakeCharge{next(self._counter):08d}"
        payment = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "" if currency == "XTR" else f"prov_{charge_id}",
        }
        self._charges[charge_id] = {"user_id": user.id, "refunded": False, "payment": payment}
        await self.send_update({"message": self._user_message(user, successful_payment=payment)})
        return charge_id

    async def refunded_payment(self, user: FakeUser, charge_id: str) -> None:
        """Telegram refunds a charge without the bot asking (its support did): the service
        message with refunded_payment."""
        charge = self._charges[charge_id]
        charge["refunded"] = True
        refund = {k: v for k, v in charge["payment"].items() if v != ""}
        await self.send_update({"message": self._user_message(user, refunded_payment=refund)})

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

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params, uploads = await self._read_request(request, method)
        except ApiError as error:
            await self._record(Call(method, {}, error=error.body()))
            return web.json_response(error.body(), status=error.code)
        rq = ApiRequest(method, params, uploads)
        call = Call(method, params)
        polling = method.lower() == "getupdates"
        if polling:
            call.finished = False
            await self._record(call)
        try:
            result = await self._dispatch(rq, request.match_info["token"])
            if self.self_check and not polling:  # updates are the test's own business
                self._check_result(method, result)
            call.response = result
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            call.error = error.body()
            status, body = error.code, error.body()
        except asyncio.CancelledError:  # the client went away (e.g. stop_polling mid-poll)
            call.finished = True
            call.error = {"ok": False, "error_code": 499, "description": "Client Closed Request"}
            raise
        except Exception as exc:
            log.exception("FakeTelegram failed on %s", method)
            self.internal_errors.append(f"{method} {params!r}: {exc!r}")
            call.error = ApiError(500, f"Internal Server Error: fake crashed: {exc!r}").body()
            status, body = 500, call.error
        used = {id(upload) for upload in rq.files.values()}
        call.files = rq.files | {k: v for k, v in uploads.items() if id(v) not in used}
        call.finished = True
        if polling:
            async with self._cond:
                self._cond.notify_all()
        else:
            await self._record(call)
        return web.json_response(body, status=status)

    async def _dispatch(self, rq: ApiRequest, token: str) -> Any:
        if token != BOT_TOKEN:
            raise ApiError(401, "Unauthorized")
        handler = self.methods.get(rq.method.lower())
        if handler is None:
            log.warning("FakeTelegram: method %s is not implemented", rq.method)
            raise ApiError(404, "Not Found")
        failure = self._injected_failure(rq.method, rq.params) or self._flood_refusal(rq)
        if failure is not None:
            raise failure
        result = handler(rq)
        return await result if asyncio.iscoroutine(result) else result

    async def _read_request(
        self, request: web.Request, method: str
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, UploadedFile] = {}
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise _bad("can't parse JSON object")
                raw.update(body)
            elif request.can_read_body:
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        data = value.file.read()
                        uploads[key] = UploadedFile(key, value.filename, value.content_type, data)
                    else:
                        raw[key] = value.decode() if isinstance(value, bytes) else value
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except ValueError:
            raise _bad("can't parse JSON object") from None
        if any(len(upload.data) > _MAX_UPLOAD for upload in uploads.values()):
            raise ApiError(413, "Request Entity Too Large")
        fields = _string_fields(method)
        params = {key: decode_param(value, fields.get(key)) for key, value in raw.items()}
        for key in uploads:  # a file sent in the part named after its parameter
            if key in fields:
                params.setdefault(key, f"attach://{key}")
        return params, uploads

    async def _handle_download(self, request: web.Request) -> web.Response:
        stored = self._paths.get(request.match_info["path"])
        if request.match_info["token"] != BOT_TOKEN:
            error = ApiError(401, "Unauthorized")
        elif stored is None:
            error = ApiError(404, "Not Found")
        else:
            return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(error.body(), status=error.code)

    async def _record(self, call: Call) -> None:
        async with self._cond:
            call.index = len(self.calls)
            self.calls.append(call)
            self._cond.notify_all()

    def _check_result(self, method: str, result: Any) -> None:
        cls = _aiogram_methods().get(method.lower())
        if cls is not None:
            _response_type(cls).model_validate({"ok": True, "result": result})

    @staticmethod
    def _listing(calls: list[Call], last: int = 15) -> str:
        shown = calls[-last:]
        return "\n".join(f"  {call!r}" for call in shown) or "  (no calls)"

    # ----------------------------------------------------------------- update queue

    async def _send_updates(self, updates: list[dict[str, Any]], *, wait: bool = True) -> list[int]:
        from aiogram.types import Update

        async with self._cond:
            ids = []
            for update in updates:
                body = {k: copy.deepcopy(v) for k, v in update.items() if k != "update_id"}
                queued = {"update_id": next(self._update_ids), **body}
                try:
                    Update.model_validate(queued)
                except ValueError as error:
                    log.warning("update %s does not parse as an aiogram Update: %s", queued, error)
                self._updates.append(queued)
                ids.append(queued["update_id"])
            self._cond.notify_all()
            if wait and self.webhook is None:
                await self._wait_confirmed(ids)
        if self.webhook is not None:
            delivery = self._deliver_to_webhook(ids)
            if wait:
                await delivery
            else:
                task = asyncio.ensure_future(delivery)
                self._webhook_tasks.add(task)
                task.add_done_callback(self._webhook_tasks.discard)
        return ids

    async def _wait_confirmed(self, ids: list[int]) -> None:
        try:
            async with asyncio.timeout(self.confirm_timeout):
                await self._cond.wait_for(lambda: all(self._resolved(i) for i in ids))
        except TimeoutError:
            polls = [c for c in self.calls if c.method.lower() == "getupdates"][-3:]
            raise AssertionError(
                f"the bot did not confirm update(s) {ids} within {self.confirm_timeout}s "
                f"(is a Dispatcher polling this FakeTelegram, with handle_as_tasks=False?); "
                f"polls in progress: {self._active_polls}; last getUpdates calls:\n"
                + self._listing(polls)
            ) from None

    def _resolved(self, update_id: int) -> bool:
        return update_id < self._confirmed_below or update_id in self._dropped

    def _confirm(self, offset: int) -> None:
        if offset < 0:  # keep the last -offset updates, forget the others
            forgotten = self._updates[:offset]
            self._dropped.update(u["update_id"] for u in forgotten)
            self._updates = self._updates[len(forgotten) :]
            return
        self._confirmed_below = max(self._confirmed_below, offset)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _drop_unwanted(self) -> None:
        allowed = set(self.allowed_updates or ())
        kept = []
        for update in self._updates:
            kind = _update_kind(update)
            wanted = kind in allowed if allowed else kind not in _OPT_IN_UPDATES
            if wanted:
                kept.append(update)
                continue
            self._dropped.add(update["update_id"])
            log.warning(
                "FakeTelegram dropped update %s (%s): not in allowed_updates %s",
                update["update_id"],
                kind,
                self.allowed_updates,
            )
        self._updates = kept

    async def _get_updates(self, rq: ApiRequest) -> list[dict[str, Any]]:
        limit = min(max(int(rq.get("limit") or 100), 1), 100)
        timeout = max(float(rq.get("timeout") or 0), 0.0)
        self._refuse_polling_under_webhook()
        if isinstance(rq.get("allowed_updates"), list):
            self.allowed_updates = list(rq.get("allowed_updates"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._cond:
            if rq.get("offset") is not None:
                self._confirm(int(rq.get("offset")))
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            self._active_polls += 1
            try:
                while True:
                    self._drop_unwanted()
                    if self._updates:
                        return copy.deepcopy(self._updates[:limit])
                    if generation != self._poll_generation:
                        raise ApiError(409, _POLL_CONFLICT)
                    remaining = deadline - loop.time()
                    if self._closing or remaining <= 0:
                        return []
                    try:
                        async with asyncio.timeout(remaining):
                            await self._cond.wait()
                    except TimeoutError:
                        pass
            finally:
                self._active_polls -= 1
                self._cond.notify_all()

    async def _channel_updates(self, channel: FakeChannel, updates: list[dict[str, Any]]) -> None:
        """Channel updates reach the bot only while it is an administrator there."""
        if channel.bot_status != "administrator":
            log.info("FakeTelegram: bot is not admin of %s; updates not delivered", channel.title)
            return
        await self._send_updates(updates)

    # ----------------------------------------------------------------- world internals

    def _chat_key(self, chat: Any) -> int | str | None:
        if isinstance(chat, FakeUser | FakeChannel):
            return chat.id
        if isinstance(chat, str):
            if chat.startswith("@"):
                channel = self._channel_by_username(chat[1:])
                return channel.id if channel else chat.lower()
            try:
                return int(chat)
            except ValueError:
                return chat
        return chat

    def _channel_by_username(self, username: str) -> FakeChannel | None:
        return next(
            (c for c in self.channels.values() if (c.username or "").lower() == username.lower()),
            None,
        )

    def _new_subscriber(self) -> FakeUser:
        user_id = next(self._subscriber_ids)
        user = FakeUser(user_id, f"Subscriber {user_id % 1_000_000}")
        self._subscribers[user_id] = user
        return user

    def _bot_member(self, channel: FakeChannel) -> dict[str, Any]:
        if channel.bot_status == "administrator":
            return _admin_member(BOT_USER, channel.bot_rights)
        if channel.bot_status == "kicked":
            return {"status": "kicked", "user": BOT_USER, "until_date": 0}
        return {"status": channel.bot_status, "user": BOT_USER}

    def _channel_member(self, channel: FakeChannel, user_id: int) -> dict[str, Any]:
        if user_id == BOT_ID:
            return self._bot_member(channel)
        role = channel.admins.get(user_id)
        person = self.users.get(user_id) or self._subscribers.get(user_id)
        if person is None and role is None:
            raise _bad("user not found")
        user = person.api() if person else {"id": user_id, "is_bot": False, "first_name": "User"}
        if role == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if role == "administrator":
            return _admin_member(user, _HUMAN_ADMIN_RIGHTS)
        return {"status": "member" if user_id in channel.members else "left", "user": user}

    def _member_update(
        self,
        channel: FakeChannel,
        actor: dict[str, Any],
        old: dict[str, Any],
        new: dict[str, Any],
        date: datetime | int | None = None,
        invite_link: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return _compact(
            chat=channel.chat(),
            date=_timestamp(date),
            old_chat_member=old,
            new_chat_member=new,
            invite_link=invite_link,
            **{"from": actor},
        )

    def _invite_link(self, channel: FakeChannel, name_or_link: str) -> dict[str, Any]:
        for link in channel.invite_links.values():
            if name_or_link in (link.get("name"), link["invite_link"]):
                return link
        owner = self.users.get(channel.owner_id or 0)
        link = {
            # Telegram hides the secret part of links the bot did not create.
            "invite_link": f"https://t.me/+{secrets.token_urlsafe(4)}…",
            "creator": owner.api() if owner else BOT_USER,
            "creates_join_request": False,
            "is_primary": False,
            "is_revoked": False,
            "name": name_or_link,
        }
        channel.invite_links[link["invite_link"]] = link
        return link

    def _next_message_id(self, chat: FakeUser | FakeChannel) -> int:
        if isinstance(chat, FakeChannel):
            chat.next_message_id += 1
            return chat.next_message_id - 1
        self._dialog_ids[chat.id] = self._dialog_ids.get(chat.id, 0) + 1
        return self._dialog_ids[chat.id]

    def _store_message(
        self,
        chat: FakeUser | FakeChannel,
        sender: dict[str, Any] | None,
        *,
        date: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """Store a new message in ``chat`` (sender None: the channel itself) and copy it."""
        message: dict[str, Any] = {"message_id": self._next_message_id(chat)}
        if sender is not None:
            message["from"] = sender
        if isinstance(chat, FakeChannel):
            message["sender_chat"] = chat.chat()
        message |= {"date": date or _timestamp(None), "chat": chat.chat()}
        message |= _compact(**content)
        self._messages[(chat.id, message["message_id"])] = message
        return copy.deepcopy(message)

    def _user_message(self, user: FakeUser, **content: Any) -> dict[str, Any]:
        user.started, user.blocked = True, False  # writing to a bot unblocks it
        return self._store_message(user, user.api(), **content)

    def _current_message(self, call_or_message: Call | dict[str, Any]) -> dict[str, Any]:
        if isinstance(call_or_message, Call):
            if not call_or_message.ok:
                raise AssertionError(f"that call failed: {call_or_message!r}")
            source = call_or_message.response
            if not isinstance(source, dict) or "chat" not in source:
                chat_id = self._chat_key(call_or_message.chat_id)
                source = {"chat": {"id": chat_id}, "message_id": call_or_message.message_id}
        else:
            source = call_or_message
        key = (source["chat"]["id"], source["message_id"])
        if key not in self._messages:
            raise AssertionError(f"message {key[1]} in chat {key[0]} does not exist (deleted?)")
        return copy.deepcopy(self._messages[key])

    def _new_file(self, kind: str, data: bytes, **details: Any) -> _StoredFile:
        number = next(self._counter)
        prefix = _FILE_ID_PREFIX.get(kind, "BAACAgIAAxkBAAI")
        stored = _StoredFile(
            f"{prefix}{number:06d}{secrets.token_urlsafe(12)}", f"AQAD{number:06d}", kind, data
        )
        for key, value in details.items():
            setattr(stored, key, value)
        self._files[stored.file_id] = stored
        return stored

    def _user_file(
        self, kind: str, data: bytes, filename: str | None = None, mime: str | None = None
    ) -> _StoredFile:
        info = _image_info(data)
        width, height = (info[1], info[2]) if info else (0, 0)
        details = {"file_name": filename, "mime_type": mime} if kind == "document" else {}
        return self._new_file(kind, data, width=width, height=height, **details)

    def _placeholder_media(self, kind: str) -> Any:
        """Media of a channel post: a small real PNG, or stand-in video/PDF bytes."""
        if kind == "photo":
            return self._user_file("photo", _placeholder_png()).media()
        if kind == "video":
            video = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
            return self._new_file(kind, video, width=1280, height=720).video(duration=15)
        pdf = b"%PDF-1.4\n% fake\n"
        details = {"file_name": "document.pdf", "mime_type": "application/pdf"}
        return self._new_file(kind, pdf, **details).media()

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    # ----------------------------------------------------------------- access rules

    def _resolve_chat(self, chat_id: Any) -> FakeUser | FakeChannel:
        """A chat the bot can see: unknown ids and private channels it is not in are not found."""
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        key = self._chat_key(chat_id)
        chat = self.channels.get(key) if isinstance(key, int) else None
        if chat is None and isinstance(key, int):
            chat = self.users.get(key) or self._subscribers.get(key)
        if chat is None:
            raise _bad("chat not found")
        if isinstance(chat, FakeChannel):
            if chat.bot_status == "kicked":
                raise _forbidden("bot was kicked from the channel chat")
            if chat.bot_status != "administrator" and chat.username is None:
                raise _bad("chat not found")
        return chat

    def _writable_chat(self, chat_id: Any) -> FakeUser | FakeChannel:
        chat = self._resolve_chat(chat_id)
        if isinstance(chat, FakeUser):
            if chat.blocked:
                raise _forbidden("bot was blocked by the user")
            if not chat.started:
                raise _forbidden("bot can't initiate conversation with a user")
        elif chat.bot_status != "administrator":
            raise _forbidden("bot is not a member of the channel chat")
        elif not chat.bot_rights.get("can_post_messages", True):
            raise _bad("need administrator rights in the channel chat")
        return chat

    def _member_list(self, chat_id: Any) -> FakeChannel:
        chat = self._resolve_chat(chat_id)
        if isinstance(chat, FakeUser):
            raise _bad("there are no administrators in the private chat")
        if chat.bot_status != "administrator":
            raise _bad("member list is inaccessible")
        return chat

    def _editable_message(self, rq: ApiRequest) -> dict[str, Any]:
        if rq.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._writable_chat(rq.get("chat_id"))
        if rq.get("message_id") is None:
            raise _bad("message identifier is not specified")
        key = (chat.id, int(rq.get("message_id")))
        message = self._messages.get(key)
        if message is None:
            raise _bad("message to edit not found")
        if key not in self._bot_messages and not (
            isinstance(chat, FakeChannel) and chat.bot_rights.get("can_edit_messages")
        ):
            raise _bad("message can't be edited")
        return message

    # ----------------------------------------------------------------- content checks

    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[dict[str, Any]]]:
        """Visible text and entities of a text or caption, with Telegram's checks."""
        raw = "" if text is None else str(text)
        mode = str(parse_mode or "").lower()
        if isinstance(entities, list):
            visible, found = raw, entities
        elif mode == "html":
            visible, found = parse_html(raw, strict_ampersand=self.strict_html_ampersand)
        elif mode in ("", "markdown", "markdownv2"):  # Markdown is not parsed by the fake
            visible, found = raw, []
        else:
            raise _bad("unsupported parse_mode")
        if caption:
            if utf16_len(visible) > 1024:
                raise _bad("message caption is too long")
        elif not visible.strip():
            raise _bad("message text is empty")
        elif utf16_len(visible) > 4096:
            raise _bad("message is too long")
        return visible, found

    def _caption(self, params: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        return self._formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )

    def _input_file(self, rq: ApiRequest, value: Any, path: str, kind: str) -> _StoredFile:
        """A file parameter: an upload (attach://), a known file_id, or an HTTP URL."""
        in_media = path.startswith("media")
        if value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        if not isinstance(value, str):
            raise _bad("wrong file identifier/HTTP URL specified")
        if value in self._files:
            stored = self._files[value]
            if stored.kind != kind:
                raise _bad(f"can't use file of type {stored.kind.title()} as {kind.title()}")
            return stored
        if value.startswith(("http://", "https://")):
            name = urlsplit(value).path.rsplit("/", 1)[-1] or None
            return self._new_file(kind, b"", file_name=name)
        upload = rq.uploads.get(value.removeprefix("attach://"))
        if not value.startswith("attach://") or upload is None:
            if in_media:
                raise _bad("can't parse InputMedia: media not found")
            raise _bad("wrong file identifier/HTTP URL specified")
        rq.files[path] = upload
        if not upload.data:
            raise _bad("file must be non-empty")
        if kind != "photo":
            mime = mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
            return self._new_file(kind, upload.data, file_name=upload.filename, mime_type=mime)
        info = _image_info(upload.data)
        if info is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        width, height = info[1], info[2]
        if width + height > 10_000 or max(width, height) > 20 * min(width, height):
            raise _bad("PHOTO_INVALID_DIMENSIONS")
        return self._new_file(kind, upload.data, width=width, height=height)

    def _bot_message(
        self, rq: ApiRequest, chat: FakeUser | FakeChannel, markup: Any, **content: Any
    ) -> dict[str, Any]:
        """Store and return a message the bot sends."""
        reply = rq.get("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        reply_to_id = reply.get("message_id") or rq.get("reply_to_message_id")
        replied = None
        if reply_to_id is not None:
            original = self._messages.get((chat.id, int(reply_to_id)), {})
            allow = reply.get("allow_sending_without_reply") or rq.get(
                "allow_sending_without_reply"
            )
            if not original and not allow:
                raise _bad("message to be replied not found")
            replied = {k: copy.deepcopy(v) for k, v in original.items() if k != "reply_to_message"}
        sender = BOT_USER if isinstance(chat, FakeUser) else None
        message = self._store_message(
            chat,
            sender,
            reply_to_message=replied or None,
            reply_markup=markup,
            has_protected_content=True if rq.get("protect_content") is True else None,
            **content,
        )
        self._bot_messages.add((chat.id, message["message_id"]))
        return message

    # ----------------------------------------------------------------- Bot API methods

    def _default_methods(self) -> dict[str, Handler]:
        def ok(_: ApiRequest) -> bool:
            return True

        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            **self._webhook_methods(),
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda rq: self.commands(rq.get("scope"), rq.get("language_code")),
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": ok,
            "setMyShortDescription": ok,
            "setMyName": ok,
            "setChatMenuButton": ok,
            "setMyDefaultAdministratorRights": ok,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "editMessageMedia": self._edit_message_media,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendPhoto": lambda rq: self._send_file(rq, "photo"),
            "sendDocument": lambda rq: self._send_file(rq, "document"),
            "sendMediaGroup": self._send_media_group,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMember": self._get_chat_member,
            "getChatMemberCount": self._get_chat_member_count,
            "leaveChat": self._leave_chat,
            "createChatInviteLink": self._create_chat_invite_link,
            "sendInvoice": self._send_invoice,
            "createInvoiceLink": self._create_invoice_link,
            "answerPreCheckoutQuery": self._answer_pre_checkout_query,
            "refundStarPayment": self._refund_star_payment,
        }

    def _get_me(self, _: ApiRequest) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_my_commands(self, rq: ApiRequest) -> bool:
        commands = rq.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(rq.get("scope"), rq.get("language_code"))] = commands
        return True

    def _delete_my_commands(self, rq: ApiRequest) -> bool:
        self._commands.pop(self._commands_key(rq.get("scope"), rq.get("language_code")), None)
        return True

    def _text(self, rq: ApiRequest) -> tuple[str, list[dict[str, Any]]]:
        return self._formatted(rq.get("text"), rq.get("parse_mode"), rq.get("entities"))

    def _send_message(self, rq: ApiRequest) -> dict[str, Any]:
        text, entities = self._text(rq)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=False)
        chat = self._writable_chat(rq.get("chat_id"))
        return self._bot_message(rq, chat, markup, text=text, entities=entities or None)

    def _edit_message_text(self, rq: ApiRequest) -> dict[str, Any]:
        text, entities = self._text(rq)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        message = self._editable_message(rq)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        return self._edit(message, {"text": text, "entities": entities, "reply_markup": markup})

    def _edit_message_caption(self, rq: ApiRequest) -> dict[str, Any]:
        caption, entities = self._caption(rq.params)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        message = self._editable_message(rq)
        if not any(kind in message for kind in _MEDIA_KINDS):
            raise _bad("there is no caption in the message to edit")
        changes = {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        return self._edit(message, changes)

    def _edit_message_media(self, rq: ApiRequest) -> dict[str, Any]:
        media = rq.get("media")
        if not isinstance(media, dict):
            raise _bad("can't parse InputMedia JSON object")
        kind = str(media.get("type"))
        if kind not in ("photo", "video", "document", "audio", "animation"):
            raise _bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        caption, entities = self._caption(media)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        message = self._editable_message(rq)
        if not any(k in message for k in _MEDIA_KINDS):
            raise _bad("there is no media in the message to edit")
        stored = self._input_file(rq, media.get("media"), "media", kind)
        # The new media replaces the old one, whatever its kind was.
        changes: dict[str, Any] = {k: None for k in _MEDIA_KINDS if k != kind}
        changes |= {kind: stored.media(), "caption": caption, "caption_entities": entities}
        return self._edit(message, changes | {"reply_markup": markup})

    def _edit_message_reply_markup(self, rq: ApiRequest) -> dict[str, Any]:
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        return self._edit(self._editable_message(rq), {"reply_markup": markup})

    def _edit(self, message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Apply an edit (empty values remove fields) unless it changes nothing."""
        if all(message.get(key) == (value or None) for key, value in changes.items()):
            raise _bad(_NOT_MODIFIED)
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = _timestamp(None)
        return copy.deepcopy(message)

    def _delete_message(self, rq: ApiRequest) -> bool:
        chat = self._resolve_chat(rq.get("chat_id"))
        if isinstance(chat, FakeChannel) and not (
            chat.bot_status == "administrator" and chat.bot_rights.get("can_delete_messages")
        ):
            raise _bad("message can't be deleted")
        key = (chat.id, int(rq.get("message_id") or 0))
        message = self._messages.get(key)
        if message is None:
            raise _bad("message to delete not found")
        if isinstance(chat, FakeUser) and time.time() - message["date"] > 48 * 3600:
            raise _bad("message can't be deleted for everyone")
        del self._messages[key]
        return True

    def _answer_callback_query(self, rq: ApiRequest) -> bool:
        query_id = str(rq.get("callback_query_id"))
        if self._callback_queries.get(query_id, True):  # unknown or answered already
            raise _bad(_QUERY_INVALID)
        if len(str(rq.get("text") or "")) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        keys = ("text", "show_alert", "url", "cache_time")
        self.callback_answers[query_id] = {k: rq.params[k] for k in keys if k in rq.params}
        return True

    def _send_chat_action(self, rq: ApiRequest) -> bool:
        if rq.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._writable_chat(rq.get("chat_id"))
        return True

    def _send_file(self, rq: ApiRequest, kind: str) -> dict[str, Any]:
        caption, entities = self._caption(rq.params)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=False)
        chat = self._writable_chat(rq.get("chat_id"))
        stored = self._input_file(rq, rq.get(kind), kind, kind)
        thumbnail = rq.get("thumbnail")
        if isinstance(thumbnail, str) and thumbnail.removeprefix("attach://") in rq.uploads:
            rq.files["thumbnail"] = rq.uploads[thumbnail.removeprefix("attach://")]
        return self._bot_message(
            rq,
            chat,
            markup,
            caption=caption or None,
            caption_entities=entities or None,
            has_media_spoiler=True if rq.get("has_spoiler") is True else None,
            **{kind: stored.media()},
        )

    def _send_media_group(self, rq: ApiRequest) -> list[dict[str, Any]]:
        media = rq.get("media")
        if media is None:
            raise _bad('parameter "media" is required')
        if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
            raise _bad("can't parse media JSON object")
        if not media:
            raise _bad("there are no messages to send")
        if len(media) > 10:
            raise _bad("too many messages to send as an album")
        kinds = [str(item.get("type")) for item in media]
        for kind in kinds:
            if kind in ("animation", "voice", "sticker", "video_note"):
                raise _bad(
                    f"can't parse InputMedia: type \"{kind}\" can't be used in sendMediaGroup"
                )
            if kind not in ("photo", "video", "document", "audio"):
                raise _bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        for single in ("document", "audio"):
            if single in kinds and set(kinds) != {single}:
                raise _bad(f"{single} can't be mixed with other media types")
        captions = [self._caption(item) for item in media]
        chat = self._writable_chat(rq.get("chat_id"))
        files = [
            self._input_file(rq, item.get("media"), f"media[{i}]", kinds[i])
            for i, item in enumerate(media)
        ]
        group = str(13_000_000_000_000_000 + next(self._counter)) if len(media) > 1 else None
        return [
            self._bot_message(
                rq,
                chat,
                None,
                media_group_id=group,
                caption=caption or None,
                caption_entities=entities or None,
                **{stored.kind: stored.media()},
            )
            for stored, (caption, entities) in zip(files, captions, strict=True)
        ]

    def _get_file(self, rq: ApiRequest) -> dict[str, Any]:
        stored = self._files.get(str(rq.get("file_id")))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.data) > _MAX_DOWNLOAD:
            raise _bad("file is too big")
        if stored.file_path is None:
            suffix = "." + stored.file_name.rsplit(".", 1)[-1] if stored.file_name else ""
            if not suffix or len(suffix) > 6:
                suffix = ".jpg" if stored.kind == "photo" else ""
            folder = _FILE_FOLDER.get(stored.kind, stored.kind)
            stored.file_path = f"{folder}/file_{len(self._paths)}{suffix}"
            self._paths[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _get_chat(self, rq: ApiRequest) -> dict[str, Any]:
        chat = self._resolve_chat(rq.get("chat_id"))
        info = {
            **chat.chat(),
            "accent_color_id": abs(chat.id) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": dict(_ACCEPTED_GIFTS),
        }
        if isinstance(chat, FakeChannel):
            info |= _compact(
                description=chat.description,
                active_usernames=[chat.username] if chat.username else None,
                has_visible_history=True,
            )
            if chat.bot_status == "administrator" and chat.bot_rights.get("can_invite_users"):
                info["invite_link"] = f"https://t.me/+fake{abs(chat.id)}"
        return info

    def _get_chat_administrators(self, rq: ApiRequest) -> list[dict[str, Any]]:
        channel = self._member_list(rq.get("chat_id"))
        order = sorted(channel.admins, key=lambda uid: channel.admins[uid] != "creator")
        admins = [self._channel_member(channel, uid) for uid in order]
        return [*admins, self._bot_member(channel)]

    def _get_chat_member(self, rq: ApiRequest) -> dict[str, Any]:
        user_id = int(rq.get("user_id") or 0)
        chat = self._resolve_chat(rq.get("chat_id"))
        if isinstance(chat, FakeUser):
            if user_id not in (chat.id, BOT_ID):
                raise _bad("user not found")
            return {"status": "member", "user": BOT_USER if user_id == BOT_ID else chat.api()}
        if user_id != BOT_ID:
            self._member_list(chat.id)
        return self._channel_member(chat, user_id)

    def _get_chat_member_count(self, rq: ApiRequest) -> int:
        chat = self._resolve_chat(rq.get("chat_id"))
        return chat.subscribers if isinstance(chat, FakeChannel) else 2

    def _leave_chat(self, rq: ApiRequest) -> bool:
        chat = self._resolve_chat(rq.get("chat_id"))
        if isinstance(chat, FakeUser):
            raise _bad("chat member status can't be changed in private chats")
        if chat.bot_status != "administrator":
            raise _forbidden("bot is not a member of the channel chat")
        old = self._bot_member(chat)
        chat.bot_status = "left"
        update = self._member_update(chat, BOT_USER, old, self._bot_member(chat))
        # Telegram tells the bot it left; the update comes with the next getUpdates.
        self._updates.append({"update_id": next(self._update_ids), "my_chat_member": update})
        return True

    def _create_chat_invite_link(self, rq: ApiRequest) -> dict[str, Any]:
        chat = self._resolve_chat(rq.get("chat_id"))
        if not (
            isinstance(chat, FakeChannel)
            and chat.bot_status == "administrator"
            and chat.bot_rights.get("can_invite_users")
        ):
            raise _bad("not enough rights to manage chat invite link")
        if len(str(rq.get("name") or "")) > 32:
            raise _bad("INVITE_LINK_NAME_INVALID")
        link = _compact(
            invite_link=f"https://t.me/+{secrets.token_urlsafe(12)}",
            creator=BOT_USER,
            creates_join_request=rq.get("creates_join_request") is True,
            is_primary=False,
            is_revoked=False,
            name=rq.get("name"),
            expire_date=rq.get("expire_date"),
            member_limit=rq.get("member_limit"),
        )
        chat.invite_links[link["invite_link"]] = link
        return link

    def _invoice(self, rq: ApiRequest) -> dict[str, Any]:
        """Validate invoice parameters; returns the Invoice object."""
        if not 1 <= len(str(rq.get("title") or "")) <= 32:
            raise _bad("TITLE_INVALID")
        if not 1 <= len(str(rq.get("description") or "")) <= 255:
            raise _bad("DESCRIPTION_INVALID")
        if not 1 <= len(str(rq.get("payload") or "").encode()) <= 128:
            raise _bad("INVOICE_PAYLOAD_INVALID")
        prices = rq.get("prices")
        if not isinstance(prices, list) or not prices:
            raise _bad("can't parse prices JSON object")
        amounts = [p.get("amount") if isinstance(p, dict) else None for p in prices]
        if not all(isinstance(a, int) for a in amounts) or sum(amounts) <= 0:
            raise _bad("CURRENCY_TOTAL_AMOUNT_INVALID")
        currency = str(rq.get("currency") or "")
        if currency == "XTR" and (rq.get("provider_token") or len(prices) != 1):
            raise _bad("STARS_INVOICE_INVALID")
        return {
            "title": rq.get("title"),
            "description": rq.get("description"),
            "start_parameter": str(rq.get("start_parameter") or ""),
            "currency": currency,
            "total_amount": sum(amounts),
        }

    def _send_invoice(self, rq: ApiRequest) -> dict[str, Any]:
        invoice = self._invoice(rq)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        chat = self._writable_chat(rq.get("chat_id"))
        return self._bot_message(rq, chat, markup, invoice=invoice)

    def _create_invoice_link(self, rq: ApiRequest) -> str:
        self._invoice(rq)
        link = f"https://t.me/${secrets.token_urlsafe(16)}"
        self.invoice_links[link] = dict(rq.params)
        return link

    def _answer_pre_checkout_query(self, rq: ApiRequest) -> bool:
        query_id = str(rq.get("pre_checkout_query_id"))
        if query_id not in self._pre_checkouts or query_id in self.pre_checkout_answers:
            raise _bad(_QUERY_INVALID)
        if rq.get("ok") is not True and not rq.get("error_message"):
            raise _bad("ERROR_MESSAGE_EMPTY")
        keys = ("ok", "error_message")
        self.pre_checkout_answers[query_id] = {k: rq.params[k] for k in keys if k in rq.params}
        return True

    def _refund_star_payment(self, rq: ApiRequest) -> bool:
        charge = self._charges.get(str(rq.get("telegram_payment_charge_id")))
        if charge is None or charge["user_id"] != rq.get("user_id"):
            raise _bad("CHARGE_NOT_FOUND")
        if charge["refunded"]:
            raise _bad("CHARGE_ALREADY_REFUNDED")
        charge["refunded"] = True
        return True


def _admin_member(user: dict[str, Any], rights: Mapping[str, bool]) -> dict[str, Any]:
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": False,
        **rights,
    }


def _reaction_type(key: str) -> dict[str, Any]:
    if key == "paid":
        return {"type": "paid"}
    if key.startswith("custom:"):
        return {"type": "custom_emoji", "custom_emoji_id": key.removeprefix("custom:")}
    return {"type": "emoji", "emoji": key}


@functools.cache
def _response_type(method_cls: Any) -> Any:
    from aiogram.methods import Response

    return Response[method_cls.__returning__]
