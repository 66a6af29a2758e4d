"""/share, /shares, the Share button under /stats, and share links opened inside Telegram."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import (
    ChannelAction,
    ChannelCb,
    ListKind,
    PageCb,
    ShareCb,
    ShareLinkAction,
    ShareLinkCb,
    ShareStep,
    StatsAction,
    StatsCb,
)
from bot.handlers.common import (
    NO_PREVIEW,
    ButtonChannel,
    CommandChannel,
    message_of,
    refusal_text,
    show_in_place,
)
from bot.i18n_texts import share as texts
from bot.keyboards import (
    SHARE_START_PREFIX,
    share_deep_link,
    share_lifetime_keyboard,
    share_links_keyboard,
    share_period_keyboard,
)
from bot.paging import page_of
from services.analytics import STANDARD_PERIODS
from services.domain.channels import ChannelRecord
from services.domain.users import UserRecord
from services.i18n import Translator
from services.share_links import (
    ShareLinkError,
    ShareLinkExpired,
    ShareLinkNotFound,
    ShareLinkService,
)

# Why a share link opened in chat shows no report.
_OPENING_REFUSALS = {
    ShareLinkExpired: texts.REPORT_EXPIRED,
    ShareLinkError: texts.REPORT_NOT_FOUND,
}


async def _ask_next(
    t: Translator,
    message: Message,
    channel: ChannelRecord,
    user: UserRecord,
    share_links: ShareLinkService,
    *,
    days: int | None,
) -> None:
    """Ask the period (days None), or the lifetime of a link over `days`."""
    max_hours, max_days = await share_links.caps(user_id=user.id)
    if days is None:
        text = texts.share_choose_period(t, channel)
        keyboard = share_period_keyboard(t, channel.id, max_days=max_days)
    else:
        text = texts.share_choose_lifetime(t, channel, days)
        keyboard = share_lifetime_keyboard(t, channel.id, days, max_hours=max_hours)
    await message.answer(text, reply_markup=keyboard)


async def on_share(
    event: Message | CallbackQuery,
    channel: ChannelRecord,
    user: UserRecord,
    share_links: ShareLinkService,
    t: Translator,
    callback_data: StatsCb | ChannelCb | None = None,
) -> None:
    """/share, or a channel picked after it, asks the period first; Share under /stats asks
    only the lifetime (the period is the one shown there, when a link can have it)."""
    await share_links.ensure_room_for_link(user_id=user.id)
    days = None
    if isinstance(callback_data, StatsCb) and callback_data.days in STANDARD_PERIODS:
        days = callback_data.days
    await _ask_next(t, await message_of(event), channel, user, share_links, days=days)


async def on_period_chosen(
    query: CallbackQuery,
    callback_data: ShareCb,
    channel: ChannelRecord,
    user: UserRecord,
    share_links: ShareLinkService,
    t: Translator,
) -> None:
    await share_links.ensure_period_allowed(user_id=user.id, days=callback_data.days)
    await _ask_next(t, query.message, channel, user, share_links, days=callback_data.days)
    await query.answer()


async def on_lifetime_chosen(
    query: CallbackQuery,
    callback_data: ShareCb,
    user: UserRecord,
    bot: Bot,
    share_links: ShareLinkService,
    t: Translator,
) -> None:
    try:
        created = await share_links.create(
            user_id=user.id,
            channel_id=callback_data.channel_id,
            days=callback_data.days,
            lifetime_hours=callback_data.hours or None,
        )
    except ValueError:
        await query.answer(t(texts.CHOICE_NOT_OFFERED), show_alert=True)
        return
    me = await bot.me()
    await query.message.edit_text(
        texts.share_created(
            t,
            created.link,
            url=created.url,
            telegram_url=share_deep_link(me.username or "", created.token),
        ),
        link_preview_options=NO_PREVIEW,
    )
    await query.answer()


async def _shares_page(
    t: Translator, user: UserRecord, share_links: ShareLinkService, number: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `number` of the user's live links, as text and its keyboard."""
    links = await share_links.list_live(user_id=user.id)
    if not links:
        return t(texts.NO_SHARES), None
    page = page_of(links, number)
    return texts.share_list(t, page), share_links_keyboard(t, page)


async def list_shares(
    message: Message, user: UserRecord, share_links: ShareLinkService, t: Translator
) -> None:
    text, keyboard = await _shares_page(t, user, share_links, 1)
    await message.answer(text, reply_markup=keyboard)


async def on_list_button(
    query: CallbackQuery,
    callback_data: ShareLinkCb | PageCb,
    user: UserRecord,
    share_links: ShareLinkService,
    t: Translator,
) -> None:
    """Revoke under /shares, or a page turn: the page is shown again."""
    answer = None
    if isinstance(callback_data, ShareLinkCb):
        try:
            await share_links.revoke(user_id=user.id, link_id=callback_data.link_id)
        except ShareLinkNotFound:
            await query.answer(t(texts.ALREADY_GONE), show_alert=True)
            return
        answer = t(texts.REVOKED)
    text, keyboard = await _shares_page(t, user, share_links, callback_data.page)
    await show_in_place(query, text, keyboard, answer=answer)


async def open_shared_report(
    message: Message,
    command: CommandObject,
    bot: Bot,
    share_links: ShareLinkService,
    t: Translator,
) -> None:
    """Someone opened t.me/<bot>?start=r_<token>: the report, as a message."""
    token = (command.args or "").removeprefix(SHARE_START_PREFIX)
    await bot.send_chat_action(message.chat.id, "typing")
    try:
        opened = await share_links.open(token)
    except ShareLinkError as error:
        await message.answer(refusal_text(t, error, _OPENING_REFUSALS))
        return
    await message.answer(
        texts.shared_report(t, opened.report, url=share_links.page_url(token)),
        link_preview_options=NO_PREVIEW,
    )


def create_router() -> Router:
    router = Router(name="share_links")
    router.message.register(
        open_shared_report,
        CommandStart(deep_link=True, magic=F.args.startswith(SHARE_START_PREFIX)),
    )
    router.message.register(on_share, Command("share"), CommandChannel(ChannelAction.SHARE))
    router.message.register(list_shares, Command("shares"))
    for pressed in (
        StatsCb.filter(F.action == StatsAction.SHARE),
        ChannelCb.filter(F.action == ChannelAction.SHARE),
    ):
        router.callback_query.register(on_share, pressed, ButtonChannel())
    router.callback_query.register(
        on_period_chosen, ShareCb.filter(F.step == ShareStep.PERIOD), ButtonChannel()
    )
    # The service checks the admin as it creates the link.
    router.callback_query.register(on_lifetime_chosen, ShareCb.filter(F.step == ShareStep.LIFETIME))
    router.callback_query.register(
        on_list_button, ShareLinkCb.filter(F.action == ShareLinkAction.REVOKE)
    )
    router.callback_query.register(on_list_button, PageCb.filter(F.kind == ListKind.SHARE_LINKS))
    return router
