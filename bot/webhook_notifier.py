"""The services' WebhookNotifier, implemented with aiogram: an endpoint was disabled."""

from aiogram import Bot
from aiogram.types import LinkPreviewOptions

from bot.alert_sender import refusals_for_the_queue
from bot.i18n_texts import webhooks as texts
from services.domain.webhooks import DisabledEndpoint
from services.i18n import Catalogs


class AiogramWebhookNotifier:
    def __init__(self, bot: Bot, catalogs: Catalogs) -> None:
        self._bot = bot
        self._catalogs = catalogs

    async def endpoint_disabled(self, endpoint: DisabledEndpoint, locale: str) -> None:
        t = self._catalogs.translator(locale)
        with refusals_for_the_queue():
            await self._bot.send_message(
                endpoint.owner_id,
                texts.disabled_notice(t, endpoint),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
