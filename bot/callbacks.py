"""Callback data of every inline button, as aiogram CallbackData factories.

Callback data come back from the client and can be forged: every field is typed and bounded,
so forged data fail validation, match no handler and get the fallback's stale-button answer.
"""

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from aiogram.filters.callback_data import CallbackData
from pydantic import AfterValidator, Field, PlainSerializer, model_validator

from services.analytics import EARLIEST_DAY, MAX_PERIOD_DAYS
from services.billing import paid_plan
from services.bounds import INT64_MAX, bounded_int
from services.domain.alerts import AlertKind
from services.domain.webhooks import SUBSCRIBABLE
from services.i18n import Language
from services.share_links import LIFETIME_HOURS
from services.sources import LINK_LIFETIME_DAYS
from services.watermark_image import Position

# Telegram's ids and the database's serials are bigints: a larger number can only be forged.
TelegramId = Annotated[int, Field(ge=-INT64_MAX, le=INT64_MAX)]
RowId = Annotated[int, Field(ge=1, le=INT64_MAX)]
PeriodDays = Annotated[int, Field(ge=1, le=MAX_PERIOD_DAYS)]
# Packed as an ISO date (aiogram packs no dates); the upper bound keeps date.max, which asyncpg
# sends as 'infinity', out. Whether the day is past is checked where "today" is known.
Day = Annotated[
    date,
    Field(ge=EARLIEST_DAY, le=date(2999, 12, 31)),
    PlainSerializer(date.isoformat, return_type=str),
]

# A page number past any list a plan allows is forged; the filter refuses it. PAGE_SIZE times
# this must exceed every plan's cap (tests/bot/test_paging.py holds it).
MAX_PAGE = 100
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]


class ListKind(StrEnum):
    SHARE_LINKS = "sl"
    ALERT_RULES = "ar"
    CHANNELS = "ch"
    WATCHED = "wa"


class PageCb(CallbackData, prefix="pg"):
    """◀ or ▶ under a paged list: show that page of that list."""

    kind: ListKind
    page: PageNumber


class ChannelAction(StrEnum):
    REMOVE = "rm"
    RESUME = "re"
    STATS = "st"
    SHARE = "sh"
    INSIGHTS = "in"
    SCORE = "sc"  # Score a draft


class ChannelCb(CallbackData, prefix="ch"):
    action: ChannelAction
    channel_id: TelegramId


class RemoveMode(StrEnum):
    KEEP = "keep"
    DELETE = "del"
    CANCEL = "no"


class RemoveCb(CallbackData, prefix="rm"):
    mode: RemoveMode
    channel_id: TelegramId


class StatsAction(StrEnum):
    PERIOD = "p"
    CHARTS = "c"
    EXPORT = "e"
    EXPORT_EXCEL = "x"  # the same files for a Russian Excel: `;`, decimal commas
    SHARE = "s"


class StatsCb(CallbackData, prefix="st"):
    """A button under /stats: switch period, or act on this channel and period."""

    action: StatsAction
    channel_id: TelegramId
    days: PeriodDays


class StatsRangeCb(CallbackData, prefix="sr"):
    """Charts of a /stats message for a from–to range, which StatsCb's `days` cannot hold."""

    action: StatsAction
    channel_id: TelegramId
    first_day: Day
    last_day: Day

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not 0 <= (self.last_day - self.first_day).days < MAX_PERIOD_DAYS:
            raise ValueError("a range ends after it starts, within MAX_PERIOD_DAYS")
        return self


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
    rule_id: RowId
    page: PageNumber = 1  # the /alerts page to show again afterwards


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
    """A step of the new-alert wizard: value is the kind (KIND) or the channel id (CHANNEL)."""

    action: AlertWizardAction
    value: str = ""

    @model_validator(mode="after")
    def _value_fits_action(self) -> Self:
        match self.action:
            case AlertWizardAction.KIND:
                AlertKind(self.value)
            case AlertWizardAction.CHANNEL:
                _number(self.value)
            case _:
                _nothing(self.value)
        return self

    @property
    def kind(self) -> AlertKind:
        return AlertKind(self.value)

    @property
    def channel_id(self) -> int:
        return int(self.value)


class PreferenceAction(StrEnum):
    TIME_ZONE = "tz"
    QUIET_HOURS = "qh"
    DIGEST = "dg"  # the weekly digest on or off


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

    plan: Annotated[str, AfterValidator(lambda code: paid_plan(code).code)]  # a paid plan's code
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

    @model_validator(mode="after")
    def _value_fits_action(self) -> Self:
        match self.action:
            case WatermarkAction.POSITION:
                Position(self.value)
            case WatermarkAction.SIZE | WatermarkAction.OPACITY:
                if self.value not in ("+", "-"):
                    raise ValueError(f"a step is + or -, not {self.value!r}")
            case WatermarkAction.COLOR:
                if not _RGB.fullmatch(self.value):
                    raise ValueError(f"a colour is RRGGBB, not {self.value!r}")
            case WatermarkAction.PRESET:
                _number(self.value, minimum=1)
            case WatermarkAction.CHANNEL:
                _number(self.value)
            case _:
                _nothing(self.value)
        return self

    @property
    def number(self) -> int:
        """The preset id (PRESET) or the channel id (CHANNEL)."""
        return int(self.value)


class ShareStep(StrEnum):
    PERIOD = "p"
    LIFETIME = "l"


class ShareCb(CallbackData, prefix="sh"):
    """Making a share link: a period pressed, then a lifetime."""

    step: ShareStep
    channel_id: TelegramId
    days: PeriodDays
    # The lifetime pressed (step LIFETIME); 0: no expiry.
    hours: Annotated[int, Field(ge=0, le=max(filter(None, LIFETIME_HOURS)))] = 0


class ShareLinkAction(StrEnum):
    REVOKE = "rv"


class ShareLinkCb(CallbackData, prefix="sl"):
    action: ShareLinkAction
    link_id: RowId
    page: PageNumber = 1  # the /shares page to show again afterwards


_RGB = re.compile(r"[0-9A-Fa-f]{6}", re.ASCII)


def _number(value: str, *, minimum: int = -INT64_MAX) -> None:
    if bounded_int(value, minimum=minimum) is None:
        raise ValueError(f"not an id: {value!r}")


def _nothing(value: str) -> None:
    if value:
        raise ValueError(f"this button carries no value, not {value!r}")


class WebhookAction(StrEnum):
    LIST = "ls"
    ADD = "add"
    OPEN = "op"
    TEST = "t"
    LOG = "log"
    ENABLE = "en"
    DELETE = "del"


class WebhookCb(CallbackData, prefix="wh"):
    """A button under /webhooks; endpoint_id 0 for the list and Add."""

    action: WebhookAction
    endpoint_id: Annotated[int, Field(ge=0, le=INT64_MAX)] = 0


class WebhookWizardAction(StrEnum):
    TOGGLE = "tg"
    SAVE = "sv"
    CANCEL = "cx"


class WebhookWizardCb(CallbackData, prefix="ww"):
    """Choosing a new endpoint's events: toggle one (by its place in SUBSCRIBABLE), or finish."""

    action: WebhookWizardAction
    event: Annotated[int, Field(ge=0, lt=len(SUBSCRIBABLE))] = 0


class LinksAction(StrEnum):
    LIST = "l"  # the channel's sources, page `page`
    OPEN = "o"  # one link: its numbers, Cost and Revoke
    NEW = "n"  # make a link
    COST = "c"
    REVOKE = "r"


class LinksCb(CallbackData, prefix="ln"):
    """A button of /links: the list of a channel's sources, or one link of it."""

    action: LinksAction
    channel_id: TelegramId
    link_id: Annotated[int, Field(ge=0, le=INT64_MAX)] = 0  # 0: no link (LIST, NEW)
    page: PageNumber = 1


class LinkKind(StrEnum):
    OPEN = "open"
    REQUESTS = "req"  # join requests, approved by an admin
    APPROVED = "auto"  # join requests the bot approves, with an optional welcome


class LinkStep(StrEnum):
    KIND = "k"  # value: a LinkKind
    LIFETIME = "t"  # value: days, or "0" for no expiry
    NO_LIMIT = "nl"
    NO_WELCOME = "nw"
    CANCEL = "x"


class LinkWizardCb(CallbackData, prefix="lw"):
    """A step of making an invite link under /links; the channel is in the dialog's data."""

    step: LinkStep
    value: str = ""

    @model_validator(mode="after")
    def _value_fits_step(self) -> Self:
        match self.step:
            case LinkStep.KIND:
                LinkKind(self.value)
            case LinkStep.LIFETIME:
                if int(self.value or "-1") not in {d or 0 for d in LINK_LIFETIME_DAYS}:
                    raise ValueError(f"not a lifetime offered: {self.value!r}")
            case _:
                _nothing(self.value)
        return self


class WatchCb(CallbackData, prefix="wa"):
    """Remove a watched channel from /watch's list (the page it was on is shown again)."""

    watched_id: RowId
    page: PageNumber


class CopyAction(StrEnum):
    NOT_A_COPY = "no"
    IGNORE_CHANNEL = "ig"


class CopyCb(CallbackData, prefix="cp"):
    """Under a copy alert: the firing it announced."""

    action: CopyAction
    firing_id: RowId


class CompareCb(CallbackData, prefix="cmp"):
    """/compare's "Which channel?": the owner's channel to compare, over the days asked."""

    channel_id: TelegramId
    days: PeriodDays


class ApiKeyNewCb(CallbackData, prefix="akn"):
    """/api's New key buttons: a read-only or a read-write one."""

    can_write: bool


class ApiKeyRevokeCb(CallbackData, prefix="akr"):
    key_id: RowId
