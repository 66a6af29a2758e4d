"""Inline keyboards."""

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import callbacks
from bot.i18n_texts import alerts as alerts_texts
from bot.i18n_texts import api as api_texts
from bot.i18n_texts import billing as billing_texts
from bot.i18n_texts import channels as channels_texts
from bot.i18n_texts import common as common_texts
from bot.i18n_texts import copies as copies_texts
from bot.i18n_texts import exports as exports_texts
from bot.i18n_texts import insights as insights_texts
from bot.i18n_texts import miniapp as miniapp_texts
from bot.i18n_texts import plans as plans_texts
from bot.i18n_texts import preferences as preferences_texts
from bot.i18n_texts import share as share_texts
from bot.i18n_texts import start as start_texts
from bot.i18n_texts import stats as stats_texts
from bot.i18n_texts import watermark as watermark_texts
from bot.i18n_texts import webhooks as webhook_texts
from bot.paging import Page
from services.analytics import STANDARD_PERIODS, Period
from services.domain.alerts import AlertRuleRecord
from services.domain.api_keys import ApiKeyRecord
from services.domain.channels import ChannelRecord, ChannelSummary
from services.domain.copies import WatchedChannelRecord
from services.domain.share_links import ShareLinkRecord
from services.domain.watermarks import PresetName
from services.domain.webhooks import SUBSCRIBABLE, WebhookEndpointRecord, WebhookEventType
from services.entitlements import within_cap
from services.i18n import Language, Translator
from services.plans import Plan
from services.share_links import LIFETIME_HOURS
from services.watermark_image import Position
from services.watermarks import MarkPanel

# The rights the bot asks for when added from the deep link: reading needs admin, nothing more.
_ADMIN_RIGHTS = "manage_chat"


def add_to_channel_url(bot_username: str) -> str:
    """Telegram's deep link that opens "add this bot to a channel as admin"."""
    return f"https://t.me/{bot_username}?startchannel&admin={_ADMIN_RIGHTS}"


# /start payloads beginning with this open a share link's report in chat.
SHARE_START_PREFIX = "r_"


def share_deep_link(bot_username: str, token: str) -> str:
    """Telegram's link that opens the bot and shows a share link's report in chat."""
    return f"https://t.me/{bot_username}?start={SHARE_START_PREFIX}{token}"


def _buttons(buttons: Iterable[tuple[str, CallbackData]], *row_widths: int) -> InlineKeyboardMarkup:
    """A keyboard of (text, callback data) buttons in rows of these widths, the last repeated;
    with no widths, in one row."""
    builder = InlineKeyboardBuilder()
    for text, callback_data in buttons:
        builder.button(text=text, callback_data=callback_data)
    if row_widths:
        builder.adjust(*row_widths)
    return builder.as_markup()


def start_keyboard(t: Translator, bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(start_texts.ADD_TO_CHANNEL_BUTTON),
                    url=add_to_channel_url(bot_username),
                )
            ]
        ]
    )


def add_page_turns(
    builder: InlineKeyboardBuilder,
    page: Page,
    to_page: callbacks.ListKind | Callable[[int], CallbackData],
) -> None:
    """◀ and ▶ to the neighbouring pages, in a row of their own below the items' buttons: a
    PageCb of the list's kind, or the list's own callback data for page `number`."""

    def callback_data(number: int) -> CallbackData:
        if isinstance(to_page, callbacks.ListKind):
            return callbacks.PageCb(kind=to_page, page=number)
        return to_page(number)

    turns = [
        InlineKeyboardButton(text=text, callback_data=callback_data(number).pack())
        for text, number, exists in (
            (common_texts.PREVIOUS_PAGE_BUTTON, page.number - 1, page.number > 1),
            (common_texts.NEXT_PAGE_BUTTON, page.number + 1, page.number < page.count),
        )
        if exists
    ]
    if turns:
        builder.row(*turns)


def channels_keyboard(
    t: Translator, page: Page[ChannelSummary], *, with_stats: bool
) -> InlineKeyboardMarkup:
    """Per channel its stats (when analytics is on), and remove or resume."""
    builder = InlineKeyboardBuilder()
    for summary in page.items:
        channel = summary.channel
        if with_stats:
            builder.button(
                text=t(stats_texts.STATS_BUTTON, title=channel.title),
                callback_data=callbacks.ChannelCb(
                    action=callbacks.ChannelAction.STATS, channel_id=channel.id
                ),
            )
        if channel.is_tracked:
            text = t(channels_texts.REMOVE_BUTTON, title=channel.title)
            action = callbacks.ChannelAction.REMOVE
        else:
            text = t(channels_texts.RESUME_BUTTON, title=channel.title)
            action = callbacks.ChannelAction.RESUME
        builder.button(
            text=text, callback_data=callbacks.ChannelCb(action=action, channel_id=channel.id)
        )
    builder.adjust(1)
    add_page_turns(builder, page, callbacks.ListKind.CHANNELS)
    return builder.as_markup()


def choose_channel_keyboard(
    channels: list[ChannelRecord], action: callbacks.ChannelAction | Callable[[int], CallbackData]
) -> InlineKeyboardMarkup:
    if not isinstance(action, callbacks.ChannelAction):
        return _channel_choice(channels, action)
    return _channel_choice(
        channels, lambda channel_id: callbacks.ChannelCb(action=action, channel_id=channel_id)
    )


def _channel_choice(
    channels: list[ChannelRecord], callback_data: Callable[[int], CallbackData]
) -> InlineKeyboardMarkup:
    """One button per channel, by @username or title."""
    builder = InlineKeyboardBuilder()
    for channel in channels:
        builder.button(text=channel.display_name, callback_data=callback_data(channel.id))
    builder.adjust(1)
    return builder.as_markup()


def remove_confirm_keyboard(t: Translator, channel_id: int) -> InlineKeyboardMarkup:
    return _buttons(
        (
            (t(text), callbacks.RemoveCb(mode=mode, channel_id=channel_id))
            for mode, text in (
                (callbacks.RemoveMode.KEEP, channels_texts.REMOVE_KEEP_BUTTON),
                (callbacks.RemoveMode.DELETE, channels_texts.REMOVE_DELETE_BUTTON),
                (callbacks.RemoveMode.CANCEL, channels_texts.REMOVE_CANCEL_BUTTON),
            )
        ),
        1,
    )


def upgrade_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return _buttons(
        [(t(plans_texts.UPGRADE_BUTTON), callbacks.PlanCb(action=callbacks.PlanAction.UPGRADE))]
    )


def watermark_keyboard(t: Translator, panel: MarkPanel) -> InlineKeyboardMarkup:
    """The /watermark panel: each button previews a change; Apply makes it the mark."""
    builder = InlineKeyboardBuilder()

    def add(text: str, action: callbacks.WatermarkAction, value: str = "") -> None:
        builder.button(text=text, callback_data=callbacks.WatermarkCb(action=action, value=value))

    for position in Position:
        marker = "✅ " if position is panel.spec.position else ""
        add(
            marker + watermark_texts.position_button(t, position),
            callbacks.WatermarkAction.POSITION,
            position.value,
        )
    add(t(watermark_texts.SMALLER_BUTTON), callbacks.WatermarkAction.SIZE, "-")
    add(t(watermark_texts.LARGER_BUTTON), callbacks.WatermarkAction.SIZE, "+")
    add(t(watermark_texts.FAINTER_BUTTON), callbacks.WatermarkAction.OPACITY, "-")
    add(t(watermark_texts.STRONGER_BUTTON), callbacks.WatermarkAction.OPACITY, "+")
    for color, (button, _) in watermark_texts.COLORS.items():
        add(button, callbacks.WatermarkAction.COLOR, color.removeprefix("#"))
    add(t(watermark_texts.TEXT_BUTTON), callbacks.WatermarkAction.TEXT)
    add(t(watermark_texts.LOGO_BUTTON), callbacks.WatermarkAction.LOGO)
    add(t(watermark_texts.SAVE_BUTTON), callbacks.WatermarkAction.SAVE)
    add(t(watermark_texts.PRESETS_BUTTON), callbacks.WatermarkAction.PRESETS)
    rows = [3, 3, 3, 1, 2, 2, len(watermark_texts.COLORS), 2, 2]
    if panel.has_draft:
        add(t(watermark_texts.APPLY_BUTTON), callbacks.WatermarkAction.APPLY)
        add(t(watermark_texts.DISCARD_BUTTON), callbacks.WatermarkAction.DISCARD)
        rows.append(2)
    builder.adjust(*rows)
    return builder.as_markup()


def watermark_presets_keyboard(
    t: Translator, presets: list[PresetName], current: str | None
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for preset in presets:
        marker = "✅ " if preset.name == current else ""
        builder.button(
            text=marker + preset.name,
            callback_data=callbacks.WatermarkCb(
                action=callbacks.WatermarkAction.PRESET, value=str(preset.id)
            ),
        )
    builder.button(
        text=t(watermark_texts.BACK_BUTTON),
        callback_data=callbacks.WatermarkCb(action=callbacks.WatermarkAction.BACK),
    )
    builder.adjust(1)
    return builder.as_markup()


def watermark_channels_keyboard(channels: list[ChannelRecord]) -> InlineKeyboardMarkup:
    return _channel_choice(
        channels,
        lambda channel_id: callbacks.WatermarkCb(
            action=callbacks.WatermarkAction.CHANNEL, value=str(channel_id)
        ),
    )


def stats_keyboard(
    t: Translator,
    channel_id: int,
    period: Period,
    *,
    days: int | None,
    insights: bool = False,
    dashboard_url: str | None = None,
) -> InlineKeyboardMarkup:
    """Period switches (the shown one marked), then Charts and Share, Export CSV and Excel.

    `days` is the length of a "last N days" period; None for a from–to range, whose buttons
    carry its dates in StatsRangeCb. A range has no Share: a share link shows the last N days.
    """
    builder = InlineKeyboardBuilder()
    for length in STANDARD_PERIODS:
        label = stats_texts.period_button(t, length, current=length == days)
        builder.button(
            text=label,
            callback_data=callbacks.StatsCb(
                action=callbacks.StatsAction.PERIOD, channel_id=channel_id, days=length
            ),
        )
    actions = [
        (callbacks.StatsAction.CHARTS, stats_texts.CHARTS_BUTTON),
        (callbacks.StatsAction.EXPORT, stats_texts.EXPORT_BUTTON),
        (callbacks.StatsAction.EXPORT_EXCEL, exports_texts.EXCEL_BUTTON),
    ]
    if days is not None:
        actions.append((callbacks.StatsAction.SHARE, stats_texts.SHARE_BUTTON))
    for action, text in actions:
        builder.button(
            text=t(text), callback_data=period_callback(action, channel_id, period, days)
        )
    if insights:
        builder.button(
            text=t(insights_texts.INSIGHTS_BUTTON),
            callback_data=callbacks.ChannelCb(
                action=callbacks.ChannelAction.INSIGHTS, channel_id=channel_id
            ),
        )
    # The two exports side by side: four buttons a row would cut their labels short on a phone.
    builder.adjust(len(STANDARD_PERIODS), 1, 2, 1)
    if dashboard_url is not None:  # opens on this channel
        builder.row(
            InlineKeyboardButton(
                text=t(miniapp_texts.OPEN_BUTTON),
                web_app=WebAppInfo(url=f"{dashboard_url}?channel={channel_id}"),
            )
        )
    return builder.as_markup()


def insights_keyboard(
    t: Translator, channel_id: int, *, again: bool = False
) -> InlineKeyboardMarkup:
    """Score a draft for the channel (again, under a score)."""
    text = insights_texts.SCORE_ANOTHER_BUTTON if again else insights_texts.SCORE_BUTTON
    return _buttons(
        [
            (
                t(text),
                callbacks.ChannelCb(action=callbacks.ChannelAction.SCORE, channel_id=channel_id),
            )
        ]
    )


def period_callback(
    action: callbacks.StatsAction, channel_id: int, period: Period, days: int | None
) -> callbacks.StatsCb | callbacks.StatsRangeCb:
    """A button acting on a channel's period: the last `days` days, or a from–to range."""
    if days is not None:
        return callbacks.StatsCb(action=action, channel_id=channel_id, days=days)
    return callbacks.StatsRangeCb(
        action=action,
        channel_id=channel_id,
        first_day=period.first_day,
        last_day=period.last_day,
    )


# A period in days, or a lifetime in hours (None: no expiry).
_Choice = TypeVar("_Choice", int, int | None)


def _capped_choices(
    values: Sequence[_Choice],
    label: Callable[[_Choice], str],
    choose: Callable[[_Choice], CallbackData],
    *,
    cap: int | None,
    per_row: int,
) -> InlineKeyboardMarkup:
    """A button per value; those beyond the plan's cap are locked (and refused if pressed)."""
    builder = InlineKeyboardBuilder()
    for value in values:
        locked = not within_cap(value, cap)
        builder.button(
            text=share_texts.locked_label(label(value), locked=locked), callback_data=choose(value)
        )
    builder.adjust(per_row)
    return builder.as_markup()


def share_period_keyboard(
    t: Translator, channel_id: int, *, max_days: int | None
) -> InlineKeyboardMarkup:
    """The periods a link can show."""
    return _capped_choices(
        STANDARD_PERIODS,
        lambda days: share_texts.days_label(t, days),
        lambda days: callbacks.ShareCb(
            step=callbacks.ShareStep.PERIOD, channel_id=channel_id, days=days
        ),
        cap=max_days,
        per_row=len(STANDARD_PERIODS),
    )


def share_lifetime_keyboard(
    t: Translator, channel_id: int, days: int, *, max_hours: int | None
) -> InlineKeyboardMarkup:
    """How long a link works: some hours, or with no expiry (None)."""
    return _capped_choices(
        LIFETIME_HOURS,
        lambda hours: share_texts.lifetime_label(t, hours),
        lambda hours: callbacks.ShareCb(
            step=callbacks.ShareStep.LIFETIME, channel_id=channel_id, days=days, hours=hours or 0
        ),
        cap=max_hours,
        per_row=2,
    )


def share_links_keyboard(t: Translator, page: Page[ShareLinkRecord]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for number, link in page.numbered():
        builder.button(
            text=t(share_texts.REVOKE_BUTTON, number=number),
            callback_data=callbacks.ShareLinkCb(
                action=callbacks.ShareLinkAction.REVOKE, link_id=link.id, page=page.number
            ),
        )
    builder.adjust(2)
    add_page_turns(builder, page, callbacks.ListKind.SHARE_LINKS)
    return builder.as_markup()


def subscribe_keyboard(t: Translator, plans: list[Plan], *, card: bool) -> InlineKeyboardMarkup:
    """One row per plan: pay by card (when Stripe is set up) or in Telegram Stars."""
    builder = InlineKeyboardBuilder()
    for plan in plans:
        if card:
            builder.button(
                text=billing_texts.buy_by_card_button(t, plan),
                callback_data=callbacks.BuyCb(plan=plan.code, rail=callbacks.PaymentRail.CARD),
            )
        builder.button(
            text=billing_texts.buy_with_stars_button(t, plan),
            callback_data=callbacks.BuyCb(plan=plan.code, rail=callbacks.PaymentRail.STARS),
        )
    builder.adjust(2 if card else 1)
    return builder.as_markup()


def link_keyboard(text: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, url=url)]])


def cancel_confirm_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return _buttons(
        [
            (
                t(billing_texts.CANCEL_CONFIRM_BUTTON),
                callbacks.CancelCb(answer=callbacks.CancelAnswer.CONFIRM),
            ),
            (
                t(billing_texts.CANCEL_KEEP_BUTTON),
                callbacks.CancelCb(answer=callbacks.CancelAnswer.KEEP),
            ),
        ],
        1,
    )


def alerts_keyboard(t: Translator, page: Page[AlertRuleRecord]) -> InlineKeyboardMarkup:
    """Pause/Resume, Delete and Test for each numbered rule, the page turns, Add and History."""
    builder = InlineKeyboardBuilder()
    for number, rule in page.numbered():
        toggle = (
            (alerts_texts.RESUME_BUTTON, callbacks.AlertAction.RESUME)
            if rule.paused
            else (alerts_texts.PAUSE_BUTTON, callbacks.AlertAction.PAUSE)
        )
        for text, action in (
            toggle,
            (alerts_texts.DELETE_BUTTON, callbacks.AlertAction.DELETE),
            (alerts_texts.TEST_BUTTON, callbacks.AlertAction.TEST),
        ):
            builder.button(
                text=t(text, number=number),
                callback_data=callbacks.AlertCb(action=action, rule_id=rule.id, page=page.number),
            )
    builder.adjust(3)
    add_page_turns(builder, page, callbacks.ListKind.ALERT_RULES)
    builder.row(
        InlineKeyboardButton(
            text=t(alerts_texts.ADD_ALERT_BUTTON),
            callback_data=callbacks.AlertMenuCb(action=callbacks.AlertMenuAction.ADD).pack(),
        ),
        InlineKeyboardButton(
            text=t(alerts_texts.HISTORY_BUTTON),
            callback_data=callbacks.AlertMenuCb(action=callbacks.AlertMenuAction.HISTORY).pack(),
        ),
    )
    return builder.as_markup()


def alert_keyboard(t: Translator, rule: AlertRuleRecord) -> InlineKeyboardMarkup:
    """Under a delivered alert: the channel's stats for the week, and muting the rule."""
    return _buttons(
        [
            (
                t(alerts_texts.VIEW_STATS_BUTTON),
                callbacks.StatsCb(
                    action=callbacks.StatsAction.PERIOD, channel_id=rule.channel_id, days=7
                ),
            ),
            (
                t(alerts_texts.MUTE_BUTTON),
                callbacks.AlertCb(action=callbacks.AlertAction.MUTE, rule_id=rule.id),
            ),
        ]
    )


def _wizard_cancel(t: Translator, builder: InlineKeyboardBuilder) -> None:
    builder.button(
        text=t(alerts_texts.CANCEL_BUTTON),
        callback_data=callbacks.AlertWizardCb(action=callbacks.AlertWizardAction.CANCEL),
    )


def alert_kinds_keyboard(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in alerts_texts.KINDS:
        builder.button(
            text=alerts_texts.kind_name(t, kind),
            callback_data=callbacks.AlertWizardCb(
                action=callbacks.AlertWizardAction.KIND, value=kind.value
            ),
        )
    _wizard_cancel(t, builder)
    builder.adjust(2)
    return builder.as_markup()


def alert_channels_keyboard(t: Translator, channels: list[ChannelRecord]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for channel in channels:
        builder.button(
            text=channel.display_name,
            callback_data=callbacks.AlertWizardCb(
                action=callbacks.AlertWizardAction.CHANNEL, value=str(channel.id)
            ),
        )
    _wizard_cancel(t, builder)
    builder.adjust(1)
    return builder.as_markup()


def alert_answer_keyboard(t: Translator, default: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t(alerts_texts.USE_DEFAULT_BUTTON, default=default),
        callback_data=callbacks.AlertWizardCb(action=callbacks.AlertWizardAction.DEFAULT),
    )
    _wizard_cancel(t, builder)
    return builder.as_markup()


def preferences_keyboard(t: Translator, *, digest: bool | None = None) -> InlineKeyboardMarkup:
    """Time zone and quiet hours, then a button per language, the one in use ticked, then the
    weekly digest's switch (digest: whether it is on; None where insights are off)."""
    buttons: list[tuple[str, CallbackData]] = [
        (t(text), callbacks.PreferenceCb(action=action))
        for text, action in (
            (preferences_texts.TIME_ZONE_BUTTON, callbacks.PreferenceAction.TIME_ZONE),
            (preferences_texts.QUIET_HOURS_BUTTON, callbacks.PreferenceAction.QUIET_HOURS),
        )
    ]
    for language in Language:
        name = preferences_texts.LANGUAGE_NAMES[language]
        buttons.append(
            (f"✓ {name}" if language == t.locale else name, callbacks.LanguageCb(language=language))
        )
    if digest is not None:
        text = insights_texts.DIGEST_ON_BUTTON if digest else insights_texts.DIGEST_OFF_BUTTON
        buttons.append((t(text), callbacks.PreferenceCb(action=callbacks.PreferenceAction.DIGEST)))
    return _buttons(buttons, 2)


def webhooks_keyboard(
    t: Translator, endpoints: list[WebhookEndpointRecord]
) -> InlineKeyboardMarkup:
    """/webhooks: one button per endpoint, then Add."""
    builder = InlineKeyboardBuilder()
    for endpoint in endpoints:
        builder.button(
            text=t(webhook_texts.OPEN_BUTTON, id=endpoint.id),
            callback_data=callbacks.WebhookCb(
                action=callbacks.WebhookAction.OPEN, endpoint_id=endpoint.id
            ),
        )
    builder.button(
        text=t(webhook_texts.ADD_BUTTON),
        callback_data=callbacks.WebhookCb(action=callbacks.WebhookAction.ADD),
    )
    rows = [3] * (len(endpoints) // 3) + ([len(endpoints) % 3] if len(endpoints) % 3 else [])
    builder.adjust(*rows, 1)
    return builder.as_markup()


def webhook_events_keyboard(t: Translator, chosen: set[WebhookEventType]) -> InlineKeyboardMarkup:
    """A new endpoint's events, each a toggle, then Save and Cancel."""
    toggles = [
        (
            webhook_texts.event_button(t, event, event in chosen),
            callbacks.WebhookWizardCb(action=callbacks.WebhookWizardAction.TOGGLE, event=index),
        )
        for index, event in enumerate(SUBSCRIBABLE)
    ]
    finish = [
        (t(text), callbacks.WebhookWizardCb(action=action))
        for text, action in (
            (webhook_texts.SAVE_BUTTON, callbacks.WebhookWizardAction.SAVE),
            (webhook_texts.CANCEL_BUTTON, callbacks.WebhookWizardAction.CANCEL),
        )
    ]
    return _buttons(toggles + finish, *([1] * len(SUBSCRIBABLE)), 2)


def webhook_endpoint_keyboard(
    t: Translator, endpoint: WebhookEndpointRecord
) -> InlineKeyboardMarkup:
    """Under an endpoint: Test, Deliveries, Enable (when disabled), Delete, Back."""
    builder = InlineKeyboardBuilder()
    actions = [
        (webhook_texts.TEST_BUTTON, callbacks.WebhookAction.TEST),
        (webhook_texts.LOG_BUTTON, callbacks.WebhookAction.LOG),
    ]
    if not endpoint.enabled:
        actions.append((webhook_texts.ENABLE_BUTTON, callbacks.WebhookAction.ENABLE))
    actions += [
        (webhook_texts.DELETE_BUTTON, callbacks.WebhookAction.DELETE),
        (webhook_texts.BACK_BUTTON, callbacks.WebhookAction.LIST),
    ]
    for text, action in actions:
        builder.button(
            text=t(text), callback_data=callbacks.WebhookCb(action=action, endpoint_id=endpoint.id)
        )
    builder.adjust(2)
    return builder.as_markup()


def watched_keyboard(t: Translator, page: Page[WatchedChannelRecord]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for number, channel in page.numbered():
        builder.button(
            text=t(copies_texts.REMOVE_BUTTON, number=number),
            callback_data=callbacks.WatchCb(watched_id=channel.id, page=page.number),
        )
    builder.adjust(2)
    add_page_turns(builder, page, callbacks.ListKind.WATCHED)
    return builder.as_markup()


def copy_alert_keyboard(t: Translator, firing_id: int) -> InlineKeyboardMarkup:
    """Under a copy alert: Not a copy, and Ignore this channel."""
    not_a_copy = callbacks.CopyCb(action=callbacks.CopyAction.NOT_A_COPY, firing_id=firing_id)
    ignore = callbacks.CopyCb(action=callbacks.CopyAction.IGNORE_CHANNEL, firing_id=firing_id)
    return _buttons(
        [(t(copies_texts.NOT_A_COPY_BUTTON), not_a_copy), (t(copies_texts.IGNORE_BUTTON), ignore)],
        1,
    )


def api_keys_keyboard(t: Translator, keys: Sequence[ApiKeyRecord]) -> InlineKeyboardMarkup:
    """/api: a key of each kind to create, and a revoke button per key."""
    builder = InlineKeyboardBuilder()
    for text, can_write in (
        (api_texts.NEW_READ_ONLY_BUTTON, False),
        (api_texts.NEW_READ_WRITE_BUTTON, True),
    ):
        builder.button(text=t(text), callback_data=callbacks.ApiKeyNewCb(can_write=can_write))
    for number, key in enumerate(keys, 1):
        builder.button(
            text=t(api_texts.REVOKE_BUTTON, number=number),
            callback_data=callbacks.ApiKeyRevokeCb(key_id=key.id),
        )
    builder.adjust(1, 1, 2)
    return builder.as_markup()
