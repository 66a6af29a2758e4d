"""What the services need from Telegram (TelegramGateway, StarsGateway, BillingNotifier),
implemented with aiogram's Bot."""

import io
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
)

from bot.i18n_texts import billing as billing_texts
from services.billing import BillingNotice
from services.i18n import Catalogs
from services.stars import ChargeAlreadyRefunded, RefundRefused
from services.telegram import ChatAdmins, ChatInfo, ChatUnavailable, FileTooBig, FileUnavailable

log = logging.getLogger(__name__)

# What Telegram answers when a chat is gone, unknown, or hidden from the bot.
_UNAVAILABLE = (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound)


class AiogramTelegramGateway:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def get_chat(self, chat_ref: int | str) -> ChatInfo:
        try:
            chat = await self._bot.get_chat(chat_ref)
        except _UNAVAILABLE as error:
            raise ChatUnavailable(str(chat_ref)) from error
        title = chat.title or chat.full_name or str(chat.id)
        return ChatInfo(id=chat.id, type=chat.type, title=title, username=chat.username)

    async def get_admins(self, chat_id: int) -> ChatAdmins:
        try:
            members = await self._bot.get_chat_administrators(chat_id)
        except _UNAVAILABLE as error:
            raise ChatUnavailable(str(chat_id)) from error
        return ChatAdmins(
            human_ids=frozenset(m.user.id for m in members if not m.user.is_bot),
            bot_is_admin=any(m.user.id == self._bot.id for m in members),
        )

    async def get_member_count(self, chat_id: int) -> int:
        try:
            return await self._bot.get_chat_member_count(chat_id)
        except _UNAVAILABLE as error:
            raise ChatUnavailable(str(chat_id)) from error

    async def download_file(self, file_id: str) -> bytes:
        try:
            file = await self._bot.get_file(file_id)
        except TelegramBadRequest as error:
            if "too big" in error.message:
                raise FileTooBig(file_id) from error
            raise FileUnavailable(file_id) from error
        except TelegramAPIError as error:
            raise FileUnavailable(file_id) from error
        if file.file_path is None:  # Telegram gives no path for what bots may not download
            raise FileTooBig(file_id)
        buffer = io.BytesIO()
        try:
            await self._bot.download_file(file.file_path, destination=buffer)
        except (TelegramAPIError, aiohttp.ClientError, TimeoutError) as error:
            raise FileUnavailable(file_id) from error
        return buffer.getvalue()

    async def refund_star_payment(self, *, user_id: int, charge_id: str) -> None:
        try:
            await self._bot.refund_star_payment(
                user_id=user_id, telegram_payment_charge_id=charge_id
            )
        except TelegramBadRequest as error:
            if "CHARGE_ALREADY_REFUNDED" in error.message:
                raise ChargeAlreadyRefunded(charge_id) from error
            raise RefundRefused(error.message) from error


class AiogramBillingNotifier:
    """Tells users about their plan in their private chat with the bot, in their language.

    `locale_of` finds a user's language; notices come from background work, outside any update.
    """

    def __init__(
        self, bot: Bot, catalogs: Catalogs, locale_of: Callable[[int], Awaitable[str]]
    ) -> None:
        self._bot = bot
        self._catalogs = catalogs
        self._locale_of = locale_of

    async def send_notice(self, notice: BillingNotice) -> None:
        t = self._catalogs.translator(await self._locale_of(notice.user_id))
        try:
            await self._bot.send_message(notice.user_id, billing_texts.billing_notice(t, notice))
        except _UNAVAILABLE as error:
            # Blocked the bot, or never started it: the plan changed all the same.
            log.info("could not tell user %s (%s): %s", notice.user_id, notice.kind, error)
