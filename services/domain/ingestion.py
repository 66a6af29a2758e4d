"""What Telegram tells us about tracked channels, as rows to store."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PostRow:
    channel_id: int
    message_id: int
    posted_at: datetime
    text: str
    media_kind: str | None
    media_file_unique_id: str | None
    media_group_id: str | None
    edited_at: datetime | None
    # A photo post's largest size, for fingerprinting it (services/copies.py); not stored.
    photo_file_id: str | None = None


@dataclass(frozen=True)
class ReactionCountRow:
    channel_id: int
    message_id: int
    observed_at: datetime
    reactions: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.reactions.values())


@dataclass(frozen=True)
class InviteLinkSeen:
    """The invite link a join came through, as Telegram shows it (shortened if not the bot's)."""

    url: str
    name: str | None
    creates_join_request: bool = False


@dataclass(frozen=True)
class SubscriberEventRow:
    channel_id: int
    occurred_at: datetime
    kind: str  # "join" or "leave"
    invite_link_name: str | None
    # "link", "folder", "request" or "organic" for a join; a leave takes its join's source.
    source: str = "organic"
    invite_link: InviteLinkSeen | None = None
    subscriber_hash: bytes | None = None  # SubscriberHasher's: never the Telegram id
    # Telegram's update_id: the same update delivered again is stored once.
    update_id: int | None = None


@dataclass(frozen=True)
class SnapshotRow:
    channel_id: int
    taken_at: datetime
    subscribers: int
