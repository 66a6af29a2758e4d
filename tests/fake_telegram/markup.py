"""Reply markup checks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .constants import _BUTTON_ACTIONS
from .errors import _bad
from .web_apps import web_app_url_ok


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
    elif actions[0] == "web_app" and not web_app_url_ok((button["web_app"] or {}).get("url")):
        raise _bad(prefix + "Web App URL is invalid: Only HTTPS links are allowed")


def _valid_button_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return bool(parts.hostname)
    return parts.scheme == "tg" and bool(parts.netloc or parts.path)
