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


FREE = Plan(
    code="free",
    name="Free",
    price_usd_cents=0,
    price_stars=0,
    limits={
        Allowance.CHANNELS: 3,
        Allowance.HISTORY_DAYS: 30,
        Allowance.EXPORTS_PER_DAY: 3,
        Allowance.ALERT_RULES: 3,
        Allowance.SHARE_LINK_HOURS: 7 * 24,
        Allowance.SHARE_LINKS: 5,
        Allowance.INVITE_LINKS: 5,
        Allowance.WATERMARKS_PER_DAY: 10,
        Allowance.WEBHOOK_ENDPOINTS: 1,
        Allowance.INSIGHTS_PER_MONTH: 10,
        Allowance.WATCHED_CHANNELS: 3,
        Allowance.API_KEYS: 2,
    },
)
PRO = Plan(
    code="pro",
    name="Pro",
    price_usd_cents=900,
    price_stars=450,
    limits={
        Allowance.CHANNELS: 10,
        Allowance.HISTORY_DAYS: 365,
        Allowance.EXPORTS_PER_DAY: 50,
        Allowance.ALERT_RULES: 30,
        Allowance.SHARE_LINK_HOURS: None,
        Allowance.SHARE_LINKS: 50,
        Allowance.INVITE_LINKS: 50,
        Allowance.WATERMARKS_PER_DAY: 500,
        Allowance.WEBHOOK_ENDPOINTS: 5,
        Allowance.INSIGHTS_PER_MONTH: 200,
        Allowance.WATCHED_CHANNELS: 20,
        Allowance.API_KEYS: 5,
    },
)
BUSINESS = Plan(
    code="business",
    name="Business",
    price_usd_cents=2900,
    price_stars=1450,
    limits={
        Allowance.CHANNELS: 50,
        Allowance.HISTORY_DAYS: None,
        Allowance.EXPORTS_PER_DAY: None,
        # Four rules for each of the 50 channels; /alerts shows them ten to a page.
        Allowance.ALERT_RULES: 200,
        Allowance.SHARE_LINK_HOURS: None,
        Allowance.SHARE_LINKS: 200,
        Allowance.INVITE_LINKS: 200,
        Allowance.WATERMARKS_PER_DAY: None,
        Allowance.WEBHOOK_ENDPOINTS: 20,
        Allowance.INSIGHTS_PER_MONTH: 1000,
        Allowance.WATCHED_CHANNELS: 100,
        # /api lists every key in one message, its revoke buttons under it.
        Allowance.API_KEYS: 10,
    },
)
PLANS: Mapping[str, Plan] = {plan.code: plan for plan in (FREE, PRO, BUSINESS)}
