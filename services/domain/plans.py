"""Which plan a user is on."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserPlanRecord:
    user_id: int
    plan_code: str
    source: str
    expires_at: datetime | None
    renews: bool
