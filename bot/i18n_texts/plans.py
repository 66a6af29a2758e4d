"""/plan, the plans and their limits, and a limit met anywhere in chat."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from bot.i18n_texts import copies as copies_texts
from services.entitlements import LimitReached, PlanStatus
from services.i18n import Messages, Translator
from services.plans import Allowance, Plan

# texts.NAME here, plans_texts.NAME elsewhere: the message plans-name, its English in
# services/locales/plans.pot.
texts = Messages("plans")
__getattr__ = texts.__getattr__

# Each allowance by name, where a count of it follows ("channels tracked: 1 of 3").
ALLOWANCE_NAMES = texts.each(
    "ALLOWANCE", Allowance, elsewhere={Allowance.WATCHED_CHANNELS: copies_texts.ALLOWANCE_NAME}
)
# Each allowance with its amount ("3 channels tracked"), in the forms its number asks for.
ALLOWANCE_AMOUNTS = texts.each(
    "AMOUNT", Allowance, elsewhere={Allowance.WATCHED_CHANNELS: copies_texts.ALLOWANCE_AMOUNT}
)


PAID_BY = texts.each("PAID_BY", ("stripe", "stars", "admin"))


def allowance_amount(t: Translator, allowance: Allowance, allowed: int | None) -> str:
    """How much of an allowance a plan gives: "3 channels tracked", "unlimited alert rules"."""
    if allowed is None:
        return t(texts.UNLIMITED_AMOUNT, allowance=t(ALLOWANCE_NAMES[allowance]))
    return t.plural(ALLOWANCE_AMOUNTS[allowance], allowed)


def limit_reached(t: Translator, error: LimitReached) -> str:
    amount = allowance_amount(t, error.allowance, error.allowed)
    return t(texts.LIMIT_REACHED, plan=error.plan.name, amount=amount)


def plan_day(t: Translator, moment: datetime | None) -> str:
    """A plan's date in the reader's language (billing and admin texts show it too): 1 October
    2026, 1 октября 2026; no abbreviation, so a sentence may end with it."""
    return "—" if moment is None else t.date(moment.date(), "d MMMM y")


def usd(cents: int) -> str:
    """A card price in dollars: "$9", "$9.50"."""
    return f"${cents / 100:,.0f}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def _ends(t: Translator, status: PlanStatus, expires_at: datetime) -> str:
    paid_by = PAID_BY.get(status.source or "")
    if paid_by is None:
        return t(texts.RENEWS if status.renews else texts.ENDS, date=plan_day(t, expires_at))
    template = texts.RENEWS_PAID if status.renews else texts.ENDS_PAID
    return t(template, date=plan_day(t, expires_at), paid=t(paid_by))


def plan_limits(t: Translator, plan: Plan) -> str:
    """One line per allowance of the plan."""
    return "\n".join(
        t(texts.LIMIT_LINE, amount=allowance_amount(t, allowance, allowed))
        for allowance, allowed in plan.limits.items()
    )


def plan_status(t: Translator, status: PlanStatus) -> str:
    lines = [t(texts.STATUS_TITLE, plan=status.plan.name)]
    if status.expires_at is not None:
        lines.append(_ends(t, status, status.expires_at))
    lines.append("")
    for line in status.usage:
        if line.used is None:
            lines.append(
                t(texts.LIMIT_LINE, amount=allowance_amount(t, line.allowance, line.allowed))
            )
        else:
            allowed = t(texts.UNLIMITED) if line.allowed is None else t.number(line.allowed)
            name = t(ALLOWANCE_NAMES[line.allowance])
            lines.append(
                t(texts.USAGE_LINE, allowance=name, used=t.number(line.used), allowed=allowed)
            )
    if status.source == "stripe":
        lines.append(t(texts.CARD_COMMANDS))
    return "\n".join(lines)


def monthly_price(t: Translator, plan: Plan) -> str:
    """The plan's price by card: "$9 a month"; "free" for the free plan."""
    if not plan.is_paid:
        return t(texts.FREE_PRICE)
    return t(texts.MONTHLY_PRICE, amount=t.number(Decimal(plan.price_usd_cents) / 100))


def plans_overview(t: Translator, plans: Iterable[Plan]) -> str:
    blocks = [t(texts.OVERVIEW_TITLE)]
    for plan in plans:
        price = monthly_price(t, plan)
        blocks.append(
            t(texts.OVERVIEW_PLAN, plan=plan.name, price=price, limits=plan_limits(t, plan))
        )
    return "\n".join(blocks)
