"""What several handlers share: the channel a button or a command acts on, turning a refused
channel access into a reply, the period a button under /stats acts on, and showing a list's
page in place."""

from collections.abc import Callable, Mapping
from contextlib import suppress

from aiogram import F
from aiogram.client.default import Default
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message

from bot.callbacks import ChannelAction, StatsCb, StatsRangeCb
from bot.i18n_texts import plans as plans_texts
from bot.i18n_texts.common import access_error_text
from bot.keyboards import choose_channel_keyboard, upgrade_keyboard
from services.analytics import AnalyticsService, InvalidPeriod, Period
from services.channels import ChannelAccessError, ChannelChoiceNeeded, ChannelService
from services.domain.channels import ChannelRecord
from services.domain.users import UserRecord
from services.entitlements import LimitReached
from services.i18n import Message as CatalogMessage
from services.i18n import Translator

# A text the user typed as an answer: a command instead leaves the question for that command.
NOT_A_COMMAND = F.text & ~F.text.startswith("/")
# Any message as an answer (a photo, a forward, a text), but a command, likewise.
ANYTHING_BUT_A_COMMAND = ~F.text.startswith("/")

# For a message whose links must not be fetched for a preview: a share link's fetch would count
# as an opening, a post's preview would bury the numbers around it.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# What aiogram sends when a method is given no link_preview_options: the bot's default.
_BOT_DEFAULT_PREVIEW = Default("link_preview")

ChannelChoice = ChannelAction | Callable[[int], CallbackData]


class ChannelToPick(Exception):
    """The user has several channels and named none: answered with one button per channel,
    each carrying `choose` (a ChannelAction, or the callback data of a channel's id)."""

    def __init__(self, refusal: ChannelChoiceNeeded, choose: ChannelChoice) -> None:
        super().__init__(refusal)
        self.refusal = refusal
        self.choose = choose


async def resolve_channel(
    channels: ChannelService, *, user_id: int, ref: str | None, choose: ChannelChoice
) -> ChannelRecord:
    """The channel a command names, or the user's only one.

    Raises ChannelToPick when there are several to pick from, and the service's
    ChannelAccessError otherwise: the errors router answers both.
    """
    try:
        return await channels.resolve_for_user(user_id=user_id, ref=ref)
    except ChannelChoiceNeeded as refusal:
        raise ChannelToPick(refusal, choose) from refusal


class CommandChannel(Filter):
    """Hands the handler `channel`, the one the command's arguments name or the user's only one
    (resolve_channel); goes after the Command filter, whose `command` it reads."""

    def __init__(self, choose: ChannelChoice) -> None:
        self.choose = choose

    async def __call__(
        self,
        message: Message,
        command: CommandObject,
        user: UserRecord,
        channels: ChannelService,
    ) -> dict[str, ChannelRecord]:
        channel = await resolve_channel(
            channels, user_id=user.id, ref=command.args, choose=self.choose
        )
        return {"channel": channel}


async def message_of(event: Message | CallbackQuery) -> Message:
    """Where to answer a command or a pressed button: the button's message, its press answered
    first so that its spinner stops."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        return event.message
    return event


class ButtonChannel(Filter):
    """Hands the handler `channel`, the one the button's callback data names, once the user is
    checked as its admin; a ChannelAccessError goes to the errors router, which answers it."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: CallbackData,
        user: UserRecord,
        channels: ChannelService,
    ) -> dict[str, ChannelRecord]:
        channel_id: int = callback_data.channel_id  # type: ignore[attr-defined]
        return {"channel": await channels.require_admin(user_id=user.id, channel_id=channel_id)}


def refusal_text(
    t: Translator, error: Exception, texts: Mapping[type[Exception], CatalogMessage]
) -> str:
    """The text for a service's refusal: that of the error's class in `texts`, or of its
    nearest base class there."""
    return t(next(texts[cls] for cls in type(error).__mro__ if cls in texts))


def plain_alert(html_text: str) -> str:
    """Alerts show no markup; callback answers are limited to 200 characters."""
    for tag in ("<b>", "</b>", "<code>", "</code>"):
        html_text = html_text.replace(tag, "")
    return html_text[:200]


async def answer_access_error(
    t: Translator,
    message: Message,
    error: ChannelAccessError,
    *,
    choose_action: ChannelChoice,
) -> None:
    """Explain the refusal; when the user must pick a channel, offer buttons for it."""
    markup: InlineKeyboardMarkup | None = None
    if isinstance(error, ChannelChoiceNeeded):
        markup = choose_channel_keyboard(error.channels, choose_action)
    await message.answer(access_error_text(t, error), reply_markup=markup)


class ButtonPeriod(Filter):
    """Hands the handler `period`, the one a button under /stats acts on: the last N days, or
    its from–to range. A period no one has numbers for (forged: in the future, say) matches
    nothing, so the fallback answers it as a stale button."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: StatsCb | StatsRangeCb,
        user: UserRecord,
        analytics: AnalyticsService,
    ) -> dict[str, Period] | bool:
        today = analytics.today(user.time_zone)
        try:
            if isinstance(callback_data, StatsRangeCb):
                period = Period(first_day=callback_data.first_day, last_day=callback_data.last_day)
            else:
                period = Period.last_days(callback_data.days, today=today)
            period.check_asked(today=today)
        except InvalidPeriod:
            return False
        return {"period": period}


async def answer_limit_reached(
    t: Translator, target: Message | CallbackQuery, error: LimitReached
) -> None:
    """Name the limit the user hit and offer the upgrade."""
    text = plans_texts.limit_reached(t, error)
    message = target.message if isinstance(target, CallbackQuery) else target
    if isinstance(target, CallbackQuery):
        # A handler that answered its button first (to stop the spinner while it works) left
        # the button answered: Telegram refuses a second answer, and the chat still gets this.
        with suppress(TelegramBadRequest):
            await target.answer()
    await message.answer(text, reply_markup=upgrade_keyboard(t))


async def show_in_place(
    query: CallbackQuery,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    *,
    answer: str | None = None,
    link_preview_options: LinkPreviewOptions | Default = _BOT_DEFAULT_PREVIEW,
) -> None:
    """Show a list's page (or another view of it, such as a period under /stats) in the message
    whose button was pressed, then answer the button (with `answer`, if given).

    A page turn to a page past the end shows the last page, which may be the one already
    there: Telegram refuses such an edit, and nothing needs to change. Likewise a button for
    the view already shown, with nothing new since.
    """
    try:
        await query.message.edit_text(
            text, reply_markup=keyboard, link_preview_options=link_preview_options
        )
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
    await query.answer(answer)
