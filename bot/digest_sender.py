"""The insights service's DigestSender, implemented with aiogram: the weekly digest message."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.types import LinkPreviewOptions

from bot.alert_sender import refusals_for_the_queue
from bot.i18n_texts import insights as insights_texts
from services.i18n import Catalogs
from services.insights.service import WeeklyDigest


@dataclass(frozen=True)
class AiogramDigestSender:
    bot: Bot
    catalogs: Catalogs
    user_locale: Callable[[int], Awaitable[str]]

    async def send_digest(self, digest: WeeklyDigest) -> None:
        """Send in the owner's language; Telegram's refusals as the outgoing queue knows them."""
        t = self.catalogs.translator(await self.user_locale(digest.user_id))
        with refusals_for_the_queue():
            await self.bot.send_message(
                digest.user_id,
                insights_texts.digest_message(t, digest),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
