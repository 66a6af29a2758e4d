"""What every record of one post starts with."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PublishedPost:
    """A post as it was published."""

    message_id: int
    posted_at: datetime
    text: str
    media_kind: str | None
