"""The insights service's DigestSender, implemented with aiogram: the weekly digest message."""

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import LinkPreviewOptions

from bot.i18n_texts import insights as insights_texts
from bot.session import flood_waits_left_to_caller
from services.i18n import Catalogs
from services.insights.service import WeeklyDigest
from services.outgoing import FloodWait, MessageRejected, RecipientBlocked


class AiogramDigestSender:
    def __init__(
        self, bot: Bot, catalogs: Catalogs, user_locale: Callable[[int], Awaitable[str]]
    ) -> None:
        self._bot = bot
        self._catalogs = catalogs
        self._user_locale = user_locale

    async def send_digest(self, digest: WeeklyDigest) -> None:
        """Send in the owner's language; Telegram's refusals as the outgoing queue knows them."""
        t = self._catalogs.translator(await self._user_locale(digest.user_id))
        try:
            with flood_waits_left_to_caller():
                await self._bot.send_message(
                    digest.user_id,
                    insights_texts.digest_message(t, digest),
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
        except TelegramRetryAfter as error:
            raise FloodWait(error.retry_after) from error
        except TelegramForbiddenError as error:
            raise RecipientBlocked(error.message) from error
        except TelegramBadRequest as error:
            raise MessageRejected(error.message) from error
