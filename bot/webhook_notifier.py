"""The services' WebhookNotifier, implemented with aiogram: an endpoint was disabled."""

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import LinkPreviewOptions

from bot.i18n_texts import webhooks as texts
from bot.session import flood_waits_left_to_caller
from services.domain.webhooks import DisabledEndpoint
from services.i18n import Catalogs
from services.outgoing import FloodWait, MessageRejected, RecipientBlocked


class AiogramWebhookNotifier:
    def __init__(self, bot: Bot, catalogs: Catalogs) -> None:
        self._bot = bot
        self._catalogs = catalogs

    async def endpoint_disabled(self, endpoint: DisabledEndpoint, locale: str) -> None:
        t = self._catalogs.translator(locale)
        try:
            with flood_waits_left_to_caller():
                await self._bot.send_message(
                    endpoint.owner_id,
                    texts.disabled_notice(t, endpoint),
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
        except TelegramRetryAfter as error:
            raise FloodWait(error.retry_after) from error
        except TelegramForbiddenError as error:
            raise RecipientBlocked(error.message) from error
        except TelegramBadRequest as error:
            raise MessageRejected(error.message) from error
