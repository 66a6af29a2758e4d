"""Post views over time, and the state of each channel's views source."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.domain.posts import PublishedPost


class ViewSourceStatus(StrEnum):
    PENDING = "pending"  # never polled
    OK = "ok"
    PRIVATE = "private"  # no public preview: no username, or the preview shows no posts
    UNAVAILABLE = "unavailable"  # the last fetch failed
    LAYOUT_CHANGED = "layout_changed"  # the page no longer parses


@dataclass(frozen=True)
class ViewSourceRecord:
    channel_id: int
    status: ViewSourceStatus
    backfilled_at: datetime | None
    last_polled_at: datetime | None
    failures: int
    last_error: str | None


@dataclass(frozen=True)
class PollingStep:
    """Poll a post every `every` while it is younger than `until_age`."""

    until_age: timedelta
    every: timedelta


@dataclass(frozen=True)
class DueChannel:
    channel_id: int
    username: str
    needs_backfill: bool
    due_message_ids: list[int]  # ascending; empty when the channel needs a backfill


@dataclass(frozen=True)
class ViewCount:
    message_id: int
    views: int


@dataclass(frozen=True)
class PreviewedPost(PublishedPost):
    """A post as the preview shows it, for posts published before the bot tracked the channel."""


@dataclass(frozen=True)
class PollOutcome:
    channel_id: int
    status: ViewSourceStatus
    error: str | None
    backfilled: bool
