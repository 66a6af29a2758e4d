"""Where subscribers come from: invite links, the source of a join, and each source's numbers."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """How a subscriber came: the value is what subscriber_events.source holds."""

    LINK = "link"  # an invite link, the bot's or another admin's
    FOLDER = "folder"  # a chat folder's invite link
    REQUEST = "request"  # a join request approved, through no link we know
    ORGANIC = "organic"  # no link: search, the public username, a forwarded post
    UNKNOWN = "unknown"  # a leave whose join was before tracking began


@dataclass(frozen=True)
class InviteLinkRecord:
    id: int
    channel_id: int
    url: str | None  # None: known only by its name (from joins stored before links were)
    name: str | None
    made_by_bot: bool
    created_at: datetime
    expire_date: datetime | None
    member_limit: int | None
    creates_join_request: bool
    auto_approve: bool
    welcome_text: str | None
    revoked_at: datetime | None
    cost_minor: int | None  # in the currency's minor units
    currency: str | None


@dataclass(frozen=True)
class SourceCounts:
    """One source of a channel: its joins, and what became of those who joined through it."""

    kind: SourceKind
    link: InviteLinkRecord | None  # the link, for SourceKind.LINK
    joins: int
    leaves: int  # of those who joined through it
    old_enough_7d: int  # joins at least 7 days ago
    stayed_7d: int  # of those, still subscribed 7 days after joining
    old_enough_30d: int
    stayed_30d: int

    @property
    def net(self) -> int:
        return self.joins - self.leaves


@dataclass(frozen=True)
class PeriodSource:
    """One source's joins within a period, and the leaves in it of those who came through it."""

    kind: SourceKind
    link_name: str | None  # the link's name, or its URL as Telegram shows it
    joins: int
    leaves: int
