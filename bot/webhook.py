"""Webhook mode: the secret Telegram sends with every update, the same for every process."""

import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.polling import INGESTED_UPDATES
from services.config import WEBHOOK_SECRET_PATTERN, Settings

log = logging.getLogger(__name__)

SECRET_FILE_NAME = "webhook_secret"
# The header Telegram puts the secret_token in; SimpleRequestHandler refuses others with 401.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or the one kept in DATA_DIR, made there on first use.

    Processes sharing DATA_DIR share the file; ones on other machines need WEBHOOK_SECRET set.
    """
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    path = settings.data_dir / SECRET_FILE_NAME
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        return _create_secret(path)
    if not WEBHOOK_SECRET_PATTERN.fullmatch(kept):
        raise ValueError(f"{path} does not hold a webhook secret; delete it to make a new one")
    return kept


def _create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    draft = path.with_name(f"{path.name}.{os.getpid()}")
    draft.write_text(secret + "\n")
    draft.chmod(0o600)
    try:
        # A link is made whole or not at all: of two processes starting at once, one puts its
        # secret in place and the other reads that one.
        os.link(draft, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        draft.unlink()
    log.info("made a webhook secret in %s", path)
    return secret


class StoringRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler, answering a channel update with 200 only once it is stored.

    A channel update's handler only buffers its rows; `store` writes the buffer (with whatever
    concurrent requests added: one write for all). If that fails, the answer is 503 and
    Telegram sends the update again; the rows stay buffered, and a second copy of the update is
    stored once (db.ingestion keys each row by what it is).
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        store: Callable[[], Awaitable[bool]],
        **kwargs: Any,
    ) -> None:
        super().__init__(dispatcher, bot, **kwargs)
        self._store = store

    async def handle(self, request: web.Request) -> web.Response:
        response = await super().handle(request)
        if response.status != 200 or not INGESTED_UPDATES & (await request.json()).keys():
            return response
        if not await self._store():
            return web.Response(status=503, text="not stored yet, send it again")
        return response
