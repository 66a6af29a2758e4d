"""/insights and the Insights button under /stats; /score and Score a draft."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.callbacks import ChannelAction, ChannelCb
from bot.handlers.common import (
    ANYTHING_BUT_A_COMMAND,
    NO_PREVIEW,
    ButtonChannel,
    CommandChannel,
    message_of,
)
from bot.i18n_texts import insights as texts
from bot.keyboards import insights_keyboard
from services.channels import ChannelService
from services.domain.channels import ChannelRecord
from services.domain.users import UserRecord
from services.i18n import Translator
from services.insights.model import TooFewPosts
from services.insights.service import DraftTooLong, InsightsService

_LANGUAGES = {"ru": "Russian", "en": "English"}


class ScoreDraft(StatesGroup):
    waiting = State()


class Progress:
    """The answer to long work: a status message while the model learns, then the result in
    its place (or as a new message when nothing had to be learnt)."""

    def __init__(self, chat: Message, channel: ChannelRecord, t: Translator) -> None:
        self._chat = chat
        self._channel = channel
        self._t = t
        self._status: Message | None = None

    async def training(self, posts: int) -> None:
        self._status = await self._chat.answer(
            texts.training(self._t, self._channel.display_name, posts)
        )

    async def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        if self._status is not None:
            await self._status.edit_text(text, reply_markup=markup, link_preview_options=NO_PREVIEW)
        else:
            await self._chat.answer(text, reply_markup=markup, link_preview_options=NO_PREVIEW)


async def on_insights(
    event: Message | CallbackQuery,
    channel: ChannelRecord,
    user: UserRecord,
    insights: InsightsService,
    bot: Bot,
    t: Translator,
) -> None:
    """/insights, or the Insights button under /stats."""
    chat = await message_of(event)
    progress = Progress(chat, channel, t)
    async with ChatActionSender.typing(chat_id=chat.chat.id, bot=bot):
        try:
            report = await insights.report(
                user_id=user.id,
                channel=channel,
                time_zone=user.time_zone,
                language=_LANGUAGES.get(t.locale, "English"),
                on_training=progress.training,
            )
        except TooFewPosts as error:
            await progress.show(texts.too_few_posts(t, channel.display_name, error))
            return
    await progress.show(texts.insights_message(t, report), insights_keyboard(t, channel.id))


async def ask_for_draft(
    event: Message | CallbackQuery, channel: ChannelRecord, state: FSMContext, t: Translator
) -> None:
    """/score, or Score a draft: the draft is asked for."""
    chat = await message_of(event)
    await state.set_state(ScoreDraft.waiting)
    await state.update_data(channel_id=channel.id)
    await chat.answer(t(texts.ASK_DRAFT, channel=channel.display_name))


def _draft_of(message: Message) -> tuple[str, str | None] | None:
    """The draft's text and media kind; None for what is no draft (a sticker, a voice message)."""
    if message.text is not None:
        return message.text, None
    for kind in ("photo", "video", "animation", "document"):
        if getattr(message, kind):
            return message.caption or "", kind
    return None


async def on_draft(
    message: Message,
    state: FSMContext,
    user: UserRecord,
    channels: ChannelService,
    insights: InsightsService,
    bot: Bot,
    t: Translator,
) -> None:
    """The draft, sent or forwarded: scored, or what is wrong with it explained."""
    if message.sticker is not None:
        await message.answer(t(texts.DRAFT_STICKER))
        return
    draft = _draft_of(message)
    if draft is None:
        await message.answer(t(texts.DRAFT_UNSUPPORTED))
        return
    text, media_kind = draft
    if not text.strip():
        await message.answer(t(texts.DRAFT_EMPTY))
        return
    channel_id = (await state.get_data())["channel_id"]
    channel = await channels.require_admin(user_id=user.id, channel_id=channel_id)
    progress = Progress(message, channel, t)
    async with ChatActionSender.typing(chat_id=message.chat.id, bot=bot):
        try:
            score = await insights.score(
                channel=channel,
                time_zone=user.time_zone,
                text=text,
                media_kind=media_kind,
                on_training=progress.training,
            )
        except DraftTooLong:
            await message.answer(texts.draft_too_long(t, len(text)))
            return
        except TooFewPosts as error:
            await state.clear()
            await progress.show(texts.too_few_posts(t, channel.display_name, error))
            return
    await state.clear()
    await progress.show(texts.score_message(t, score), insights_keyboard(t, channel.id, again=True))


def create_router() -> Router:
    router = Router(name="insights")
    # Each as a command naming its channel, or a button under /stats carrying it.
    for command, action, handler in (
        ("insights", ChannelAction.INSIGHTS, on_insights),
        ("score", ChannelAction.SCORE, ask_for_draft),
    ):
        router.message.register(handler, Command(command), CommandChannel(action))
        router.callback_query.register(
            handler, ChannelCb.filter(F.action == action), ButtonChannel()
        )
    # Any message while a draft is awaited, but a command, which leaves the question for it.
    router.message.register(on_draft, StateFilter(ScoreDraft.waiting), ANYTHING_BUT_A_COMMAND)
    return router
