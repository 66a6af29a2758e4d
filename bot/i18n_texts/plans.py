"""/plan, the plans and their limits, and a limit met anywhere in chat."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from bot.i18n_texts import copies as copies_texts
from services.entitlements import LimitReached, PlanStatus
from services.i18n import Message, PluralMessage, Translator
from services.plans import Allowance, Plan

# Each allowance by name, where a count of it follows ("channels tracked: 1 of 3").
ALLOWANCE_NAMES = {
    Allowance.CHANNELS: Message("plans-allowance-channels", "channels tracked"),
    Allowance.HISTORY_DAYS: Message("plans-allowance-history-days", "days of history"),
    Allowance.EXPORTS_PER_DAY: Message("plans-allowance-exports-per-day", "CSV exports a day"),
    Allowance.ALERT_RULES: Message("plans-allowance-alert-rules", "alert rules"),
    Allowance.SHARE_LINK_HOURS: Message(
        "plans-allowance-share-link-hours", "hours a share link can live"
    ),
    Allowance.SHARE_LINKS: Message("plans-allowance-share-links", "live share links"),
    Allowance.INVITE_LINKS: Message("plans-allowance-invite-links", "live invite links"),
    Allowance.WATERMARKS_PER_DAY: Message("plans-allowance-watermarks-per-day", "watermarks a day"),
    Allowance.WEBHOOK_ENDPOINTS: Message("plans-allowance-webhook-endpoints", "webhook endpoints"),
    Allowance.INSIGHTS_PER_MONTH: Message(
        "plans-allowance-insights-per-month", "AI insights a month"
    ),
    Allowance.WATCHED_CHANNELS: copies_texts.ALLOWANCE_NAME,
    Allowance.API_KEYS: Message("plans-allowance-api-keys", "API keys"),
}
# Each allowance with its amount ("3 channels tracked"), in the forms its number asks for.
ALLOWANCE_AMOUNTS = {
    Allowance.CHANNELS: PluralMessage(
        "plans-amount-channels", "{n} channel tracked", "{n} channels tracked"
    ),
    Allowance.HISTORY_DAYS: PluralMessage(
        "plans-amount-history-days", "{n} day of history", "{n} days of history"
    ),
    Allowance.EXPORTS_PER_DAY: PluralMessage(
        "plans-amount-exports-per-day", "{n} CSV export a day", "{n} CSV exports a day"
    ),
    Allowance.ALERT_RULES: PluralMessage(
        "plans-amount-alert-rules", "{n} alert rule", "{n} alert rules"
    ),
    Allowance.SHARE_LINK_HOURS: PluralMessage(
        "plans-amount-share-link-hours",
        "{n} hour a share link can live",
        "{n} hours a share link can live",
    ),
    Allowance.SHARE_LINKS: PluralMessage(
        "plans-amount-share-links", "{n} live share link", "{n} live share links"
    ),
    Allowance.INVITE_LINKS: PluralMessage(
        "plans-amount-invite-links", "{n} live invite link", "{n} live invite links"
    ),
    Allowance.WATERMARKS_PER_DAY: PluralMessage(
        "plans-amount-watermarks-per-day", "{n} watermark a day", "{n} watermarks a day"
    ),
    Allowance.WEBHOOK_ENDPOINTS: PluralMessage(
        "plans-amount-webhook-endpoints", "{n} webhook endpoint", "{n} webhook endpoints"
    ),
    Allowance.INSIGHTS_PER_MONTH: PluralMessage(
        "plans-amount-insights-per-month", "{n} AI insight a month", "{n} AI insights a month"
    ),
    Allowance.WATCHED_CHANNELS: copies_texts.ALLOWANCE_AMOUNT,
    Allowance.API_KEYS: PluralMessage("plans-amount-api-keys", "{n} API key", "{n} API keys"),
}
UNLIMITED_AMOUNT = Message("plans-amount-unlimited", "unlimited {allowance}")
LIMIT_LINE = Message("plans-limit-line", "• {amount}")
USAGE_LINE = Message("plans-usage-line", "• {allowance}: {used} of {allowed}")
UNLIMITED = Message("plans-unlimited", "unlimited")

UPGRADE_BUTTON = Message("plans-upgrade-button", "⭐ Upgrade")
LIMIT_REACHED = Message(
    "plans-limit-reached", "🔒 Your {plan} plan allows {amount}. Upgrade to get more."
)

STATUS_TITLE = Message("plans-status-title", "<b>Your plan: {plan}</b>")
RENEWS = Message("plans-status-renews", "Renews on {date}")
RENEWS_PAID = Message("plans-status-renews-paid", "Renews on {date} ({paid})")
ENDS = Message("plans-status-ends", "Ends on {date}")
ENDS_PAID = Message("plans-status-ends-paid", "Ends on {date} ({paid})")
PAID_BY = {
    "stripe": Message("plans-status-paid-by-card", "paid by card"),
    "stars": Message("plans-status-paid-with-stars", "paid with Telegram Stars"),
    "admin": Message("plans-status-granted", "granted"),
}
CARD_COMMANDS = Message(
    "plans-status-card-commands", "\nCard and invoices: /billing · stop renewing: /cancel"
)

OVERVIEW_TITLE = Message("plans-overview-title", "<b>Plans</b>")
OVERVIEW_PLAN = Message("plans-overview-plan", "\n<b>{plan}</b> ({price})\n{limits}")
FREE_PRICE = Message("plans-overview-free", "free")
MONTHLY_PRICE = Message("plans-overview-monthly-price", "${amount} a month")


def allowance_amount(t: Translator, allowance: Allowance, allowed: int | None) -> str:
    """How much of an allowance a plan gives: "3 channels tracked", "unlimited alert rules"."""
    if allowed is None:
        return t(UNLIMITED_AMOUNT, allowance=t(ALLOWANCE_NAMES[allowance]))
    return t.plural(ALLOWANCE_AMOUNTS[allowance], allowed)


def limit_reached(t: Translator, error: LimitReached) -> str:
    amount = allowance_amount(t, error.allowance, error.allowed)
    return t(LIMIT_REACHED, plan=error.plan.name, amount=amount)


def iso_day(moment: datetime | None) -> str:
    """A plan's date: ISO reads the same in both languages (billing and admin texts show it too)."""
    return "—" if moment is None else f"{moment:%Y-%m-%d}"


def usd(cents: int) -> str:
    """A card price in dollars: "$9", "$9.50"."""
    return f"${cents / 100:,.0f}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def _ends(t: Translator, status: PlanStatus, expires_at: datetime) -> str:
    paid_by = PAID_BY.get(status.source or "")
    if paid_by is None:
        return t(RENEWS if status.renews else ENDS, date=iso_day(expires_at))
    template = RENEWS_PAID if status.renews else ENDS_PAID
    return t(template, date=iso_day(expires_at), paid=t(paid_by))


def plan_limits(t: Translator, plan: Plan) -> str:
    """One line per allowance of the plan."""
    return "\n".join(
        t(LIMIT_LINE, amount=allowance_amount(t, allowance, allowed))
        for allowance, allowed in plan.limits.items()
    )


def plan_status(t: Translator, status: PlanStatus) -> str:
    lines = [t(STATUS_TITLE, plan=status.plan.name)]
    if status.expires_at is not None:
        lines.append(_ends(t, status, status.expires_at))
    lines.append("")
    for line in status.usage:
        if line.used is None:
            lines.append(t(LIMIT_LINE, amount=allowance_amount(t, line.allowance, line.allowed)))
        else:
            allowed = t(UNLIMITED) if line.allowed is None else t.number(line.allowed)
            name = t(ALLOWANCE_NAMES[line.allowance])
            lines.append(t(USAGE_LINE, allowance=name, used=t.number(line.used), allowed=allowed))
    if status.source == "stripe":
        lines.append(t(CARD_COMMANDS))
    return "\n".join(lines)


def monthly_price(t: Translator, plan: Plan) -> str:
    """The plan's price by card: "$9 a month"; "free" for the free plan."""
    if not plan.is_paid:
        return t(FREE_PRICE)
    return t(MONTHLY_PRICE, amount=t.number(Decimal(plan.price_usd_cents) / 100))


def plans_overview(t: Translator, plans: Iterable[Plan]) -> str:
    blocks = [t(OVERVIEW_TITLE)]
    for plan in plans:
        price = monthly_price(t, plan)
        blocks.append(t(OVERVIEW_PLAN, plan=plan.name, price=price, limits=plan_limits(t, plan)))
    return "\n".join(blocks)
