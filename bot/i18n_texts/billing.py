"""/subscribe, paying by card or in Telegram Stars, /cancel, /billing, and notices about a plan."""

from datetime import datetime
from html import escape

from bot.i18n_texts import plans as plans_texts
from services.billing import BillingNotice, NoticeKind
from services.i18n import Message, Messages, PluralMessage, Translator
from services.plans import Allowance, Plan
from services.stripe_billing import CardPlan

# texts.NAME here, billing_texts.NAME elsewhere: the message billing-name, its English in
# services/locales/billing.pot.
texts = Messages("billing")
__getattr__ = texts.__getattr__

# ------------------------------------------------------------------ the offer


# ------------------------------------------------------------------ paying by card


# ------------------------------------------------------------------ paying in Stars

# The limits the invoice names, each with its count ("10 channels tracked") or unlimited.
INVOICE_LIMITS = {
    Allowance.CHANNELS: (
        PluralMessage("billing-invoice-channels"),
        Message("billing-invoice-channels-unlimited"),
    ),
    Allowance.HISTORY_DAYS: (
        PluralMessage("billing-invoice-history"),
        Message("billing-invoice-history-unlimited"),
    ),
    Allowance.EXPORTS_PER_DAY: (
        PluralMessage("billing-invoice-exports"),
        Message("billing-invoice-exports-unlimited"),
    ),
}

# ------------------------------------------------------------------ /cancel and /billing


# ------------------------------------------------------------------ notices from background work

NOTICES = texts.each("NOTICE", NoticeKind)


def subscribe_offer(t: Translator, current: Plan, plans: list[Plan], *, card: bool) -> str:
    blocks = [t(texts.OFFER_TITLE, plan=current.name)]
    for plan in plans:
        stars = t(texts.OFFER_STARS, stars=t.number(plan.price_stars))
        price = (
            t(texts.OFFER_CARD_OR_STARS, price=plans_texts.usd(plan.price_usd_cents), stars=stars)
            if card
            else stars
        )
        blocks.append(
            t(
                texts.OFFER_PLAN,
                plan=plan.name,
                price=price,
                limits=plans_texts.plan_limits(t, plan),
            )
        )
    blocks.append(t(texts.OFFER_FOOTER_CARD if card else texts.OFFER_FOOTER_STARS))
    return "\n".join(blocks)


def buy_by_card_button(t: Translator, plan: Plan) -> str:
    return t(texts.BUY_BY_CARD_BUTTON, plan=plan.name, price=plans_texts.usd(plan.price_usd_cents))


def buy_with_stars_button(t: Translator, plan: Plan) -> str:
    return t.plural(texts.BUY_WITH_STARS_BUTTON, plan.price_stars, plan=plan.name)


def checkout(t: Translator, plan: Plan) -> str:
    return t(texts.CHECKOUT, plan=plan.name, price=plans_texts.usd(plan.price_usd_cents))


def already_subscribed(t: Translator, card: CardPlan) -> str:
    return t(texts.ALREADY_SUBSCRIBED, plan=card.plan.name)


def pay_by_card_button(t: Translator, plan: Plan) -> str:
    return t(texts.PAY_BY_CARD_BUTTON, price=plans_texts.usd(plan.price_usd_cents))


def stars_invoice_title(t: Translator, plan: Plan) -> str:
    return t(texts.INVOICE_TITLE, plan=plan.name)


def _invoice_limit(t: Translator, plan: Plan, allowance: Allowance) -> str:
    counted, unlimited = INVOICE_LIMITS[allowance]
    allowed = plan.limits[allowance]
    return t(unlimited) if allowed is None else t.plural(counted, allowed)


def stars_invoice_description(t: Translator, plan: Plan) -> str:
    return t(
        texts.INVOICE_DESCRIPTION,
        plan=plan.name,
        channels=_invoice_limit(t, plan, Allowance.CHANNELS),
        history=_invoice_limit(t, plan, Allowance.HISTORY_DAYS),
        exports=_invoice_limit(t, plan, Allowance.EXPORTS_PER_DAY),
    )


def stars_price_label(t: Translator, plan: Plan) -> str:
    return t(texts.PRICE_LABEL, plan=plan.name)


def stars_plan_active(t: Translator, plan: Plan, until: datetime) -> str:
    return t(texts.STARS_PLAN_ACTIVE, plan=plan.name, until=plans_texts.plan_day(t, until))


def payment_not_understood(t: Translator, charge_id: str) -> str:
    return t(texts.PAYMENT_NOT_UNDERSTOOD, charge_id=escape(charge_id))


def already_cancelled(t: Translator, card: CardPlan) -> str:
    return t(
        texts.ALREADY_CANCELLED, plan=card.plan.name, until=plans_texts.plan_day(t, card.period_end)
    )


def cancel_confirm(t: Translator, card: CardPlan) -> str:
    return t(
        texts.CANCEL_CONFIRM, plan=card.plan.name, until=plans_texts.plan_day(t, card.period_end)
    )


def cancel_done(t: Translator, card: CardPlan) -> str:
    return t(texts.CANCEL_DONE, plan=card.plan.name, until=plans_texts.plan_day(t, card.period_end))


def billing_notice(t: Translator, notice: BillingNotice) -> str:
    return t(
        NOTICES[notice.kind], plan=notice.plan.name, until=plans_texts.plan_day(t, notice.until)
    )
