"""/watch, /check, /compare and the buttons under copy alerts."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.callbacks import CompareCb, CopyAction, CopyCb, ListKind, PageCb, WatchCb
from bot.handlers.common import (
    ANYTHING_BUT_A_COMMAND,
    NO_PREVIEW,
    ButtonChannel,
    resolve_channel,
    show_in_place,
)
from bot.i18n_texts import copies as texts
from bot.keyboards import watched_keyboard
from bot.paging import page_of
from services.channels import ChannelService
from services.charts import ChartService
from services.copies import (
    COMPARE_PERIODS,
    DEFAULT_COMPARE_DAYS,
    CopyAlertGone,
    CopyService,
    WatchRefused,
)
from services.domain.users import UserRecord
from services.i18n import Translator


class CheckPost(StatesGroup):
    waiting = State()


async def _watched_page(t: Translator, user: UserRecord, copies: CopyService, number: int):
    page = page_of(await copies.list_watched(user_id=user.id), number)
    return texts.watched_list(t, page), watched_keyboard(t, page)


async def on_watch(
    message: Message, command: CommandObject, t: Translator, user: UserRecord, copies: CopyService
) -> None:
    if not command.args:
        text, keyboard = await _watched_page(t, user, copies, 1)
        await message.answer(text, reply_markup=keyboard)
        return
    # Reading the preview and the photos on it takes a moment.
    async with ChatActionSender.typing(chat_id=message.chat.id, bot=message.bot):
        try:
            added = await copies.watch(user_id=user.id, reference=command.args)
        except WatchRefused as error:
            await message.answer(texts.watch_refused(t, error))
            return
    if added.added:
        await message.answer(texts.watch_added(t, added.channel, added.posts_read))
    else:
        await message.answer(t(texts.WATCH_ALREADY, username=added.channel.username))


async def on_list_button(
    query: CallbackQuery,
    callback_data: WatchCb | PageCb,
    t: Translator,
    user: UserRecord,
    copies: CopyService,
) -> None:
    """Remove under /watch's list, or a page turn: the page is shown again."""
    removing = isinstance(callback_data, WatchCb)
    if removing and not await copies.unwatch(user_id=user.id, watched_id=callback_data.watched_id):
        await query.answer(t(texts.WATCH_GONE), show_alert=True)
        return
    text, keyboard = await _watched_page(t, user, copies, callback_data.page)
    await show_in_place(query, text, keyboard, answer=t(texts.WATCH_REMOVED) if removing else None)


async def on_copy_button(
    query: CallbackQuery,
    callback_data: CopyCb,
    t: Translator,
    user: UserRecord,
    copies: CopyService,
) -> None:
    try:
        if callback_data.action is CopyAction.NOT_A_COPY:
            await copies.dismiss(user_id=user.id, firing_id=callback_data.firing_id)
            await query.answer(t(texts.DISMISSED), show_alert=True)
        else:
            watched = await copies.ignore_channel(
                user_id=user.id, firing_id=callback_data.firing_id
            )
            await query.answer(t(texts.IGNORED, watched=watched), show_alert=True)
    except CopyAlertGone:
        await query.answer(t(texts.ALERT_GONE), show_alert=True)


async def on_check(message: Message, state: FSMContext, t: Translator) -> None:
    await state.set_state(CheckPost.waiting)
    await message.answer(t(texts.CHECK_ASK))


async def on_checked_post(
    message: Message, state: FSMContext, t: Translator, user: UserRecord, copies: CopyService
) -> None:
    text = message.text or message.caption or ""
    photo = message.photo[-1].file_id if message.photo else None
    async with ChatActionSender.typing(chat_id=message.chat.id, bot=message.bot):
        result = await copies.check(user_id=user.id, text=text, photo_file_id=photo)
    if result is None:
        await message.answer(t(texts.CHECK_NOTHING))
        return
    await state.clear()
    await message.answer(texts.check_result(t, result), link_preview_options=NO_PREVIEW)


async def on_compare(
    message: Message,
    command: CommandObject,
    bot: Bot,
    t: Translator,
    user: UserRecord,
    channels: ChannelService,
    copies: CopyService,
    charts: ChartService,
) -> None:
    days, ref = DEFAULT_COMPARE_DAYS, None
    for word in (command.args or "").split():
        if word.lower() in COMPARE_PERIODS:
            days = COMPARE_PERIODS[word.lower()]
        elif ref is None:
            ref = word
        else:
            await message.answer(t(texts.COMPARE_USAGE))
            return
    channel = await resolve_channel(
        channels,
        user_id=user.id,
        ref=ref,
        choose=lambda channel_id: CompareCb(channel_id=channel_id, days=days),
    )
    await _compare(message, bot, t, user, copies, charts, channel.id, days)


async def on_compare_choice(
    query: CallbackQuery,
    callback_data: CompareCb,
    bot: Bot,
    t: Translator,
    user: UserRecord,
    copies: CopyService,
    charts: ChartService,
) -> None:
    await query.answer()
    await _compare(
        query.message, bot, t, user, copies, charts, callback_data.channel_id, callback_data.days
    )


async def _compare(
    message: Message,
    bot: Bot,
    t: Translator,
    user: UserRecord,
    copies: CopyService,
    charts: ChartService,
    channel_id: int,
    days: int,
) -> None:
    compared = await copies.compare(user_id=user.id, channel_id=channel_id, days=days)
    if len(compared) < 2:
        await message.answer(t(texts.COMPARE_NONE_WATCHED))
        return
    await message.answer(texts.comparison(t, compared, days))
    async with ChatActionSender.upload_photo(chat_id=message.chat.id, bot=bot):
        png = await charts.render_comparison(compared, days, t)
        await message.answer_photo(BufferedInputFile(png, filename="compare.png"))


def create_router() -> Router:
    router = Router(name="copies")
    router.message.register(on_watch, Command("watch"))
    router.message.register(on_check, Command("check"))
    router.message.register(on_compare, Command("compare"))
    router.message.register(on_checked_post, StateFilter(CheckPost.waiting), ANYTHING_BUT_A_COMMAND)
    router.callback_query.register(on_list_button, WatchCb.filter())
    router.callback_query.register(on_list_button, PageCb.filter(F.kind == ListKind.WATCHED))
    router.callback_query.register(on_copy_button, CopyCb.filter())
    # The channel is checked before the button is answered: a refusal is the button's answer.
    router.callback_query.register(on_compare_choice, CompareCb.filter(), ButtonChannel())
    return router
