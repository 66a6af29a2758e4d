"""Inline keyboards."""

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.callbacks import (
    ChannelAction,
    ChannelCb,
    PlanAction,
    PlanCb,
    RemoveCb,
    RemoveMode,
    StatsAction,
    StatsCb,
    StatsRangeCb,
)
from db.channels import ChannelRecord, ChannelSummary
from services.analytics import STANDARD_PERIODS, Period

# The rights the bot asks for when added from the deep link: reading needs admin, nothing more.
_ADMIN_RIGHTS = "manage_chat"


def add_to_channel_url(bot_username: str) -> str:
    """Telegram's deep link that opens "add this bot to a channel as admin"."""
    return f"https://t.me/{bot_username}?startchannel&admin={_ADMIN_RIGHTS}"


def start_keyboard(bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts.ADD_TO_CHANNEL_BUTTON, url=add_to_channel_url(bot_username)
                )
            ]
        ]
    )


def channels_keyboard(summaries: list[ChannelSummary], *, with_stats: bool) -> InlineKeyboardMarkup:
    """Per channel its stats (when analytics is on), and remove or resume."""
    builder = InlineKeyboardBuilder()
    for summary in summaries:
        channel = summary.channel
        if with_stats:
            builder.button(
                text=texts.STATS_BUTTON.format(title=channel.title),
                callback_data=ChannelCb(action=ChannelAction.STATS, channel_id=channel.id),
            )
        if channel.is_tracked:
            text = texts.REMOVE_BUTTON.format(title=channel.title)
            action = ChannelAction.REMOVE
        else:
            text = texts.RESUME_BUTTON.format(title=channel.title)
            action = ChannelAction.RESUME
        builder.button(text=text, callback_data=ChannelCb(action=action, channel_id=channel.id))
    builder.adjust(1)
    return builder.as_markup()


def choose_channel_keyboard(
    channels: list[ChannelRecord], action: ChannelAction
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for channel in channels:
        builder.button(
            text=channel.display_name, callback_data=ChannelCb(action=action, channel_id=channel.id)
        )
    builder.adjust(1)
    return builder.as_markup()


def remove_confirm_keyboard(channel_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for mode, text in (
        (RemoveMode.KEEP, texts.REMOVE_KEEP_BUTTON),
        (RemoveMode.DELETE, texts.REMOVE_DELETE_BUTTON),
        (RemoveMode.CANCEL, texts.CANCEL_BUTTON),
    ):
        builder.button(text=text, callback_data=RemoveCb(mode=mode, channel_id=channel_id))
    builder.adjust(1)
    return builder.as_markup()


def upgrade_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=texts.UPGRADE_BUTTON, callback_data=PlanCb(action=PlanAction.UPGRADE))
    return builder.as_markup()


def stats_keyboard(channel_id: int, period: Period, *, days: int | None) -> InlineKeyboardMarkup:
    """Period switches (the shown one marked), then Charts and Export CSV.

    `days` is the length of a "last N days" period; None for a from–to range, whose charts go
    through StatsRangeCb and which has no export button (exports take a length of days).
    """
    builder = InlineKeyboardBuilder()
    for length in STANDARD_PERIODS:
        label = texts.period_button(length, current=length == days)
        builder.button(
            text=label,
            callback_data=StatsCb(action=StatsAction.PERIOD, channel_id=channel_id, days=length),
        )
    if days is None:
        builder.button(
            text=texts.CHARTS_BUTTON,
            callback_data=StatsRangeCb(
                action=StatsAction.CHARTS,
                channel_id=channel_id,
                first_day=period.first_day.isoformat(),
                last_day=period.last_day.isoformat(),
            ),
        )
        builder.adjust(len(STANDARD_PERIODS), 1)
    else:
        for action, text in (
            (StatsAction.CHARTS, texts.CHARTS_BUTTON),
            (StatsAction.EXPORT, texts.EXPORT_BUTTON),
        ):
            builder.button(
                text=text,
                callback_data=StatsCb(action=action, channel_id=channel_id, days=days),
            )
        builder.adjust(len(STANDARD_PERIODS), 2)
    return builder.as_markup()
