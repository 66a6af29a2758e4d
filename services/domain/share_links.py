"""Share links: which channel and period a token opens, and how often it was opened."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ShareLinkRecord:
    id: int
    user_id: int
    channel_id: int
    channel_title: str
    channel_username: str | None
    days: int
    created_at: datetime
    expires_at: datetime | None  # None: no expiry
    revoked_at: datetime | None
    open_count: int
    last_opened_at: datetime | None
    # Whether the link's creator still administers the channel, as last verified.
    creator_is_admin: bool
    creator_time_zone: str  # the report's days are the creator's
    # The creator's language (see services.i18n.user_locale): their page speaks it.
    creator_language_code: str | None
    creator_chosen_language: str | None
