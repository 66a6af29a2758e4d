"""API keys: who may call the REST API, and whether they may write."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ApiKeyRecord:
    id: int
    user_id: int
    name: str
    can_write: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
