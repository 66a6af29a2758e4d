"""Channels as the bot knows them."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChannelRecord:
    id: int
    title: str
    username: str | None
    is_tracked: bool
    added_at: datetime
    tracking_stopped_at: datetime | None

    @property
    def display_name(self) -> str:
        return f"@{self.username}" if self.username else self.title


@dataclass(frozen=True)
class ChannelSummary:
    channel: ChannelRecord
    subscribers: int | None
    last_post_at: datetime | None
