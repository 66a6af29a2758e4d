"""/links: a channel's sources of subscribers, making a campaign's invite link (a short
dialog), its cost, revoking it; join requests to the bot's links, approved and welcomed."""

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ChatJoinRequest,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import LinkKind, LinksAction, LinksCb, LinkStep, LinkWizardCb
from bot.handlers.common import (
    NO_PREVIEW,
    NOT_A_COMMAND,
    ButtonChannel,
    CommandChannel,
    message_of,
    show_in_place,
)
from bot.i18n_texts import sources as texts
from bot.keyboards import add_page_turns
from bot.paging import Page, page_of
from services.bounds import bounded_int
from services.channels import ChannelService
from services.domain.channels import ChannelRecord
from services.domain.users import UserRecord
from services.i18n import Translator
from services.sources import (
    LINK_LIFETIME_DAYS,
    MEMBER_LIMIT_MAX,
    NAME_MAX,
    WELCOME_MAX,
    InvalidCost,
    InvalidLinkDraft,
    InviteRightMissing,
    LinkDraft,
    LinkGone,
    LinkNotMadeByBot,
    Source,
    SourcesService,
)
from services.telegram import ChatUnavailable


class NewLink(StatesGroup):
    name = State()
    kind = State()
    lifetime = State()
    limit = State()
    welcome = State()


class LinkCost(StatesGroup):
    amount = State()


# ----------------------------------------------------------------- keyboards


def _sources_keyboard(t: Translator, channel_id: int, page: Page[Source]) -> InlineKeyboardMarkup:
    """A button per link on the page, New link, and the page turns."""
    builder = InlineKeyboardBuilder()
    for number, source in page.numbered():
        if source.link is not None:
            builder.button(
                text=texts.link_button(t, number, source),
                callback_data=LinksCb(
                    action=LinksAction.OPEN,
                    channel_id=channel_id,
                    link_id=source.link.id,
                    page=page.number,
                ),
            )
    builder.button(
        text=t(texts.NEW_LINK_BUTTON),
        callback_data=LinksCb(action=LinksAction.NEW, channel_id=channel_id),
    )
    builder.adjust(1)
    add_page_turns(
        builder,
        page,
        lambda number: LinksCb(action=LinksAction.LIST, channel_id=channel_id, page=number),
    )
    return builder.as_markup()


def _link_keyboard(t: Translator, callback_data: LinksCb, source: Source) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, action in ((texts.COST_BUTTON, LinksAction.COST), (texts.BACK_BUTTON, None)):
        builder.button(
            text=t(text),
            callback_data=callback_data.model_copy(update={"action": action or LinksAction.LIST}),
        )
    if source.link is not None and source.link.revoked_at is None:
        builder.button(
            text=t(texts.REVOKE_BUTTON),
            callback_data=callback_data.model_copy(update={"action": LinksAction.REVOKE}),
        )
    builder.adjust(1)
    return builder.as_markup()


def _wizard_keyboard(t: Translator, *choices: tuple[str, LinkWizardCb]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, data in (*choices, (t(texts.CANCEL_BUTTON), LinkWizardCb(step=LinkStep.CANCEL))):
        builder.button(text=text, callback_data=data)
    builder.adjust(1)
    return builder.as_markup()


# ----------------------------------------------------------------- the list


async def _sources_message(
    t: Translator, user: UserRecord, channel: ChannelRecord, sources: SourcesService, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    report = await sources.report(channel=channel)
    shown = page_of(report.sources, page)
    text = texts.sources_page(t, report, shown, time_zone=user.time_zone)
    return text, _sources_keyboard(t, channel.id, shown)


async def links_command(
    message: Message,
    bot: Bot,
    channel: ChannelRecord,
    user: UserRecord,
    sources: SourcesService,
    t: Translator,
) -> None:
    # A channel with a long history takes a moment to count: say so.
    async with ChatActionSender.typing(chat_id=message.chat.id, bot=bot):
        text, keyboard = await _sources_message(t, user, channel, sources, 1)
    await message.answer(text, reply_markup=keyboard)


async def on_view(
    query: CallbackQuery,
    callback_data: LinksCb,
    channel: ChannelRecord,
    user: UserRecord,
    sources: SourcesService,
    t: Translator,
) -> None:
    """List (a page of the channel's sources) or Open (one link's card), in place."""
    if callback_data.action is LinksAction.LIST:
        text, keyboard = await _sources_message(t, user, channel, sources, callback_data.page)
    else:
        try:
            report, source = await sources.source_of_link(
                channel=channel, link_id=callback_data.link_id
            )
        except LinkGone:
            await query.answer(t(texts.LINK_GONE), show_alert=True)
            return
        text = texts.link_card(t, channel, source, now=report.now, time_zone=user.time_zone)
        keyboard = _link_keyboard(t, callback_data, source)
    await show_in_place(query, text, keyboard)


def _refusal(t: Translator, channel: ChannelRecord, error: Exception) -> str:
    """Telegram's refusal of an invite-link method, as the owner can act on it."""
    if isinstance(error, InviteRightMissing):
        return t(texts.NO_RIGHT, title=escape(channel.title), right=error.right)
    if isinstance(error, LinkNotMadeByBot):
        return t(texts.NOT_OURS)
    if isinstance(error, LinkGone):
        return t(texts.LINK_GONE)
    return t(texts.TELEGRAM_REFUSED)


async def on_revoke(
    query: CallbackQuery,
    callback_data: LinksCb,
    channel: ChannelRecord,
    sources: SourcesService,
    t: Translator,
) -> None:
    try:
        link = await sources.revoke(channel=channel, link_id=callback_data.link_id)
    except (InviteRightMissing, LinkNotMadeByBot, LinkGone, ChatUnavailable) as error:
        await query.message.answer(_refusal(t, channel, error))
    else:
        await query.message.answer(t(texts.REVOKED_DONE, name=escape(link.name or link.url or "")))
    await query.answer()


async def on_cost_pressed(
    query: CallbackQuery,
    callback_data: LinksCb,
    channel: ChannelRecord,
    state: FSMContext,
    sources: SourcesService,
    t: Translator,
) -> None:
    try:
        _, source = await sources.source_of_link(channel=channel, link_id=callback_data.link_id)
    except LinkGone:
        await query.answer(t(texts.LINK_GONE), show_alert=True)
        return
    await state.set_state(LinkCost.amount)
    await state.update_data(channel_id=channel.id, link_id=callback_data.link_id)
    await query.message.answer(t(texts.ASK_COST, name=escape(texts.source_name(t, source))))
    await query.answer()


async def on_cost(
    message: Message,
    state: FSMContext,
    user: UserRecord,
    channels: ChannelService,
    sources: SourcesService,
    t: Translator,
) -> None:
    data = await state.get_data()
    channel = await channels.require_admin(user_id=user.id, channel_id=data["channel_id"])
    try:
        await sources.set_cost(channel=channel, link_id=data["link_id"], text=message.text or "")
        report, source = await sources.source_of_link(channel=channel, link_id=data["link_id"])
    except InvalidCost:
        await message.answer(t(texts.BAD_COST))
        return
    except LinkGone:
        await state.clear()
        await message.answer(t(texts.LINK_GONE))
        return
    await state.clear()
    await message.answer(
        texts.link_card(t, channel, source, now=report.now, time_zone=user.time_zone),
        reply_markup=_link_keyboard(
            t,
            LinksCb(action=LinksAction.OPEN, channel_id=channel.id, link_id=data["link_id"]),
            source,
        ),
    )


# ----------------------------------------------------------------- making a link


async def on_new(
    query: CallbackQuery,
    channel: ChannelRecord,
    user: UserRecord,
    state: FSMContext,
    sources: SourcesService,
    t: Translator,
) -> None:
    await sources.ensure_room_for_link(user_id=user.id)  # LimitReached: the errors router
    await state.set_state(NewLink.name)
    await state.set_data({"channel_id": channel.id})
    await query.message.answer(t(texts.ASK_NAME, title=escape(channel.title), max=NAME_MAX))
    await query.answer()


async def on_name(message: Message, state: FSMContext, t: Translator) -> None:
    name = (message.text or "").strip()
    if not 1 <= len(name) <= NAME_MAX:
        await message.answer(t(texts.BAD_NAME, max=NAME_MAX))
        return
    await state.update_data(name=name)
    await state.set_state(NewLink.kind)
    await message.answer(
        t(texts.ASK_KIND, name=escape(name)),
        reply_markup=_wizard_keyboard(
            t,
            *(
                (t(text), LinkWizardCb(step=LinkStep.KIND, value=kind))
                for text, kind in (
                    (texts.KIND_OPEN_BUTTON, LinkKind.OPEN),
                    (texts.KIND_REQUESTS_BUTTON, LinkKind.REQUESTS),
                    (texts.KIND_APPROVED_BUTTON, LinkKind.APPROVED),
                )
            ),
        ),
    )


async def on_kind(
    query: CallbackQuery, callback_data: LinkWizardCb, state: FSMContext, t: Translator
) -> None:
    await state.update_data(kind=callback_data.value)
    await state.set_state(NewLink.lifetime)
    choices = [
        (
            t.plural(texts.LIFETIME_BUTTON, days) if days else t(texts.NO_EXPIRY_BUTTON),
            LinkWizardCb(step=LinkStep.LIFETIME, value=str(days or 0)),
        )
        for days in LINK_LIFETIME_DAYS
    ]
    await query.message.edit_text(t(texts.ASK_LIFETIME), reply_markup=_wizard_keyboard(t, *choices))
    await query.answer()


# The question after the lifetime, for the kinds that have one: its state, text, maximum, and
# the button that skips it; an open link is limited in members, an approved one may welcome.
_LAST_QUESTION = {
    LinkKind.OPEN: (
        NewLink.limit,
        texts.ASK_LIMIT,
        MEMBER_LIMIT_MAX,
        texts.NO_LIMIT_BUTTON,
        LinkStep.NO_LIMIT,
    ),
    LinkKind.APPROVED: (
        NewLink.welcome,
        texts.ASK_WELCOME,
        WELCOME_MAX,
        texts.NO_WELCOME_BUTTON,
        LinkStep.NO_WELCOME,
    ),
}


async def on_lifetime(
    query: CallbackQuery,
    callback_data: LinkWizardCb,
    state: FSMContext,
    user: UserRecord,
    sources: SourcesService,
    t: Translator,
) -> None:
    await state.update_data(lifetime_days=int(callback_data.value) or None)
    kind = LinkKind((await state.get_data())["kind"])
    if kind in _LAST_QUESTION:
        question_state, question, maximum, skip_text, skip_step = _LAST_QUESTION[kind]
        await state.set_state(question_state)
        await query.message.edit_text(
            t(question, max=t.number(maximum)),
            reply_markup=_wizard_keyboard(t, (t(skip_text), LinkWizardCb(step=skip_step))),
        )
    else:
        await create_link(query.message, state, user, sources, t)
    await query.answer()


async def on_typed_answer(
    message: Message,
    state: FSMContext,
    user: UserRecord,
    sources: SourcesService,
    t: Translator,
) -> None:
    """The member limit, or the welcome message, as the question asked."""
    text = (message.text or "").strip()
    if await state.get_state() == NewLink.limit.state:
        limit = bounded_int(text, minimum=1, maximum=MEMBER_LIMIT_MAX)
        if limit is None:
            await message.answer(t(texts.BAD_LIMIT, max=t.number(MEMBER_LIMIT_MAX)))
            return
        await state.update_data(member_limit=limit)
    else:
        if not 1 <= len(text) <= WELCOME_MAX:
            await message.answer(t(texts.BAD_WELCOME, max=t.number(WELCOME_MAX)))
            return
        await state.update_data(welcome_text=text)
    await create_link(message, state, user, sources, t)


async def on_cancel(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await query.message.edit_text(t(texts.CANCELLED))
    await query.answer()


async def on_closed_question(query: CallbackQuery, t: Translator) -> None:
    """A wizard button pressed after the dialog ended (or in another one)."""
    await query.answer(t(texts.WIZARD_EXPIRED), show_alert=True)


async def create_link(
    event: Message | CallbackQuery,
    state: FSMContext,
    user: UserRecord,
    sources: SourcesService,
    t: Translator,
) -> None:
    """Make the link the dialog drafted; also No limit and No welcome, which leave it as it is."""
    message = await message_of(event)
    data = await state.get_data()
    await state.clear()
    kind = LinkKind(data["kind"])
    try:
        draft = LinkDraft(
            name=data["name"],
            lifetime_days=data.get("lifetime_days"),
            member_limit=data.get("member_limit"),
            creates_join_request=kind is not LinkKind.OPEN,
            auto_approve=kind is LinkKind.APPROVED,
            welcome_text=data.get("welcome_text"),
        )
    except InvalidLinkDraft:
        await message.answer(t(texts.WIZARD_EXPIRED))
        return
    try:
        link = await sources.create_link(
            user_id=user.id, channel_id=data["channel_id"], draft=draft
        )
    except (InviteRightMissing, ChatUnavailable) as error:
        channel = await sources.channel_of(user_id=user.id, channel_id=data["channel_id"])
        await message.answer(_refusal(t, channel, error))
        return
    await message.answer(
        texts.created(t, link, now=link.created_at, time_zone=user.time_zone),
        link_preview_options=NO_PREVIEW,
    )


# ----------------------------------------------------------------- join requests


async def on_join_request(request: ChatJoinRequest, sources: SourcesService) -> None:
    await sources.on_join_request(
        channel_id=request.chat.id,
        user_id=request.from_user.id,
        user_chat_id=request.user_chat_id,
        url=request.invite_link.invite_link if request.invite_link else None,
    )


def create_channel_router() -> Router:
    """Join requests to tracked channels: the bot's links that say so approve them."""
    router = Router(name="join_requests")
    router.chat_join_request.register(on_join_request, F.chat.type == "channel")
    return router


def create_router() -> Router:
    router = Router(name="sources")
    router.message.register(
        links_command,
        Command("links"),
        CommandChannel(lambda channel_id: LinksCb(action=LinksAction.LIST, channel_id=channel_id)),
    )
    for action, handler in (
        (LinksAction.LIST, on_view),
        (LinksAction.OPEN, on_view),
        (LinksAction.REVOKE, on_revoke),
        (LinksAction.COST, on_cost_pressed),
        (LinksAction.NEW, on_new),
    ):
        router.callback_query.register(handler, LinksCb.filter(F.action == action), ButtonChannel())
    wizard = LinkWizardCb.filter
    router.callback_query.register(on_cancel, wizard(F.step == LinkStep.CANCEL))
    router.callback_query.register(on_kind, wizard(F.step == LinkStep.KIND), NewLink.kind)
    router.callback_query.register(
        on_lifetime, wizard(F.step == LinkStep.LIFETIME), NewLink.lifetime
    )
    router.callback_query.register(create_link, wizard(F.step == LinkStep.NO_LIMIT), NewLink.limit)
    router.callback_query.register(
        create_link, wizard(F.step == LinkStep.NO_WELCOME), NewLink.welcome
    )
    router.callback_query.register(on_closed_question, wizard())
    router.message.register(on_name, NewLink.name, NOT_A_COMMAND)
    router.message.register(
        on_typed_answer, StateFilter(NewLink.limit, NewLink.welcome), NOT_A_COMMAND
    )
    router.message.register(on_cost, StateFilter(LinkCost.amount), NOT_A_COMMAND)
    return router
