"""Inline keyboards."""

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.callbacks import (
    AlertAction,
    AlertCb,
    AlertMenuAction,
    AlertMenuCb,
    AlertWizardAction,
    AlertWizardCb,
    ChannelAction,
    ChannelCb,
    PlanAction,
    PlanCb,
    PreferenceAction,
    PreferenceCb,
    RemoveCb,
    RemoveMode,
    StatsAction,
    StatsCb,
)
from db.alerts import AlertRuleRecord
from db.channels import ChannelRecord, ChannelSummary

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


def channels_keyboard(summaries: list[ChannelSummary]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for summary in summaries:
        channel = summary.channel
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


def alerts_keyboard(rules: list[AlertRuleRecord]) -> InlineKeyboardMarkup:
    """Pause/Resume, Delete and Test for each numbered rule, then Add and History."""
    builder = InlineKeyboardBuilder()
    for number, rule in enumerate(rules, 1):
        toggle = (
            (texts.RESUME_ALERT_BUTTON, AlertAction.RESUME)
            if rule.paused
            else (texts.PAUSE_BUTTON, AlertAction.PAUSE)
        )
        for text, action in (
            toggle,
            (texts.DELETE_BUTTON, AlertAction.DELETE),
            (texts.TEST_BUTTON, AlertAction.TEST),
        ):
            builder.button(
                text=text.format(number=number),
                callback_data=AlertCb(action=action, rule_id=rule.id),
            )
    builder.button(
        text=texts.ADD_ALERT_BUTTON, callback_data=AlertMenuCb(action=AlertMenuAction.ADD)
    )
    builder.button(
        text=texts.HISTORY_BUTTON, callback_data=AlertMenuCb(action=AlertMenuAction.HISTORY)
    )
    builder.adjust(*([3] * len(rules)), 2)
    return builder.as_markup()


def alert_keyboard(rule: AlertRuleRecord) -> InlineKeyboardMarkup:
    """Under a delivered alert: the channel's stats for the week, and muting the rule."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.VIEW_STATS_BUTTON,
        callback_data=StatsCb(action=StatsAction.PERIOD, channel_id=rule.channel_id, days=7),
    )
    builder.button(
        text=texts.MUTE_BUTTON, callback_data=AlertCb(action=AlertAction.MUTE, rule_id=rule.id)
    )
    return builder.as_markup()


def _wizard_cancel(builder: InlineKeyboardBuilder) -> None:
    builder.button(
        text=texts.CANCEL_BUTTON, callback_data=AlertWizardCb(action=AlertWizardAction.CANCEL)
    )


def alert_kinds_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind, (emoji, name, _) in texts.ALERT_KINDS.items():
        builder.button(
            text=f"{emoji} {name}",
            callback_data=AlertWizardCb(action=AlertWizardAction.KIND, value=kind.value),
        )
    _wizard_cancel(builder)
    builder.adjust(2)
    return builder.as_markup()


def alert_channels_keyboard(channels: list[ChannelRecord]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for channel in channels:
        builder.button(
            text=channel.display_name,
            callback_data=AlertWizardCb(action=AlertWizardAction.CHANNEL, value=str(channel.id)),
        )
    _wizard_cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def alert_answer_keyboard(default: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.use_default_button(default),
        callback_data=AlertWizardCb(action=AlertWizardAction.DEFAULT),
    )
    _wizard_cancel(builder)
    return builder.as_markup()


def preferences_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.TIME_ZONE_BUTTON, callback_data=PreferenceCb(action=PreferenceAction.TIME_ZONE)
    )
    builder.button(
        text=texts.QUIET_HOURS_BUTTON,
        callback_data=PreferenceCb(action=PreferenceAction.QUIET_HOURS),
    )
    return builder.as_markup()
