"""The plans and what each allows: the one place limits are defined.

Everything a user creates has a cap here, standing counts included: a count without one would
let a list outgrow what /shares, /alerts or /channels can page through (bot/callbacks.py's
MAX_PAGE pages of ten).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Allowance(StrEnum):
    CHANNELS = "channels"
    HISTORY_DAYS = "history_days"
    EXPORTS_PER_DAY = "exports_per_day"
    ALERT_RULES = "alert_rules"
    SHARE_LINK_HOURS = "share_link_hours"
    SHARE_LINKS = "share_links"  # live at once; revoked and expired ones do not count
    INVITE_LINKS = "invite_links"  # the bot's invite links (/links), live at once
    WATERMARKS_PER_DAY = "watermarks_per_day"
    WEBHOOK_ENDPOINTS = "webhook_endpoints"
    INSIGHTS_PER_MONTH = "insights_per_month"  # /insights runs and language-model calls
    WATCHED_CHANNELS = "watched_channels"  # public channels watched for copies (/watch)
    API_KEYS = "api_keys"  # live at once; revoked ones do not count


# Allowances counted per month (their use resets on the 1st); the other counted ones, per day.
MONTHLY: frozenset[Allowance] = frozenset({Allowance.INSIGHTS_PER_MONTH})
# Allowances counted per period (their use resets each period); the others are standing counts
# or caps.
COUNTED: frozenset[Allowance] = frozenset(
    {Allowance.EXPORTS_PER_DAY, Allowance.WATERMARKS_PER_DAY} | MONTHLY
)


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    price_usd_cents: int  # per month
    price_stars: int  # per month, Telegram Stars
    limits: Mapping[Allowance, int | None]  # None: unlimited

    @property
    def is_paid(self) -> bool:
        return self.price_usd_cents > 0


# Each allowance's limit on the Free, Pro and Business plans, in that order; None: unlimited.
_LIMITS: Mapping[Allowance, tuple[int | None, int | None, int | None]] = {
    Allowance.CHANNELS: (3, 10, 50),
    Allowance.HISTORY_DAYS: (30, 365, None),
    Allowance.EXPORTS_PER_DAY: (3, 50, None),
    # Business: four rules for each of the 50 channels; /alerts shows them ten to a page.
    Allowance.ALERT_RULES: (3, 30, 200),
    Allowance.SHARE_LINK_HOURS: (7 * 24, None, None),
    Allowance.SHARE_LINKS: (5, 50, 200),
    Allowance.INVITE_LINKS: (5, 50, 200),
    Allowance.WATERMARKS_PER_DAY: (10, 500, None),
    Allowance.WEBHOOK_ENDPOINTS: (1, 5, 20),
    Allowance.INSIGHTS_PER_MONTH: (10, 200, 1000),
    Allowance.WATCHED_CHANNELS: (3, 20, 100),
    # /api lists every key in one message, its revoke buttons under it.
    Allowance.API_KEYS: (2, 5, 10),
}


def _plan(column: int, code: str, name: str, *, price_usd_cents: int, price_stars: int) -> Plan:
    return Plan(
        code=code,
        name=name,
        price_usd_cents=price_usd_cents,
        price_stars=price_stars,
        limits={allowance: limits[column] for allowance, limits in _LIMITS.items()},
    )


FREE = _plan(0, "free", "Free", price_usd_cents=0, price_stars=0)
PRO = _plan(1, "pro", "Pro", price_usd_cents=900, price_stars=450)
BUSINESS = _plan(2, "business", "Business", price_usd_cents=2900, price_stars=1450)
PLANS: Mapping[str, Plan] = {plan.code: plan for plan in (FREE, PRO, BUSINESS)}
