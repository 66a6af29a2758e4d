"""Alert rules, their kinds and thresholds, and the firings they produce."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any


class AlertKind(StrEnum):
    SUBSCRIBER_DROP = "subscriber_drop"
    SUBSCRIBER_SURGE = "subscriber_surge"
    MILESTONE = "milestone"
    POST_VIEWS = "post_views"
    POST_UNDERPERFORMS = "post_underperforms"
    REACTION_SPIKE = "reaction_spike"
    UNSUBSCRIBE_SPIKE = "unsubscribe_spike"
    POSTING_GAP = "posting_gap"
    SOURCE_BURST = "source_burst"  # one link's joins burst, or its subscribers leave fast
    COPY = "copy"  # a watched channel copied a post (services/copies.py fires these)


# The kinds an owner sets up as rules (the bot's alert wizard, the API). Copy rules are
# made and removed by /watch and do not count against the plan's rules.
RULE_KINDS = tuple(kind for kind in AlertKind if kind is not AlertKind.COPY)


@dataclass(frozen=True)
class AlertThresholds:
    """The typed threshold columns; which ones a kind uses is checked by the schema."""

    amount: int | None = None
    percent: float | None = None
    hours: int | None = None
    factor: float | None = None


@dataclass(frozen=True)
class AlertRuleRecord:
    id: int
    owner_id: int
    channel_id: int
    channel_title: str
    channel_username: str | None
    kind: AlertKind
    thresholds: AlertThresholds
    cooldown: timedelta
    paused: bool
    muted_until: datetime | None
    created_at: datetime
    last_fired_at: datetime | None


@dataclass(frozen=True)
class AlertFiring:
    id: int
    rule: AlertRuleRecord
    fired_at: datetime
    details: dict[str, Any]
    deliver_after: datetime
    sent_at: datetime | None
    dropped_at: datetime | None
    drop_reason: str | None


@dataclass(frozen=True)
class ClaimedFiring:
    """A firing this process now delivers, with what decides when and how its owner hears it."""

    firing: AlertFiring
    time_zone: str
    quiet_hours: tuple[time, time] | None
    language_code: str | None  # the owner's, from Telegram
    chosen_language: str | None  # the owner's, from /settings
