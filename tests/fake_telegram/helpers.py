"""Small helpers shared by the parts of the fake."""

from __future__ import annotations

import functools
import io
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any


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
