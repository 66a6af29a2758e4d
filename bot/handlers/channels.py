"""/channels, /add and /remove, and their buttons."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ChannelAction, ChannelCb, ListKind, PageCb, RemoveCb, RemoveMode
from bot.handlers.common import (
    access_error_text,
    answer_access_error,
    answer_limit_reached,
    plain_alert,
    show_in_place,
)
from bot.i18n_texts import channels as texts
from bot.i18n_texts.common import NO_CHANNELS
from bot.keyboards import channels_keyboard, remove_confirm_keyboard
from bot.paging import page_of
from services.channels import ChannelAccessError, ChannelService
from services.clock import Clock
from services.config import Settings
from services.domain.users import UserRecord
from services.entitlements import LimitReached
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
    await query.answer()


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
    try:
        result = await channels.add_for_user(user_id=user.id, ref=command.args)
    except ChannelAccessError as error:
        await message.answer(access_error_text(t, error))
        return
    except LimitReached as error:
        await answer_limit_reached(t, message, error)
        return
    await message.answer(
        texts.channel_now_tracked(t, result.channel, was_tracked=result.was_tracked)
    )


async def remove_channel(
    message: Message,
    command: CommandObject,
    user: UserRecord,
    channels: ChannelService,
    t: Translator,
) -> None:
    try:
        channel = await channels.resolve_for_user(user_id=user.id, ref=command.args)
    except ChannelAccessError as error:
        await answer_access_error(t, message, error, choose_action=ChannelAction.REMOVE)
        return
    await message.answer(
        texts.remove_confirm(t, channel), reply_markup=remove_confirm_keyboard(t, channel.id)
    )


async def on_channel_button(
    query: CallbackQuery,
    callback_data: ChannelCb,
    user: UserRecord,
    channels: ChannelService,
    t: Translator,
) -> None:
    try:
        if callback_data.action is ChannelAction.REMOVE:
            channel = await channels.require_admin(
                user_id=user.id, channel_id=callback_data.channel_id
            )
            await query.message.answer(
                texts.remove_confirm(t, channel),
                reply_markup=remove_confirm_keyboard(t, channel.id),
            )
        else:
            result = await channels.add_for_user(user_id=user.id, ref=str(callback_data.channel_id))
            await query.message.answer(
                texts.channel_now_tracked(t, result.channel, was_tracked=result.was_tracked)
            )
    except ChannelAccessError as error:
        await query.answer(plain_alert(access_error_text(t, error)), show_alert=True)
        return
    except LimitReached as error:
        await answer_limit_reached(t, query, error)
        return
    await query.answer()


async def on_remove_confirmed(
    query: CallbackQuery,
    callback_data: RemoveCb,
    user: UserRecord,
    channels: ChannelService,
    t: Translator,
) -> None:
    if callback_data.mode is RemoveMode.CANCEL:
        await query.message.edit_text(t(texts.REMOVE_CANCELLED))
        await query.answer()
        return
    deleted = callback_data.mode is RemoveMode.DELETE
    try:
        channel = await channels.require_admin(user_id=user.id, channel_id=callback_data.channel_id)
        await channels.stop_tracking(user_id=user.id, channel_id=channel.id, delete_data=deleted)
    except ChannelAccessError as error:
        await query.answer(plain_alert(access_error_text(t, error)), show_alert=True)
        return
    await query.message.edit_text(texts.removed(t, channel, deleted=deleted))
    await query.answer()


def create_router() -> Router:
    router = Router(name="channels")
    router.message.filter(F.chat.type == "private")
    router.message.register(list_channels, Command("channels"))
    router.message.register(add_channel, Command("add"))
    router.message.register(remove_channel, Command("remove"))
    # ChannelAction.STATS buttons belong to the stats router.
    router.callback_query.register(
        on_channel_button,
        ChannelCb.filter(F.action.in_({ChannelAction.REMOVE, ChannelAction.RESUME})),
    )
    router.callback_query.register(on_remove_confirmed, RemoveCb.filter())
    router.callback_query.register(on_page, PageCb.filter(F.kind == ListKind.CHANNELS))
    return router
