"""/settings: the time zone and quiet hours (when alerts may arrive), and the language."""

from datetime import datetime, time
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.domain.preferences import PreferencesRecord
from services.i18n import Messages, Translator

# texts.NAME here, preferences_texts.NAME elsewhere: the message preferences-name, its English in
# services/locales/preferences.pot.
texts = Messages("preferences")
__getattr__ = texts.__getattr__

# Each language by its own name, as people look for it: the same in every catalog.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


def _hours(quiet_hours: tuple[time, time]) -> str:
    starts, ends = quiet_hours
    return f"{starts:%H:%M}–{ends:%H:%M}"


def summary(t: Translator, record: PreferencesRecord, now: datetime) -> str:
    try:
        zone = ZoneInfo(record.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return t(
        texts.SUMMARY,
        time_zone=escape(record.time_zone),
        local_time=t.moment(now.astimezone(zone)),
        quiet_hours=_hours(record.quiet_hours) if record.quiet_hours else t(texts.QUIET_HOURS_OFF),
        language=LANGUAGE_NAMES[t.locale],
    )


def time_zone_set(t: Translator, name: str) -> str:
    return t(texts.TIME_ZONE_SET, time_zone=escape(name))


def quiet_hours_set(t: Translator, quiet_hours: tuple[time, time] | None) -> str:
    if quiet_hours is None:
        return t(texts.QUIET_HOURS_NONE)
    return t(texts.QUIET_HOURS_SET, quiet_hours=_hours(quiet_hours))
