"""What is waiting in the database, as /metrics reports it."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Backlog:
    undelivered_alerts: int
    # None: nothing is waiting, or nothing was ever polled.
    oldest_undelivered_alert_at: datetime | None
    last_views_poll_at: datetime | None
