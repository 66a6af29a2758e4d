"""Telegram's HTML parse mode: text and entities, with Telegram's refusals."""

from __future__ import annotations

import html
import re
import typing
from collections.abc import Callable
from typing import Any, Final

from .errors import _bad
from .helpers import utf16_len

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
