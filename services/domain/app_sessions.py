"""Mini App sessions: who a dashboard's bearer token speaks for, and until when."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AppSessionRecord:
    id: int
    user_id: int
    created_at: datetime
    expires_at: datetime
