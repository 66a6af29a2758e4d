"""Users of the bot: the people who talk to it in private chat."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str | None
    first_name: str
    language_code: str | None
    chosen_language: str | None  # from /settings; None follows language_code
    time_zone: str
    created_at: datetime
