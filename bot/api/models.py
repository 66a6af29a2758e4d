"""The REST API's requests and responses: pydantic models that validate what comes in and
generate the OpenAPI document (bot/api/openapi.py) from the same definitions."""

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from services.analytics import EARLIEST_DAY, ViewsStatus, user_time_zone
from services.bounds import INT64_MAX
from services.domain.alerts import RULE_KINDS, AlertKind
from services.domain.webhooks import SUBSCRIBABLE

TelegramId = Annotated[int, Field(ge=-INT64_MAX, le=INT64_MAX)]
RowId = Annotated[int, Field(ge=1, le=INT64_MAX)]
# A day anyone can have numbers for; the upper bound keeps date.max ('infinity') out.
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=date(2999, 12, 31))]
# Literal over a tuple is Literal over its items: the OpenAPI enum lists exactly these.
RuleKind = Literal[RULE_KINDS]  # type: ignore[valid-type]
TimeZone = Annotated[str, Field(description="The owner's time zone (IANA), as set in /settings")]


def local(moment: datetime | None, time_zone: str) -> datetime | None:
    """A moment in the owner's time zone: ISO 8601 with the offset of that zone."""
    return moment.astimezone(user_time_zone(time_zone)) if moment is not None else None


class ApiModel(BaseModel):
    # from_attributes: a field may be given a service's record (a dataclass) of the same fields.
    model_config = ConfigDict(populate_by_name=True, extra="ignore", from_attributes=True)

    @classmethod
    def of(cls, record: object, time_zone: str | None = None, **fields: Any) -> Self:
        """The model of a service's record, read field by field; given the owner's time zone,
        its moments are in that zone and its time_zone names it. `fields` add or replace."""
        values = {name: getattr(record, name) for name in cls.model_fields if hasattr(record, name)}
        if time_zone is not None:
            values = {
                name: local(value, time_zone) if isinstance(value, datetime) else value
                for name, value in values.items()
            }
            values["time_zone"] = time_zone
        return cls.model_validate(values | fields)


class Problem(ApiModel):
    """An error, as RFC 9457 (application/problem+json) describes it."""

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="For 422: each invalid parameter and why"
    )


# ------------------------------------------------------------------ path parameters


class ChannelPath(ApiModel):
    channel_id: TelegramId = Field(description="The channel's Telegram id (-100…)")


class RulePath(ApiModel):
    rule_id: RowId


class EndpointPath(ApiModel):
    endpoint_id: RowId


class SharePath(ApiModel):
    share_id: RowId


# Each path's {parameter} is validated by its model (bot.api.routing finds it by name).
PATH_MODELS: dict[str, type[ApiModel]] = {
    name: model
    for model in (ChannelPath, RulePath, EndpointPath, SharePath)
    for name in model.model_fields
}


# ------------------------------------------------------------------ query parameters


class DaysQuery(ApiModel):
    first_day: Day | None = Field(
        default=None, alias="from", description="First day (owner's time zone); default: 30 days"
    )
    last_day: Day | None = Field(
        default=None, alias="to", description="Last day, included; default: today"
    )


class ReportQuery(DaysQuery):
    period: Literal["7d", "30d", "90d"] | None = Field(
        default=None, description="The last 7, 30 or 90 days; or give from and to instead"
    )


class PostsQuery(DaysQuery):
    cursor: str | None = Field(
        default=None, max_length=200, description="next_cursor of the previous page"
    )
    limit: int = Field(default=50, ge=1, le=200)


# ------------------------------------------------------------------ channels


class Channel(ApiModel):
    id: TelegramId
    title: str
    username: str | None
    is_tracked: bool
    subscribers: int | None = Field(description="The latest count")
    last_post_at: datetime | None
    time_zone: TimeZone


class ChannelBrief(ApiModel):
    id: TelegramId
    title: str
    username: str | None


class ChannelList(ApiModel):
    items: list[Channel]


# ------------------------------------------------------------------ reports and series


class PeriodDays(ApiModel):
    first_day: date
    last_day: date
    days: int


class Totals(ApiModel):
    """The key numbers of one period, as /stats shows them; rates in percent."""

    subscribers: int | None
    subscriber_change: int
    joins: int
    leaves: int
    net_growth: int
    posts: int
    average_reach: float | None
    err: float | None = Field(description="Average reach ÷ subscribers, in percent")
    engagement_rate: float | None = Field(description="Reactions ÷ views, in percent")
    median_views_24h: float | None


class Post(ApiModel):
    message_id: int
    posted_at: datetime
    text: str
    media_kind: str | None
    views: int | None
    reactions: int
    views_24h: int | None
    engagement: float | None = Field(description="Reactions ÷ views, in percent")
    url: str | None = Field(description="The public t.me link, for a channel with a username")


class ReportDay(ApiModel):
    day: date
    subscribers: int | None
    joins: int
    leaves: int
    posts: int


class PostingSlot(ApiModel):
    weekday: int | None = Field(description="0 = Monday")
    hour: int | None
    posts: int
    mean_views: float
    relative: float | None = Field(description="Mean views ÷ the period's mean")


class Report(ApiModel):
    channel: ChannelBrief
    period: PeriodDays
    time_zone: TimeZone
    current: Totals
    previous: Totals = Field(description="The period of equal length just before")
    median_views_24h: float | None = Field(description="The channel's, over 90 days")
    views_status: ViewsStatus
    days: list[ReportDay]
    top_by_views: list[Post]
    top_by_engagement: list[Post]
    best_weekdays: list[PostingSlot]
    best_hours: list[PostingSlot]


class PostPage(ApiModel):
    items: list[Post]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")
    time_zone: TimeZone


class SubscribersDay(ApiModel):
    day: date
    subscribers: int | None = Field(description="The latest count before the day's end")


class SubscriberSeries(ApiModel):
    items: list[SubscribersDay]
    time_zone: TimeZone


class JoinsDay(ApiModel):
    day: date
    joins: int
    leaves: int


class JoinsSeries(ApiModel):
    items: list[JoinsDay]
    time_zone: TimeZone


# ------------------------------------------------------------------ insights


class InsightEffect(ApiModel):
    """A backed claim: posts with `feature` get `multiplier` times the views of those without."""

    feature: str = Field(description='"media:photo", "hours:6" (18–21 h), "weekday:4", "word:…"')
    multiplier: float
    low: float = Field(description="The 95 % interval's low end")
    high: float
    posts_with: int
    posts_without: int


class InsightSlot(ApiModel):
    starts: datetime = Field(description="A three-hour slot of the next week, owner's time")
    views: float = Field(description="Predicted views at 24 h of a usual post in it")
    low: float
    high: float


class ModelQuality(ApiModel):
    posts: int = Field(description="Posts the model was trained on")
    holdout_posts: int = Field(description="The latest posts it was judged on, unseen")
    model_error: float = Field(description="Mean absolute error of log views on those")
    baseline_error: float = Field(description="The same for the median views by hour of day")


class Insights(ApiModel):
    """The stored model's findings; reading them neither trains nor counts an insights run."""

    channel_id: int
    trained: bool = Field(description="false: no model yet (see posts_needed)")
    posts_needed: int = Field(description="More posts with views before a model can be trained")
    trained_at: datetime | None
    quality: ModelQuality | None
    effects: list[InsightEffect]
    best_slots: list[InsightSlot]
    time_zone: TimeZone


# ------------------------------------------------------------------ alert rules


class Thresholds(ApiModel):
    """Which a kind uses: subscriber_drop/surge: percent and/or amount, and hours;
    milestone: amount; post_views: amount, hours; post_underperforms: percent, hours;
    reaction_spike, unsubscribe_spike: factor; posting_gap: hours."""

    amount: int | None = Field(default=None, ge=1, le=1_000_000_000)
    percent: float | None = Field(default=None, ge=0.1, le=100)
    hours: int | None = Field(default=None, ge=1, le=720)
    factor: float | None = Field(default=None, ge=1.5, le=100)


class AlertRule(ApiModel):
    id: int
    channel_id: int
    kind: AlertKind
    thresholds: Thresholds
    paused: bool
    muted_until: datetime | None
    created_at: datetime
    last_fired_at: datetime | None
    time_zone: TimeZone


class AlertRuleList(ApiModel):
    items: list[AlertRule]


class NewAlertRule(ApiModel):
    model_config = ConfigDict(extra="forbid")

    kind: RuleKind = Field(description="copy rules are made by /watch in the bot, not here")
    thresholds: Thresholds


class AlertRuleChange(ApiModel):
    model_config = ConfigDict(extra="forbid")

    paused: bool


# ------------------------------------------------------------------ webhooks

SubscribableEvent = Literal[tuple(event.value for event in SUBSCRIBABLE)]  # type: ignore[valid-type]


class WebhookEndpoint(ApiModel):
    id: int
    url: str
    events: list[SubscribableEvent]
    enabled: bool
    disabled_at: datetime | None = Field(description="When it was disabled for failing")
    disabled_reason: str | None = Field(description="The last error before it was disabled")
    pending: int = Field(description="Events not delivered yet")
    created_at: datetime
    time_zone: TimeZone


class CreatedWebhookEndpoint(WebhookEndpoint):
    secret: str = Field(
        description="The signing secret (whsec_…), shown this once: verify deliveries with it"
    )


class WebhookEndpointList(ApiModel):
    items: list[WebhookEndpoint]


class NewWebhookEndpoint(ApiModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="http(s) URL whose host resolves to public addresses only",
    )
    events: list[SubscribableEvent] = Field(min_length=1, max_length=len(SUBSCRIBABLE))


class WebhookTestQueued(ApiModel):
    endpoint_id: int
    type: Literal["ping"] = "ping"


class WebhookDelivery(ApiModel):
    id: int
    webhook_id: str = Field(description="The message's webhook-id, the same on every attempt")
    type: str = Field(description="The event's type")
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null: no answer")
    latency_ms: int
    error: str | None
    succeeded: bool


class WebhookDeliveryList(ApiModel):
    items: list[WebhookDelivery] = Field(description="The latest attempts, newest first")
    time_zone: TimeZone


# ------------------------------------------------------------------ share links


class ShareLink(ApiModel):
    id: int
    channel_id: int
    days: Literal[7, 30, 90] = Field(description="The report covers the last this many days")
    created_at: datetime
    expires_at: datetime | None = Field(description="null: no expiry")
    open_count: int
    last_opened_at: datetime | None
    time_zone: TimeZone


class ShareLinkList(ApiModel):
    items: list[ShareLink]


class CreatedShareLink(ShareLink):
    url: str = Field(description="The public page; shown this once, only its hash is kept")


class NewShareLink(ApiModel):
    model_config = ConfigDict(extra="forbid")

    days: Literal[7, 30, 90] = 7
    lifetime_hours: Literal[1, 24, 168, 720] | None = Field(
        default=24, description="null: no expiry (paid plans)"
    )


# ------------------------------------------------------------------ Mini App sessions


class NewSession(ApiModel):
    model_config = ConfigDict(extra="forbid")

    init_data: str = Field(
        min_length=1, max_length=4096, description="Telegram.WebApp.initData, as the app got it"
    )


class SessionUser(ApiModel):
    id: int
    first_name: str


class Session(ApiModel):
    token: str = Field(description="Send as Authorization: Bearer <token>; starts with abs_")
    expires_at: datetime
    user: SessionUser
    locale: Literal["en", "ru"] = Field(description="The language the bot speaks with the user")
    time_zone: TimeZone
