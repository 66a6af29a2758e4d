"""/stats: a channel's numbers for a period, its period buttons, and its charts as an album."""

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
)
from aiogram.utils.chat_action import ChatActionSender

from bot.callbacks import ChannelAction, ChannelCb, StatsAction, StatsCb, StatsRangeCb
from bot.handlers.common import (
    ButtonPeriod,
    access_error_text,
    answer_access_error,
    answer_limit_reached,
    plain_alert,
)
from bot.i18n_texts import stats as texts
from bot.keyboards import stats_keyboard
from services.analytics import (
    DEFAULT_PERIOD_DAYS,
    AnalyticsService,
    ChannelReport,
    InvalidPeriod,
    Period,
    parse_stats_request,
)
from services.channels import ChannelAccessError, ChannelService
from services.charts import ChartService
from services.domain.users import UserRecord
from services.entitlements import LimitReached
from services.i18n import Translator

# Top posts are links; a preview of the first one would bury the numbers.
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def stats_command(
    message: Message,
    command: CommandObject,
    user: UserRecord,
    channels: ChannelService,
    analytics: AnalyticsService,
    t: Translator,
) -> None:
    try:
        request = parse_stats_request(command.args, today=analytics.today(user.time_zone))
    except InvalidPeriod as error:
        await message.answer(texts.invalid_period(t, error))
        return
    try:
        channel = await channels.resolve_for_user(user_id=user.id, ref=request.channel_ref)
        report = await analytics.report(
            user_id=user.id, channel=channel, period=request.period, time_zone=user.time_zone
        )
    except ChannelAccessError as error:
        await answer_access_error(t, message, error, choose_action=ChannelAction.STATS)
        return
    except LimitReached as error:
        await answer_limit_reached(t, message, error)
        return
    await message.answer(
        texts.stats_summary(t, report),
        reply_markup=stats_keyboard(t, channel.id, report.period, days=request.days),
        link_preview_options=_NO_PREVIEW,
    )


async def on_channel_chosen(
    query: CallbackQuery,
    callback_data: ChannelCb,
    user: UserRecord,
    channels: ChannelService,
    analytics: AnalyticsService,
    t: Translator,
) -> None:
    """A channel picked under /channels or from "Which channel?": its stats, default period."""
    period = Period.last_days(DEFAULT_PERIOD_DAYS, today=analytics.today(user.time_zone))
    report = await _report(t, query, user, channels, analytics, callback_data.channel_id, period)
    if report is None:
        return
    await query.message.answer(
        texts.stats_summary(t, report),
        reply_markup=stats_keyboard(t, report.channel.id, report.period, days=DEFAULT_PERIOD_DAYS),
        link_preview_options=_NO_PREVIEW,
    )
    await query.answer()


async def on_period(
    query: CallbackQuery,
    callback_data: StatsCb,
    period: Period,
    user: UserRecord,
    channels: ChannelService,
    analytics: AnalyticsService,
    t: Translator,
) -> None:
    """A period button: the same message, now showing that period."""
    report = await _report(t, query, user, channels, analytics, callback_data.channel_id, period)
    if report is None:
        return
    try:
        await query.message.edit_text(
            texts.stats_summary(t, report),
            reply_markup=stats_keyboard(
                t, report.channel.id, report.period, days=callback_data.days
            ),
            link_preview_options=_NO_PREVIEW,
        )
    except TelegramBadRequest as error:
        # Pressing the period already shown, with nothing new since, changes nothing.
        if "message is not modified" not in error.message:
            raise
    await query.answer()


async def on_charts(
    query: CallbackQuery,
    callback_data: StatsCb | StatsRangeCb,
    period: Period,
    user: UserRecord,
    channels: ChannelService,
    analytics: AnalyticsService,
    charts: ChartService,
    bot: Bot,
    t: Translator,
) -> None:
    """The charts of the message's channel and period, as one photo album."""
    report = await _report(t, query, user, channels, analytics, callback_data.channel_id, period)
    if report is None:
        return
    await query.answer()
    chat_id = query.message.chat.id
    async with ChatActionSender.upload_photo(chat_id=chat_id, bot=bot):
        rendered = await charts.render(report, t)
    album = [
        InputMediaPhoto(
            media=BufferedInputFile(chart.png, filename=f"{chart.name}.png"),
            caption=texts.charts_caption(t, report) if number == 0 else None,
        )
        for number, chart in enumerate(rendered)
    ]
    await bot.send_media_group(chat_id=chat_id, media=album)


async def _report(
    t: Translator,
    query: CallbackQuery,
    user: UserRecord,
    channels: ChannelService,
    analytics: AnalyticsService,
    channel_id: int,
    period: Period,
) -> ChannelReport | None:
    """The report a button asks for, or None once the refusal has been answered."""
    try:
        channel = await channels.require_admin(user_id=user.id, channel_id=channel_id)
        return await analytics.report(
            user_id=user.id, channel=channel, period=period, time_zone=user.time_zone
        )
    except ChannelAccessError as error:
        await query.answer(plain_alert(access_error_text(t, error)), show_alert=True)
    except LimitReached as error:
        await answer_limit_reached(t, query, error)
    return None


def create_router() -> Router:
    router = Router(name="stats")
    router.message.filter(F.chat.type == "private")
    router.message.register(stats_command, Command("stats"))
    router.callback_query.register(
        on_channel_chosen, ChannelCb.filter(F.action == ChannelAction.STATS)
    )
    router.callback_query.register(
        on_period, StatsCb.filter(F.action == StatsAction.PERIOD), ButtonPeriod()
    )
    router.callback_query.register(
        on_charts, StatsCb.filter(F.action == StatsAction.CHARTS), ButtonPeriod()
    )
    router.callback_query.register(
        on_charts, StatsRangeCb.filter(F.action == StatsAction.CHARTS), ButtonPeriod()
    )
    return router
