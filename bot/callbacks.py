"""Callback data of every inline button, as aiogram CallbackData factories."""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class ChannelAction(StrEnum):
    REMOVE = "rm"
    RESUME = "re"


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
