"""A user's time zone and quiet hours: alerts that fall in quiet hours wait for their end."""

import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from db.preferences import PreferencesRepository
from services.domain.preferences import PreferencesRecord

_QUIET_HOURS = re.compile(
    r"^\s*(\d{1,2})(?::(\d{2}))?\s*(?:-|–|—|to)\s*(\d{1,2})(?::(\d{2}))?\s*$", re.IGNORECASE
)
# "выкл" is what the Russian /settings asks for.
_QUIET_HOURS_OFF = frozenset({"off", "none", "no", "0", "выкл", "выкл.", "нет"})


class InvalidTimeZone(ValueError):
    """Not a time zone name we know (IANA names such as Europe/Berlin)."""


class InvalidQuietHours(ValueError):
    """Not two times of day like 22:00-07:00."""


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name by its lower-case form."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def find_time_zone(text: str) -> str:
    """The IANA name the user means: exact, any case, or a unique city (`berlin`)."""
    wanted = text.strip().replace(" ", "_").lower()
    names = _zone_names()
    if wanted in names:
        return names[wanted]
    by_city = [name for lower, name in names.items() if lower.endswith(f"/{wanted}")]
    # Prefer the canonical area names (Europe/..., America/...) over legacy aliases.
    canonical = [name for name in by_city if not name.startswith(("Etc/", "SystemV/", "posix/"))]
    if wanted and len(canonical) == 1:
        return canonical[0]
    raise InvalidTimeZone(text)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """`22:00-07:00` (or `22-7`) as (starts, ends); `off` as None."""
    if text.strip().lower() in _QUIET_HOURS_OFF:
        return None
    match = _QUIET_HOURS.match(text)
    if match is None:
        raise InvalidQuietHours(text)
    start_h, start_m, end_h, end_m = (int(part or 0) for part in match.groups())
    if max(start_h, end_h) > 23 or max(start_m, end_m) > 59:
        raise InvalidQuietHours(text)
    starts, ends = time(start_h, start_m), time(end_h, end_m)
    if starts == ends:
        raise InvalidQuietHours(text)
    return starts, ends


def quiet_until(
    now: datetime, time_zone: str, quiet_hours: tuple[time, time] | None
) -> datetime | None:
    """When the quiet hours around `now` end (UTC), or None if `now` is outside them."""
    if quiet_hours is None:
        return None
    starts, ends = quiet_hours
    try:
        zone: tzinfo = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = now.astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    inside = starts <= moment < ends if starts < ends else (moment >= starts or moment < ends)
    if not inside:
        return None
    end_day = local.date() if moment < ends else local.date() + timedelta(days=1)
    return datetime.combine(end_day, ends, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class PreferencesService:
    repository: PreferencesRepository
    _: KW_ONLY
    # Called after a change, so alerts held for the old hours are looked at.
    on_change: Callable[[], None]

    async def get(self, *, user_id: int) -> PreferencesRecord:
        return await self.repository.get(user_id=user_id)

    async def set_time_zone(self, *, user_id: int, text: str) -> str:
        """Store the zone the text names and return its IANA name; raises InvalidTimeZone."""
        name = find_time_zone(text)
        await self.repository.set_time_zone(user_id=user_id, time_zone=name)
        self.on_change()
        return name

    async def set_quiet_hours(self, *, user_id: int, text: str) -> tuple[time, time] | None:
        """Store the quiet hours the text gives (None: off); raises InvalidQuietHours."""
        quiet_hours = parse_quiet_hours(text)
        await self.repository.set_quiet_hours(user_id=user_id, quiet_hours=quiet_hours)
        self.on_change()
        return quiet_hours
