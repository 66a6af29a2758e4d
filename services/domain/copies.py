"""Fingerprints of posts, watched channels, and the copies found between them."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FingerprintKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"


@dataclass(frozen=True)
class Fingerprint:
    kind: FingerprintKind
    variant: int  # photos: 0 the whole picture, then its crops; texts: 0
    signature: tuple[int, ...]  # texts: the MinHash values; photos: the two dHashes
    bands: tuple[int, ...]  # the LSH band hashes the index finds it by


@dataclass(frozen=True)
class PostFingerprint:
    """A fingerprint of one post of a channel (tracked or watched)."""

    channel_id: int  # channels.id of a tracked channel, or watched_channels.id
    message_id: int
    posted_at: datetime
    fingerprint: Fingerprint


@dataclass(frozen=True)
class StoredFingerprint:
    channel_id: int  # a tracked channel's
    message_id: int
    posted_at: datetime
    kind: FingerprintKind
    signature: tuple[int, ...]


@dataclass(frozen=True)
class WatchedChannelRecord:
    id: int
    username: str
    title: str
    subscribers: int | None
    posts_per_day: float  # over the last 30 days
    average_views: float | None
    ignored: bool


@dataclass(frozen=True)
class WatchedPost:
    message_id: int
    posted_at: datetime
    text: str
    views: int | None
    forwarded_from: str | None
    photo_urls: tuple[str, ...]


@dataclass(frozen=True)
class Watcher:
    """A user who watches a channel and takes copy alerts from it, with their tracked channels."""

    user_id: int
    channel_ids: tuple[int, ...]


@dataclass(frozen=True)
class CopyMatch:
    user_id: int
    channel_id: int  # the owner's tracked channel
    message_id: int
    original_at: datetime
    watched_id: int
    watched_username: str
    watched_message_id: int
    copied_at: datetime
    kind: FingerprintKind
    similarity: float


@dataclass(frozen=True)
class CheckMatch:
    channel_title: str
    channel_username: str | None
    message_id: int
    posted_at: datetime
    similarity: float


@dataclass(frozen=True)
class ComparedChannel:
    """A channel's numbers over a period, for /compare."""

    name: str  # @username, or the title of a channel without one
    is_own: bool
    subscribers: int | None
    growth: int | None  # subscribers gained over the period (negative: lost)
    posts_per_day: float
    average_views: float | None

    @property
    def err(self) -> float | None:
        """Engagement rate by reach: average views over subscribers."""
        if self.average_views is None or not self.subscribers:
            return None
        return self.average_views / self.subscribers
