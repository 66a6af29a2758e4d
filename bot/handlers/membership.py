"""The bot being made admin of a channel, or removed from it, and admins losing their rights."""

import logging

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import (
    ADMINISTRATOR,
    CREATOR,
    KICKED,
    LEFT,
    MEMBER,
    RESTRICTED,
    ChatMemberUpdatedFilter,
)
from aiogram.types import ChatMemberUpdated

from bot.i18n_texts import channels as channels_texts
from bot.i18n_texts import plans as plans_texts
from bot.keyboards import upgrade_keyboard
from services.channels import ChannelService
from services.entitlements import LimitReached
from services.i18n import Catalogs, Translator, user_locale
from services.telegram import ChatUnavailable
from services.users import UserService

log = logging.getLogger(__name__)


async def _tell(bot: Bot, user_id: int, text: str, reply_markup=None) -> None:
    """Message a user privately; they may never have started the bot, which is fine."""
    try:
        await bot.send_message(user_id, text, reply_markup=reply_markup)
    except (TelegramForbiddenError, TelegramBadRequest) as error:
        log.info("could not message user %s: %s", user_id, error.message)


async def on_bot_membership(
    event: ChatMemberUpdated,
    bot: Bot,
    channels: ChannelService,
    users: UserService,
    catalogs: Catalogs,
    t: Translator,
) -> None:
    chat = event.chat
    status = event.new_chat_member.status
    if status == ChatMemberStatus.ADMINISTRATOR:
        adder = event.from_user
        adder_record = await users.remember(
            user_id=adder.id,
            username=adder.username,
            first_name=adder.first_name,
            language_code=adder.language_code,
        )
        # The adder may have chosen a language in /settings; their Telegram's is only a default.
        to_adder = catalogs.translator(
            user_locale(
                chosen_language=adder_record.chosen_language,
                language_code=adder_record.language_code,
            )
        )
        try:
            result = await channels.on_bot_promoted(
                channel_id=chat.id,
                title=chat.title or str(chat.id),
                username=chat.username,
                added_by=adder.id,
            )
        except ChatUnavailable:
            log.warning("made admin of channel %s but cannot read its admins", chat.id)
            return
        except LimitReached as error:
            # A channel's update, not the adder's chat: the errors router has no one to answer.
            text = plans_texts.limit_reached(to_adder, error)
            await _tell(bot, adder.id, text, upgrade_keyboard(to_adder))
            return
        if result.user_linked:
            await _tell(
                bot,
                adder.id,
                channels_texts.channel_now_tracked(
                    to_adder, result.channel, was_tracked=result.was_tracked
                ),
            )
    else:
        await channels.on_bot_removed(channel_id=chat.id)
        if event.old_chat_member.status == ChatMemberStatus.ADMINISTRATOR:
            text = channels_texts.bot_removed_from_channel(t, chat.title or "")
            await _tell(bot, event.from_user.id, text)


async def on_admin_lost(event: ChatMemberUpdated, channels: ChannelService) -> None:
    """Telegram tells the moment an admin is demoted or leaves: access ends now, not at the
    hourly re-check."""
    await channels.recheck_admins(channel_id=event.chat.id)
    # Ingestion, after this router, still counts an admin who left the channel as a leave.
    raise SkipHandler


def create_router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.register(on_bot_membership, F.chat.type == "channel")
    router.chat_member.register(
        on_admin_lost,
        F.chat.type == "channel",
        ChatMemberUpdatedFilter((CREATOR | ADMINISTRATOR) >> (MEMBER | RESTRICTED | LEFT | KICKED)),
    )
    return router
