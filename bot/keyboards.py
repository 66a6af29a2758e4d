"""Inline keyboards."""

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.callbacks import (
    BuyCb,
    CancelAnswer,
    CancelCb,
    ChannelAction,
    ChannelCb,
    PaymentRail,
    PlanAction,
    PlanCb,
    RemoveCb,
    RemoveMode,
)
from db.channels import ChannelRecord, ChannelSummary
from services.plans import Plan

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


def subscribe_keyboard(plans: list[Plan], *, card: bool) -> InlineKeyboardMarkup:
    """One row per plan: pay by card (when Stripe is set up) or in Telegram Stars."""
    builder = InlineKeyboardBuilder()
    for plan in plans:
        if card:
            builder.button(
                text=texts.buy_by_card_button(plan),
                callback_data=BuyCb(plan=plan.code, rail=PaymentRail.CARD),
            )
        builder.button(
            text=texts.buy_with_stars_button(plan),
            callback_data=BuyCb(plan=plan.code, rail=PaymentRail.STARS),
        )
    builder.adjust(2 if card else 1)
    return builder.as_markup()


def link_keyboard(text: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, url=url)]])


def cancel_confirm_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.CANCEL_CONFIRM_BUTTON, callback_data=CancelCb(answer=CancelAnswer.CONFIRM)
    )
    builder.button(text=texts.CANCEL_KEEP_BUTTON, callback_data=CancelCb(answer=CancelAnswer.KEEP))
    builder.adjust(1)
    return builder.as_markup()
