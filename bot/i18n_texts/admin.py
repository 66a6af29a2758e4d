"""/admin, /grant and /refund, for the bot's admins (ADMIN_IDS)."""

from datetime import datetime
from html import escape

from babel.numbers import format_decimal

from bot.i18n_texts import plans as plans_texts
from services.domain.billing import BillingOverview, PaymentRecord
from services.i18n import Message, PluralMessage, Translator
from services.plans import PLANS, Plan

OVERVIEW_TITLE = Message("admin-overview-title", "<b>Admin</b>")
OVERVIEW_USERS = Message("admin-overview-users", "👥 Users: {users}")
OVERVIEW_PAYING = Message("admin-overview-paying", "<b>Paying users</b>")
OVERVIEW_PLAN = Message("admin-overview-plan", "• {plan}: {counts}")
# How many users pay for a plan, by rail.
PAYING_BY_RAIL = {
    "stripe": PluralMessage("admin-overview-by-card", "{n} by card", "{n} by card"),
    "stars": PluralMessage("admin-overview-with-stars", "{n} with Stars", "{n} with Stars"),
}
OVERVIEW_NONE = Message("admin-overview-none", "none")
OVERVIEW_GRANTED = Message("admin-overview-granted", "🎁 Granted: {plans}")
OVERVIEW_REVENUE = Message("admin-overview-revenue", "<b>Revenue, last 30 days</b>")
# English reads as /admin always has ("1 payments"); Russian gets its three forms.
OVERVIEW_REVENUE_LINE = PluralMessage(
    "admin-overview-revenue-line", "• {amount} ({n} payments)", "• {amount} ({n} payments)"
)
OVERVIEW_NO_REVENUE = Message("admin-overview-no-revenue", "• nothing yet")
OVERVIEW_COMMANDS = Message(
    "admin-overview-commands",
    "\n<code>/grant &lt;user_id&gt; &lt;plan&gt; &lt;days&gt;</code> · "
    "<code>/refund &lt;charge_id&gt;</code>",
)
GRANT_USAGE = Message(
    "admin-grant-usage",
    "Send <code>/grant &lt;user_id&gt; &lt;pro|business&gt; &lt;days&gt;</code>, "
    "for example <code>/grant 12345 pro 30</code>.",
)
GRANTED = Message(
    "admin-granted", "🎁 User <code>{user_id}</code> has <b>{plan}</b> until {until}."
)
UNKNOWN_USER = Message(
    "admin-unknown-user",
    "I don't know user <code>{user_id}</code>: they have to send /start to me first.",
)
REFUND_USAGE = Message(
    "admin-refund-usage", "Send <code>/refund &lt;telegram_payment_charge_id&gt;</code>."
)
REFUNDED = Message(
    "admin-refunded",
    "↩️ Refunded {stars} ⭐ to user <code>{user_id}</code>; their Stars plan has ended.",
)
PAYMENT_NOT_FOUND = Message(
    "admin-payment-not-found", "No Stars payment has the charge id <code>{charge_id}</code>."
)
ALREADY_REFUNDED = Message("admin-already-refunded", "That payment was refunded already.")
REFUND_REFUSED = Message("admin-refund-refused", "Telegram refused the refund: {reason}")


def _money(t: Translator, currency: str, amount: int) -> str:
    if currency.lower() == "usd":
        return plans_texts.usd(amount)
    if currency == "XTR":
        return f"{t.number(amount)} ⭐"
    return f"{format_decimal(amount / 100, '#,##0.00', locale=t.locale)} {escape(currency.upper())}"


def _plan_name(code: str) -> str:
    return PLANS[code].name if code in PLANS else code


def admin_overview(t: Translator, overview: BillingOverview) -> str:
    lines = [t(OVERVIEW_TITLE), t(OVERVIEW_USERS, users=t.number(overview.users)), ""]
    lines.append(t(OVERVIEW_PAYING))
    for plan in (p for p in PLANS.values() if p.is_paid):
        counts = [
            t.plural(PAYING_BY_RAIL[row.source], row.users)
            for row in overview.paying
            if row.plan_code == plan.code and row.source in PAYING_BY_RAIL
        ]
        lines.append(t(OVERVIEW_PLAN, plan=plan.name, counts=", ".join(counts) or t(OVERVIEW_NONE)))
    granted = [
        f"{_plan_name(row.plan_code)} {t.number(row.users)}"
        for row in overview.paying
        if row.source == "admin"
    ]
    if granted:
        lines.append(t(OVERVIEW_GRANTED, plans=", ".join(granted)))
    lines += ["", t(OVERVIEW_REVENUE)]
    lines += [
        t.plural(OVERVIEW_REVENUE_LINE, row.payments, amount=_money(t, row.currency, row.amount))
        for row in overview.revenue
    ] or [t(OVERVIEW_NO_REVENUE)]
    lines.append(t(OVERVIEW_COMMANDS))
    return "\n".join(lines)


def granted(t: Translator, user_id: int, plan: Plan, until: datetime | None) -> str:
    return t(GRANTED, user_id=user_id, plan=plan.name, until=plans_texts.iso_day(until))


def refunded(t: Translator, payment: PaymentRecord) -> str:
    return t(REFUNDED, stars=t.number(payment.amount), user_id=payment.user_id)
