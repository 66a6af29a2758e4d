"""Mini Apps: the menu button the bot sets, and the initData Telegram signs for an opened app.

core.telegram.org/bots/webapps: a Web App URL must be HTTPS; initData is a query string
(query_id, user as JSON, auth_date, hash, ...) whose hash is the hex
HMAC-SHA256(data_check_string, HMAC-SHA256("WebAppData", bot_token)), data_check_string
being the other fields as sorted key=value lines. Computed here on its own, so the bot's
validation is checked against Telegram's rule rather than against itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from aiohttp import web

from .constants import BOT_TOKEN
from .errors import _bad
from .records import ApiRequest, FakeUser

_SCRIPT = Path(__file__).with_name("telegram-web-app.js")
SCRIPT_PATH = "/js/telegram-web-app.js"
# Telegram's default themes as the client hands them to an app (a subset of themeParams).
LIGHT_THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
}
DARK_THEME = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#181818",
}


def web_app_url_ok(url: Any) -> bool:
    return isinstance(url, str) and urlsplit(url).scheme == "https" and bool(urlsplit(url).hostname)


class WebAppMethods:
    menu_buttons: dict[int | None, dict[str, Any]]  # chat id (None: the default) -> MenuButton
    users: dict[int, FakeUser]

    base_url: str

    @property
    def web_app_script_url(self) -> str:
        """Where the stand-in for telegram.org's telegram-web-app.js is served."""
        return self.base_url + SCRIPT_PATH

    @staticmethod
    async def _web_app_script(_: web.Request) -> web.Response:
        return web.Response(body=_SCRIPT.read_bytes(), content_type="text/javascript")

    def launch_url(self, url: str, init_data: str, *, theme: dict[str, str] = LIGHT_THEME) -> str:
        """The address the client opens an app at: its URL and the launch parameters in the
        hash, as Telegram passes them (tgWebAppData, tgWebAppVersion, tgWebAppThemeParams)."""
        launch = {
            "tgWebAppData": init_data,
            "tgWebAppVersion": "8.0",
            "tgWebAppPlatform": "ios",
            "tgWebAppThemeParams": json.dumps(theme, separators=(",", ":")),
        }
        return url + "#" + urlencode(launch, quote_via=quote)

    def _web_app_methods(self) -> dict[str, Any]:
        self.menu_buttons = {}
        return {
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
        }

    def _set_chat_menu_button(self, rq: ApiRequest) -> bool:
        button = rq.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise _bad("can't parse menu button JSON object")
        if button["type"] == "web_app":
            if not str(button.get("text", "")).strip():
                raise _bad("BUTTON_TEXT_INVALID")
            if not web_app_url_ok((button.get("web_app") or {}).get("url")):
                raise _bad("BUTTON_URL_INVALID")
        chat_id = rq.get("chat_id")
        # A chat's own button: only a private chat's (Bot API: "target private chat").
        if chat_id is not None and int(chat_id) not in self.users:
            raise _bad("chat not found")
        self.menu_buttons[None if chat_id is None else int(chat_id)] = button
        return True

    def _get_chat_menu_button(self, rq: ApiRequest) -> dict[str, Any]:
        chat_id = rq.get("chat_id")
        chat = None if chat_id is None else int(chat_id)
        return self.menu_buttons.get(chat, self.menu_buttons.get(None)) or {"type": "default"}

    def init_data(
        self,
        user: FakeUser,
        *,
        auth_date: datetime,
        bot_token: str = BOT_TOKEN,
        hash_override: str | None = None,
    ) -> str:
        """What Telegram hands an app the user opened from this bot (or, with another
        `bot_token`, from another bot) at `auth_date`; `hash_override` forges the hash."""
        fields = {
            "query_id": "AAH" + secrets.token_hex(8),
            "user": json.dumps(user.api() | {"allows_write_to_pm": True}, separators=(",", ":")),
            "auth_date": str(int(auth_date.timestamp())),
            "signature": secrets.token_urlsafe(64),
        }
        check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
        secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
        fields["hash"] = (
            hash_override or hmac.new(secret_key, check.encode(), hashlib.sha256).hexdigest()
        )
        return urlencode(fields)
