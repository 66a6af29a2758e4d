"""Callback data of every inline button, as aiogram CallbackData factories."""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from services.i18n import Language


class ChannelAction(StrEnum):
    REMOVE = "rm"
    RESUME = "re"
    STATS = "st"
    SHARE = "sh"


class ChannelCb(CallbackData, prefix="ch"):
    action: ChannelAction
    channel_id: int


class RemoveMode(StrEnum):
    KEEP = "keep"
    DELETE = "del"
    CANCEL = "no"


class RemoveCb(CallbackData, prefix="rm"):
    mode: RemoveMode
    channel_id: int


class StatsAction(StrEnum):
    PERIOD = "p"
    CHARTS = "c"
    EXPORT = "e"
    SHARE = "s"


class StatsCb(CallbackData, prefix="st"):
    """A button under /stats: switch period, or act on this channel and period."""

    action: StatsAction
    channel_id: int
    days: int


class StatsRangeCb(CallbackData, prefix="sr"):
    """Charts of a /stats message for a from–to range, which StatsCb's `days` cannot hold."""

    action: StatsAction
    channel_id: int
    first_day: str  # ISO dates: callback data has no date type
    last_day: str


class PlanAction(StrEnum):
    UPGRADE = "up"


class PlanCb(CallbackData, prefix="pl"):
    action: PlanAction


class AlertAction(StrEnum):
    PAUSE = "p"
    RESUME = "r"
    DELETE = "d"
    TEST = "t"
    MUTE = "m"


class AlertCb(CallbackData, prefix="al"):
    """A button acting on one alert rule: in /alerts, or under a delivered alert."""

    action: AlertAction
    rule_id: int


class AlertMenuAction(StrEnum):
    ADD = "add"
    HISTORY = "hist"


class AlertMenuCb(CallbackData, prefix="am"):
    action: AlertMenuAction


class AlertWizardAction(StrEnum):
    KIND = "k"
    CHANNEL = "c"
    DEFAULT = "d"
    CANCEL = "x"


class AlertWizardCb(CallbackData, prefix="aw"):
    """A step of the new-alert wizard: value is the kind or the channel id."""

    action: AlertWizardAction
    value: str = ""


class PreferenceAction(StrEnum):
    TIME_ZONE = "tz"
    QUIET_HOURS = "qh"


class PreferenceCb(CallbackData, prefix="pf"):
    action: PreferenceAction


class LanguageCb(CallbackData, prefix="lang"):
    """A language button under /settings; a value outside Language is refused as stale."""

    language: Language


class PaymentRail(StrEnum):
    CARD = "card"
    STARS = "stars"


class BuyCb(CallbackData, prefix="buy"):
    """A button under /subscribe: this plan, paid this way."""

    plan: str
    rail: PaymentRail


class CancelAnswer(StrEnum):
    CONFIRM = "yes"
    KEEP = "no"


class CancelCb(CallbackData, prefix="cx"):
    answer: CancelAnswer


class WatermarkAction(StrEnum):
    POSITION = "pos"  # value: a Position
    SIZE = "size"  # value: "+" or "-"
    OPACITY = "op"  # value: "+" or "-"
    COLOR = "col"  # value: RRGGBB
    TEXT = "text"
    LOGO = "logo"
    APPLY = "ok"
    DISCARD = "undo"
    SAVE = "save"
    PRESETS = "list"
    PRESET = "use"  # value: a preset id
    BACK = "back"
    CHANNEL = "ch"  # value: a channel id


class WatermarkCb(CallbackData, prefix="wm"):
    """A button of the /watermark panel, or the answer to "which channel's @username?"."""

    action: WatermarkAction
    value: str = ""


class ShareStep(StrEnum):
    PERIOD = "p"
    LIFETIME = "l"


class ShareCb(CallbackData, prefix="sh"):
    """Making a share link: a period pressed, then a lifetime."""

    step: ShareStep
    channel_id: int
    days: int
    hours: int = 0  # the lifetime pressed (step LIFETIME); 0: no expiry


class ShareLinkAction(StrEnum):
    REVOKE = "rv"


class ShareLinkCb(CallbackData, prefix="sl"):
    action: ShareLinkAction
    link_id: int
