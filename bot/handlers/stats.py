"""/stats: a channel's numbers for a period, its period buttons, and its charts as an album."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)
from aiogram.utils.chat_action import ChatActionSender

from bot.callbacks import ChannelAction, ChannelCb, StatsAction, StatsCb, StatsRangeCb
from bot.handlers.common import (
    NO_PREVIEW,
    ButtonChannel,
    ButtonPeriod,
    resolve_channel,
    show_in_place,
)
from bot.i18n_texts import stats as texts
from bot.keyboards import stats_keyboard
from services.analytics import (
    DEFAULT_PERIOD_DAYS,
    AnalyticsService,
    InvalidPeriod,
    Period,
    parse_stats_request,
)
from services.channels import ChannelService
from services.charts import ChartService
from services.config import Settings
from services.domain.channels import ChannelRecord
from services.domain.users import UserRecord
from services.i18n import Translator


async def _stats_message(
    t: Translator,
    analytics: AnalyticsService,
    user: UserRecord,
    channel: ChannelRecord,
    period: Period,
    days: int | None,
    settings: Settings,
) -> tuple[str, InlineKeyboardMarkup]:
    """The /stats summary of the channel's period, and its buttons with the period of `days`
    marked."""
    report = await analytics.report(
        user_id=user.id, channel=channel, period=period, time_zone=user.time_zone
    )
    keyboard = stats_keyboard(
        t,
        report.channel.id,
        report.period,
        days=days,
        insights=settings.feature_insights,
        dashboard_url=settings.dashboard_url,
    )
    return texts.stats_summary(t, report), keyboard


async def stats_command(
    message: Message,
    command: CommandObject,
    user: UserRecord,
    channels: ChannelService,
    analytics: AnalyticsService,
    settings: Settings,
    t: Translator,
) -> None:
    try:
        request = parse_stats_request(command.args, today=analytics.today(user.time_zone))
    except InvalidPeriod as error:
        await message.answer(texts.invalid_period(t, error))
        return
    channel = await resolve_channel(
        channels, user_id=user.id, ref=request.channel_ref, choose=ChannelAction.STATS
    )
    text, keyboard = await _stats_message(
        t, analytics, user, channel, request.period, request.days, settings
    )
    await message.answer(text, reply_markup=keyboard, link_preview_options=NO_PREVIEW)


async def on_channel_chosen(
    query: CallbackQuery,
    channel: ChannelRecord,
    user: UserRecord,
    analytics: AnalyticsService,
    settings: Settings,
    t: Translator,
) -> None:
    """A channel picked under /channels or from "Which channel?": its stats, default period."""
    period = Period.last_days(DEFAULT_PERIOD_DAYS, today=analytics.today(user.time_zone))
    text, keyboard = await _stats_message(
        t, analytics, user, channel, period, DEFAULT_PERIOD_DAYS, settings
    )
    await query.message.answer(text, reply_markup=keyboard, link_preview_options=NO_PREVIEW)
    await query.answer()


async def on_period(
    query: CallbackQuery,
    callback_data: StatsCb,
    channel: ChannelRecord,
    period: Period,
    user: UserRecord,
    analytics: AnalyticsService,
    settings: Settings,
    t: Translator,
) -> None:
    """A period button: the same message, now showing that period."""
    text, keyboard = await _stats_message(
        t, analytics, user, channel, period, callback_data.days, settings
    )
    await show_in_place(query, text, keyboard, link_preview_options=NO_PREVIEW)


async def on_charts(
    query: CallbackQuery,
    channel: ChannelRecord,
    period: Period,
    user: UserRecord,
    analytics: AnalyticsService,
    charts: ChartService,
    bot: Bot,
    t: Translator,
) -> None:
    """The charts of the message's channel and period, as one photo album."""
    report = await analytics.report(
        user_id=user.id, channel=channel, period=period, time_zone=user.time_zone
    )
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


def create_router() -> Router:
    router = Router(name="stats")
    router.message.register(stats_command, Command("stats"))
    router.callback_query.register(
        on_channel_chosen, ChannelCb.filter(F.action == ChannelAction.STATS), ButtonChannel()
    )
    router.callback_query.register(
        on_period, StatsCb.filter(F.action == StatsAction.PERIOD), ButtonPeriod(), ButtonChannel()
    )
    for charts_button in (StatsCb, StatsRangeCb):
        router.callback_query.register(
            on_charts,
            charts_button.filter(F.action == StatsAction.CHARTS),
            ButtonPeriod(),
            ButtonChannel(),
        )
    return router
