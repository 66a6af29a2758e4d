"""Webhook mode: the secret Telegram sends with every update, the same for every process."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.polling import INGESTED_UPDATES
from services.config import Settings
from services.installation_secrets import kept_secret

SECRET_FILE_NAME = "webhook_secret"
# The header Telegram puts the secret_token in; SimpleRequestHandler refuses others with 401.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or the one kept in DATA_DIR, made there on first use.

    Processes sharing DATA_DIR share the file; ones on other machines need WEBHOOK_SECRET set.
    """
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return kept_secret(settings.data_dir / SECRET_FILE_NAME)


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
