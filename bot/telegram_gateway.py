"""What the services need from Telegram (TelegramGateway, StarsGateway, BillingNotifier),
implemented with aiogram's Bot."""

import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
)

from bot.alert_sender import refusals_for_the_queue
from bot.i18n_texts import billing as billing_texts
from services.billing import BillingNotice
from services.i18n import Catalogs
from services.sources import InviteRightMissing, LinkGone, LinkNotMadeByBot
from services.stars import ChargeAlreadyRefunded, RefundRefused
from services.telegram import ChatAdmins, ChatInfo, ChatUnavailable, FileTooBig, FileUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

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

    async def create_invite_link(
        self,
        chat_id: int,
        *,
        name: str,
        expire_date: datetime | None,
        member_limit: int | None,
        creates_join_request: bool,
    ) -> str:
        link = await _managing_links(
            chat_id,
            self._bot.create_chat_invite_link(
                chat_id,
                name=name,
                expire_date=expire_date,
                member_limit=member_limit,
                creates_join_request=creates_join_request or None,
            ),
        )
        return link.invite_link

    async def revoke_invite_link(self, chat_id: int, url: str) -> None:
        await _managing_links(chat_id, self._bot.revoke_chat_invite_link(chat_id, url))

    async def approve_join_request(self, chat_id: int, user_id: int) -> None:
        await _managing_links(chat_id, self._bot.approve_chat_join_request(chat_id, user_id))

    async def send_welcome(self, user_chat_id: int, text: str) -> None:
        with refusals_for_the_queue():
            # The owner's own words: sent as they typed them, no markup read into them.
            await self._bot.send_message(user_chat_id, text, parse_mode=None)

    async def refund_star_payment(self, *, user_id: int, charge_id: str) -> None:
        try:
            await self._bot.refund_star_payment(
                user_id=user_id, telegram_payment_charge_id=charge_id
            )
        except TelegramBadRequest as error:
            if "CHARGE_ALREADY_REFUNDED" in error.message:
                raise ChargeAlreadyRefunded(charge_id) from error
            raise RefundRefused(error.message) from error


async def _managing_links(chat_id: int, call: Awaitable[T]) -> T:
    """An invite-link method's answer, or Telegram's refusal as the services name it."""
    try:
        return await call
    except TelegramBadRequest as error:
        raise _invite_refusal(error, chat_id) from error
    except _UNAVAILABLE as error:
        raise ChatUnavailable(str(chat_id)) from error


def _invite_refusal(error: TelegramBadRequest, chat_id: int) -> Exception:
    """Telegram's refusal of an invite-link method as the services name it."""
    message = error.message
    if "CHAT_ADMIN_REQUIRED" in message:  # another admin's link: only they can change it
        return LinkNotMadeByBot(str(chat_id))
    if "not enough rights" in message:  # the bot lacks can_invite_users
        return InviteRightMissing(str(chat_id))
    if "INVITE_HASH_EXPIRED" in message or "HIDE_REQUESTER_MISSING" in message:
        return LinkGone(str(chat_id))
    return ChatUnavailable(str(chat_id))


@dataclass(frozen=True)
class AiogramBillingNotifier:
    """Tells users about their plan in their private chat with the bot, in their language.

    `locale_of` finds a user's language; notices come from background work, outside any update.
    """

    bot: Bot
    catalogs: Catalogs
    locale_of: Callable[[int], Awaitable[str]]

    async def send_notice(self, notice: BillingNotice) -> None:
        t = self.catalogs.translator(await self.locale_of(notice.user_id))
        try:
            await self.bot.send_message(notice.user_id, billing_texts.billing_notice(t, notice))
        except _UNAVAILABLE as error:
            # Blocked the bot, or never started it: the plan changed all the same.
            log.info("could not tell user %s (%s): %s", notice.user_id, notice.kind, error)
