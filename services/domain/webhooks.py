"""Outbound webhooks: the events, their payloads (Standard Webhooks' {type, timestamp, data}),
and the endpoint, message and delivery records that cross rooms."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any


class WebhookEventType(StrEnum):
    POST_PUBLISHED = "post.published"
    POST_VIEWS = "post.views"
    SUBSCRIBERS_DAILY = "subscribers.daily"
    ALERT_FIRED = "alert.fired"
    PLAN_CHANGED = "plan.changed"
    CHANNEL_ADDED = "channel.added"
    CHANNEL_REMOVED = "channel.removed"
    COPY_FOUND = "copy.found"
    PING = "ping"


# What an endpoint may subscribe to; ping is sent by Test, to one endpoint, whatever it chose.
SUBSCRIBABLE = tuple(t for t in WebhookEventType if t is not WebhookEventType.PING)
# post.views is published when a post is this many hours old (the first views seen after).
VIEW_MILESTONE_HOURS = (1, 24, 48)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class WebhookEvent:
    """Something that happened, for the endpoints of `user_id` or of the admins of `channel_id`."""

    type: WebhookEventType
    at: datetime
    data: Mapping[str, Any]
    channel_id: int | None = None
    user_id: int | None = None

    def body(self) -> str:
        """The payload as sent: the same bytes on every attempt, signed as they are."""
        payload = {"type": self.type.value, "timestamp": _iso(self.at), "data": self.data}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_json)


def _json(value: object) -> str:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _channel_event(
    event_type: WebhookEventType, at: datetime, data: dict[str, Any]
) -> WebhookEvent:
    """An event for the admins of the channel whose id the data carries first."""
    return WebhookEvent(type=event_type, at=at, channel_id=data["channel_id"], data=data)


def post_published(
    *, channel_id: int, message_id: int, posted_at: datetime, text: str, media_kind: str | None
) -> WebhookEvent:
    return _channel_event(
        WebhookEventType.POST_PUBLISHED,
        posted_at,
        {
            "channel_id": channel_id,
            "message_id": message_id,
            "posted_at": posted_at,
            "text": text,
            "media_kind": media_kind,
        },
    )


def post_views(
    *,
    channel_id: int,
    message_id: int,
    posted_at: datetime,
    hours: int,
    views: int,
    observed_at: datetime,
) -> WebhookEvent:
    """The views seen on a post `hours` after it was published (observed_at says when exactly)."""
    return _channel_event(
        WebhookEventType.POST_VIEWS,
        observed_at,
        {
            "channel_id": channel_id,
            "message_id": message_id,
            "posted_at": posted_at,
            "age_hours": hours,
            "views": views,
            "observed_at": observed_at,
        },
    )


def subscribers_daily(
    *, channel_id: int, day: date, subscribers: int, previous: int | None, at: datetime
) -> WebhookEvent:
    """A channel's subscribers at the end of a UTC day, and the change since the day before."""
    return _channel_event(
        WebhookEventType.SUBSCRIBERS_DAILY,
        at,
        {
            "channel_id": channel_id,
            "day": day,
            "time_zone": "UTC",
            "subscribers": subscribers,
            "change": None if previous is None else subscribers - previous,
        },
    )


def alert_fired(
    *,
    channel_id: int,
    rule_id: int,
    kind: str,
    details: Mapping[str, Any],
    fired_at: datetime,
) -> WebhookEvent:
    return _channel_event(
        WebhookEventType.ALERT_FIRED,
        fired_at,
        {
            "channel_id": channel_id,
            "rule_id": rule_id,
            "kind": kind,
            "details": dict(details),
            "fired_at": fired_at,
        },
    )


def plan_changed(
    *,
    user_id: int,
    plan: str,
    previous_plan: str,
    expires_at: datetime | None,
    at: datetime,
) -> WebhookEvent:
    return WebhookEvent(
        type=WebhookEventType.PLAN_CHANGED,
        at=at,
        user_id=user_id,
        data={"plan": plan, "previous_plan": previous_plan, "expires_at": expires_at},
    )


def channel_added(
    *, channel_id: int, title: str, username: str | None, at: datetime
) -> WebhookEvent:
    return _channel_event(
        WebhookEventType.CHANNEL_ADDED,
        at,
        {"channel_id": channel_id, "title": title, "username": username},
    )


class ChannelRemovedReason(StrEnum):
    BOT_REMOVED = "bot_removed"  # the bot lost its admin rights, or the channel is gone
    STOPPED = "stopped"  # an admin stopped tracking it, keeping the data
    DELETED = "deleted"  # an admin stopped tracking it and deleted its data


def channel_removed(
    *,
    channel_id: int,
    title: str,
    username: str | None,
    reason: ChannelRemovedReason,
    at: datetime,
) -> WebhookEvent:
    return _channel_event(
        WebhookEventType.CHANNEL_REMOVED,
        at,
        {
            "channel_id": channel_id,
            "title": title,
            "username": username,
            "reason": reason.value,
        },
    )


def copy_found(
    *, user_id: int, channel_id: int, details: Mapping[str, Any], at: datetime
) -> WebhookEvent:
    """A watched channel posted a copy of one of the user's posts (the copy alert's details)."""
    return WebhookEvent(
        type=WebhookEventType.COPY_FOUND,
        at=at,
        user_id=user_id,
        data={"channel_id": channel_id, **details},
    )


def ping(*, endpoint_id: int, at: datetime) -> WebhookEvent:
    return WebhookEvent(
        type=WebhookEventType.PING,
        at=at,
        data={"endpoint_id": endpoint_id, "message": "AnalyticBot webhook test"},
    )


@dataclass(frozen=True)
class WebhookEndpointRecord:
    id: int
    owner_id: int
    url: str
    events: tuple[WebhookEventType, ...]
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None
    pending: int = 0  # messages not delivered yet

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class ClaimedEndpoint:
    """An endpoint a process holds to deliver to, with its signing secret (kept out of repr)."""

    id: int
    owner_id: int
    url: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class PendingMessage:
    id: int
    endpoint_id: int
    webhook_id: str
    event_type: str
    body: str
    attempts: int
    first_failed_at: datetime | None


@dataclass(frozen=True)
class DeliveryAttempt:
    """One try at delivering a message, as the delivery log shows it."""

    id: int
    webhook_id: str
    event_type: str
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    succeeded: bool


@dataclass(frozen=True)
class DisabledEndpoint:
    """An endpoint disabled for failing, whose owner is to be told, in their language."""

    id: int
    owner_id: int
    url: str
    reason: str
    language_code: str | None
    chosen_language: str | None
