"""/channels, /add and /remove, and their buttons."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ChannelAction, ChannelCb, ListKind, PageCb, RemoveCb, RemoveMode
from bot.handlers.common import ButtonChannel, CommandChannel, message_of, show_in_place
from bot.i18n_texts import channels as texts
from bot.i18n_texts.common import NO_CHANNELS
from bot.keyboards import channels_keyboard, remove_confirm_keyboard
from bot.paging import page_of
from services.channels import ChannelService
from services.clock import Clock
from services.config import Settings
from services.domain.channels import ChannelRecord
from services.domain.users import UserRecord
from services.i18n import Translator


async def _channels_page(
    t: Translator,
    user: UserRecord,
    channels: ChannelService,
    clock: Clock,
    settings: Settings,
    number: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `number` of the user's channels, as text and its keyboard."""
    summaries = await channels.list_for_user(user_id=user.id)
    if not summaries:
        return t(NO_CHANNELS), None
    page = page_of(summaries, number)
    keyboard = channels_keyboard(t, page, with_stats=settings.feature_analytics)
    return texts.channel_list(t, page, clock.now()), keyboard


async def list_channels(
    message: Message,
    user: UserRecord,
    channels: ChannelService,
    clock: Clock,
    settings: Settings,
    t: Translator,
):
    text, keyboard = await _channels_page(t, user, channels, clock, settings, 1)
    await message.answer(text, reply_markup=keyboard)


async def on_page(
    query: CallbackQuery,
    callback_data: PageCb,
    user: UserRecord,
    channels: ChannelService,
    clock: Clock,
    settings: Settings,
    t: Translator,
) -> None:
    text, keyboard = await _channels_page(t, user, channels, clock, settings, callback_data.page)
    await show_in_place(query, text, keyboard)


async def add_channel(
    message: Message,
    command: CommandObject,
    user: UserRecord,
    channels: ChannelService,
    t: Translator,
) -> None:
    if not command.args:
        await message.answer(t(texts.ADD_USAGE))
        return
    result = await channels.add_for_user(user_id=user.id, ref=command.args)
    await message.answer(
        texts.channel_now_tracked(t, result.channel, was_tracked=result.was_tracked)
    )


async def ask_to_remove(
    event: Message | CallbackQuery, channel: ChannelRecord, t: Translator
) -> None:
    """/remove, or Remove under /channels: keep the data or delete it?"""
    chat = await message_of(event)
    await chat.answer(
        texts.remove_confirm(t, channel), reply_markup=remove_confirm_keyboard(t, channel.id)
    )


async def on_resume_button(
    query: CallbackQuery,
    callback_data: ChannelCb,
    user: UserRecord,
    channels: ChannelService,
    t: Translator,
) -> None:
    result = await channels.add_for_user(user_id=user.id, ref=str(callback_data.channel_id))
    await query.message.answer(
        texts.channel_now_tracked(t, result.channel, was_tracked=result.was_tracked)
    )
    await query.answer()


async def on_remove_cancelled(query: CallbackQuery, t: Translator) -> None:
    await query.message.edit_text(t(texts.REMOVE_CANCELLED))
    await query.answer()


async def on_remove_confirmed(
    query: CallbackQuery,
    callback_data: RemoveCb,
    channel: ChannelRecord,
    user: UserRecord,
    channels: ChannelService,
    t: Translator,
) -> None:
    deleted = callback_data.mode is RemoveMode.DELETE
    await channels.stop_tracking(user_id=user.id, channel_id=channel.id, delete_data=deleted)
    await query.message.edit_text(texts.removed(t, channel, deleted=deleted))
    await query.answer()


def create_router() -> Router:
    router = Router(name="channels")
    router.message.register(list_channels, Command("channels"))
    router.message.register(add_channel, Command("add"))
    router.message.register(ask_to_remove, Command("remove"), CommandChannel(ChannelAction.REMOVE))
    # ChannelAction.STATS buttons belong to the stats router.
    router.callback_query.register(
        ask_to_remove, ChannelCb.filter(F.action == ChannelAction.REMOVE), ButtonChannel()
    )
    router.callback_query.register(
        on_resume_button, ChannelCb.filter(F.action == ChannelAction.RESUME)
    )
    router.callback_query.register(
        on_remove_cancelled, RemoveCb.filter(F.mode == RemoveMode.CANCEL)
    )
    router.callback_query.register(on_remove_confirmed, RemoveCb.filter(), ButtonChannel())
    router.callback_query.register(on_page, PageCb.filter(F.kind == ListKind.CHANNELS))
    return router
