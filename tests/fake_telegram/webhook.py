"""Webhook mode, as Telegram does it: setWebhook, getWebhookInfo, deleteWebhook, and updates
delivered by POST to the registered URL with the secret token."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from .errors import ApiError, _bad
from .records import ApiRequest, Handler

# FakeTelegram calls in from __init__, stop, _default_methods, _get_updates (409 while a webhook
# is set) and _send_updates (a POST instead of a poll while one is set).

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

    async def redeliver(self) -> None:
        """Telegram tries again: POST the updates the bot refused (still pending) once more."""
        await self._deliver_to_webhook([u["update_id"] for u in self._updates])

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
