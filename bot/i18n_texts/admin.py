"""/admin, /grant and /refund, for the bot's admins (ADMIN_IDS)."""

from datetime import datetime
from html import escape

from babel.numbers import format_decimal

from bot.i18n_texts import plans as plans_texts
from services.domain.billing import BillingOverview, PaymentRecord
from services.i18n import Messages, Translator
from services.plans import PLANS, Plan

# texts.NAME here, admin_texts.NAME elsewhere: the message admin-name, its English in
# services/locales/admin.pot.
texts = Messages("admin")
__getattr__ = texts.__getattr__

# How many users pay for a plan, by rail.
PAYING_BY_RAIL = texts.each("PAYING_BY_RAIL", ("stripe", "stars"))


def _money(t: Translator, currency: str, amount: int) -> str:
    if currency.lower() == "usd":
        return plans_texts.usd(amount)
    if currency == "XTR":
        return f"{t.number(amount)} ⭐"
    return f"{format_decimal(amount / 100, '#,##0.00', locale=t.locale)} {escape(currency.upper())}"


def _plan_name(code: str) -> str:
    return PLANS[code].name if code in PLANS else code


def admin_overview(t: Translator, overview: BillingOverview) -> str:
    lines = [t(texts.OVERVIEW_TITLE), t(texts.OVERVIEW_USERS, users=t.number(overview.users)), ""]
    lines.append(t(texts.OVERVIEW_PAYING))
    for plan in (p for p in PLANS.values() if p.is_paid):
        counts = [
            t.plural(PAYING_BY_RAIL[row.source], row.users)
            for row in overview.paying
            if row.plan_code == plan.code and row.source in PAYING_BY_RAIL
        ]
        lines.append(
            t(
                texts.OVERVIEW_PLAN,
                plan=plan.name,
                counts=", ".join(counts) or t(texts.OVERVIEW_NONE),
            )
        )
    granted = [
        f"{_plan_name(row.plan_code)} {t.number(row.users)}"
        for row in overview.paying
        if row.source == "admin"
    ]
    if granted:
        lines.append(t(texts.OVERVIEW_GRANTED, plans=", ".join(granted)))
    lines += ["", t(texts.OVERVIEW_REVENUE)]
    lines += [
        t.plural(
            texts.OVERVIEW_REVENUE_LINE, row.payments, amount=_money(t, row.currency, row.amount)
        )
        for row in overview.revenue
    ] or [t(texts.OVERVIEW_NO_REVENUE)]
    lines.append(t(texts.OVERVIEW_COMMANDS))
    return "\n".join(lines)


def granted(t: Translator, user_id: int, plan: Plan, until: datetime | None) -> str:
    return t(texts.GRANTED, user_id=user_id, plan=plan.name, until=plans_texts.plan_day(t, until))


def refunded(t: Translator, payment: PaymentRecord) -> str:
    return t(texts.REFUNDED, stars=t.number(payment.amount), user_id=payment.user_id)
