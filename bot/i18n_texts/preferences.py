"""/settings: the time zone and quiet hours (when alerts may arrive), and the language."""

from datetime import datetime, time
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.domain.preferences import PreferencesRecord
from services.i18n import Message, Translator

SUMMARY = Message(
    "preferences-summary",
    "⚙️ <b>Settings</b>\n\n"
    "🌍 Time zone: <b>{time_zone}</b> (it is {local_time} there)\n"
    "🌙 Quiet hours: <b>{quiet_hours}</b>\n"
    "🗣 Language: <b>{language}</b>\n\n"
    "Alerts that fire during quiet hours wait and arrive when they end.",
)
QUIET_HOURS_OFF = Message("preferences-quiet-hours-off", "off")
TIME_ZONE_BUTTON = Message("preferences-time-zone-button", "🌍 Time zone")
QUIET_HOURS_BUTTON = Message("preferences-quiet-hours-button", "🌙 Quiet hours")
ASK_TIME_ZONE = Message(
    "preferences-ask-time-zone",
    "Send your time zone, like <code>Europe/Berlin</code> or <code>America/New_York</code>. "
    "A city alone works too: <code>Berlin</code>.",
)
BAD_TIME_ZONE = Message(
    "preferences-bad-time-zone",
    "⚠️ I don't know that time zone. Send a name like <code>Europe/Berlin</code>, "
    "<code>Asia/Tokyo</code> or <code>UTC</code>.",
)
ASK_QUIET_HOURS = Message(
    "preferences-ask-quiet-hours",
    "Send your quiet hours like <code>22:00-07:00</code>, or <code>off</code> to have none.",
)
BAD_QUIET_HOURS = Message(
    "preferences-bad-quiet-hours",
    "⚠️ Send two different times of day like <code>22:00-07:00</code>, or <code>off</code>.",
)
TIME_ZONE_SET = Message(
    "preferences-time-zone-set", "✅ Time zone set to <b>{time_zone}</b>. See /settings."
)
QUIET_HOURS_SET = Message(
    "preferences-quiet-hours-set",
    "✅ Quiet hours set to <b>{quiet_hours}</b>: alerts that fire then arrive when they end. "
    "See /settings.",
)
QUIET_HOURS_NONE = Message(
    "preferences-quiet-hours-none",
    "✅ Quiet hours are off: alerts arrive at any time. See /settings.",
)
LANGUAGE_SET = Message(
    "preferences-language-set", "✅ I speak English with you now. See /settings."
)
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
        SUMMARY,
        time_zone=escape(record.time_zone),
        local_time=t.moment(now.astimezone(zone)),
        quiet_hours=_hours(record.quiet_hours) if record.quiet_hours else t(QUIET_HOURS_OFF),
        language=LANGUAGE_NAMES[t.locale],
    )


def time_zone_set(t: Translator, name: str) -> str:
    return t(TIME_ZONE_SET, time_zone=escape(name))


def quiet_hours_set(t: Translator, quiet_hours: tuple[time, time] | None) -> str:
    if quiet_hours is None:
        return t(QUIET_HOURS_NONE)
    return t(QUIET_HOURS_SET, quiet_hours=_hours(quiet_hours))
