"""A user's time zone and quiet hours."""

from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class PreferencesRecord:
    time_zone: str
    quiet_hours: tuple[time, time] | None  # (starts, ends) in the user's time zone
