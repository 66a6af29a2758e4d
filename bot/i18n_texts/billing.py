"""/subscribe, paying by card or in Telegram Stars, /cancel, /billing, and notices about a plan."""

from datetime import datetime
from html import escape

from bot.i18n_texts import plans as plans_texts
from services.billing import BillingNotice, NoticeKind
from services.i18n import Message, PluralMessage, Translator
from services.plans import Allowance, Plan
from services.stripe_billing import CardPlan

# ------------------------------------------------------------------ the offer

OFFER_TITLE = Message("billing-offer-title", "<b>Upgrade</b>: you're on {plan} now.")
OFFER_STARS = Message("billing-offer-stars", "{stars} ⭐ for 30 days")
OFFER_CARD_OR_STARS = Message("billing-offer-card-or-stars", "{price} a month by card, or {stars}")
OFFER_PLAN = Message("billing-offer-plan", "\n<b>{plan}</b>: {price}\n{limits}")
OFFER_FOOTER_CARD = Message(
    "billing-offer-footer-card",
    "\nA card subscription renews monthly until you /cancel it. "
    "Stars pay for 30 days at a time and never renew by themselves.",
)
OFFER_FOOTER_STARS = Message(
    "billing-offer-footer-stars",
    "\nStars pay for 30 days at a time and never renew by themselves.",
)
BUY_BY_CARD_BUTTON = Message("billing-buy-by-card-button", "💳 {plan} · {price}/month")
BUY_WITH_STARS_BUTTON = PluralMessage(
    "billing-buy-with-stars-button", "⭐ {plan} · {n} Star", "⭐ {plan} · {n} Stars"
)

# ------------------------------------------------------------------ paying by card

OPENING_CHECKOUT = Message("billing-opening-checkout", "Opening checkout…")
CHECKOUT = Message(
    "billing-checkout",
    "Subscribe to <b>{plan}</b> for {price} a month on Stripe's secure page. "
    "Come back here when you're done: I'll confirm as soon as Stripe does.",
)
ALREADY_SUBSCRIBED = Message(
    "billing-already-subscribed",
    "You already pay for <b>{plan}</b> by card. Switch plans, or keep a cancelled plan going, "
    "in /billing.",
)
PAY_BY_CARD_BUTTON = Message("billing-pay-by-card-button", "💳 Pay {price} a month")
PAYMENTS_UNAVAILABLE = Message(
    "billing-payments-unavailable",
    "💳 Card payments are unavailable right now. Please try again in a few minutes, "
    "or pay with Telegram Stars under /subscribe.",
)
CARD_PAYMENTS_OFF = Message(
    "billing-card-payments-off",
    "Card payments are not set up here. Pay with Telegram Stars: /subscribe.",
)

# ------------------------------------------------------------------ paying in Stars

INVOICE_TITLE = Message("billing-invoice-title", "AnalyticBot {plan}")
INVOICE_DESCRIPTION = Message(
    "billing-invoice-description",
    "30 days of {plan}: {channels}, {history}, {exports}, and more. It does not renew by itself.",
)
# The limits the invoice names, each with its count ("10 channels tracked") or unlimited.
INVOICE_LIMITS = {
    Allowance.CHANNELS: (
        PluralMessage("billing-invoice-channels", "{n} channel tracked", "{n} channels tracked"),
        Message("billing-invoice-channels-unlimited", "unlimited channels tracked"),
    ),
    Allowance.HISTORY_DAYS: (
        PluralMessage("billing-invoice-history", "{n} day of history", "{n} days of history"),
        Message("billing-invoice-history-unlimited", "unlimited days of history"),
    ),
    Allowance.EXPORTS_PER_DAY: (
        PluralMessage("billing-invoice-exports", "{n} CSV export a day", "{n} CSV exports a day"),
        Message("billing-invoice-exports-unlimited", "unlimited CSV exports a day"),
    ),
}
PRICE_LABEL = Message("billing-price-label", "{plan}, 30 days")
STARS_ORDER_INVALID = Message(
    "billing-stars-order-invalid", "This order is out of date. Send /subscribe for a fresh one."
)
STARS_PLAN_ACTIVE = Message(
    "billing-stars-plan-active",
    "⭐ Thank you! <b>{plan}</b> is active until {until}; its limits apply now (see /plan). "
    "Stars plans don't renew by themselves: /subscribe adds 30 more days.",
)
PAYMENT_NOT_UNDERSTOOD = Message(
    "billing-payment-not-understood",
    "I received your payment but could not match it to an order. Please write to support and "
    "quote <code>{charge_id}</code>: an admin will refund it.",
)

# ------------------------------------------------------------------ /cancel and /billing

NO_CARD_SUBSCRIPTION = Message(
    "billing-no-card-subscription",
    "You have no card subscription to cancel. Plans paid with Stars or granted simply end on "
    "their date (see /plan).",
)
ALREADY_CANCELLED = Message(
    "billing-already-cancelled",
    "<b>{plan}</b> is already set to end on {until}. Nothing more will be charged.",
)
CANCEL_CONFIRM = Message(
    "billing-cancel-confirm",
    "Stop renewing <b>{plan}</b>?\n\nIt stays active until {until}; after that you're on Free "
    "and nothing more is charged.",
)
CANCEL_CONFIRM_BUTTON = Message("billing-cancel-confirm-button", "Yes, stop renewing")
CANCEL_KEEP_BUTTON = Message("billing-cancel-keep-button", "Keep my plan")
CANCEL_KEPT = Message("billing-cancel-kept", "Nothing changed: your plan renews as before.")
CANCEL_DONE = Message(
    "billing-cancel-done",
    "Done. <b>{plan}</b> won't renew: it stays active until {until}, then you're on Free.",
)
NO_BILLING_ACCOUNT = Message(
    "billing-no-account",
    "You haven't paid by card yet, so there is nothing to manage. See /subscribe.",
)
BILLING_PORTAL = Message(
    "billing-portal", "Your card, invoices and subscription are on Stripe's billing portal:"
)
BILLING_PORTAL_BUTTON = Message("billing-portal-button", "🧾 Open billing portal")

# ------------------------------------------------------------------ notices from background work

NOTICES = {
    NoticeKind.STARTED: Message(
        "billing-notice-started",
        "🎉 Welcome to <b>{plan}</b>! Your new limits apply now (see /plan). "
        "Next renewal on {until}.",
    ),
    NoticeKind.RENEWED: Message(
        "billing-notice-renewed", "🔁 <b>{plan}</b> renewed, thank you! Next renewal on {until}."
    ),
    NoticeKind.RENEWAL_FAILED: Message(
        "billing-notice-renewal-failed",
        "⚠️ I couldn't renew <b>{plan}</b>: the card payment failed. Stripe will try again over "
        "the next days; update your card with /billing to keep your plan.",
    ),
    NoticeKind.CANCEL_SCHEDULED: Message(
        "billing-notice-cancel-scheduled",
        "<b>{plan}</b> won't renew: it stays active until {until}, then you're on Free.",
    ),
    NoticeKind.ENDED: Message(
        "billing-notice-ended",
        "Your <b>{plan}</b> plan has ended, so the Free limits apply again (see /plan). "
        "/subscribe brings it back any time.",
    ),
    NoticeKind.GRANTED: Message(
        "billing-notice-granted",
        "🎁 You've been given <b>{plan}</b> until {until}. Enjoy! See /plan.",
    ),
    NoticeKind.REFUNDED: Message(
        "billing-notice-refunded",
        "↩️ Your Stars payment for <b>{plan}</b> was refunded, so the plan has ended.",
    ),
}


def subscribe_offer(t: Translator, current: Plan, plans: list[Plan], *, card: bool) -> str:
    blocks = [t(OFFER_TITLE, plan=current.name)]
    for plan in plans:
        stars = t(OFFER_STARS, stars=t.number(plan.price_stars))
        price = (
            t(OFFER_CARD_OR_STARS, price=plans_texts.usd(plan.price_usd_cents), stars=stars)
            if card
            else stars
        )
        blocks.append(
            t(OFFER_PLAN, plan=plan.name, price=price, limits=plans_texts.plan_limits(t, plan))
        )
    blocks.append(t(OFFER_FOOTER_CARD if card else OFFER_FOOTER_STARS))
    return "\n".join(blocks)


def buy_by_card_button(t: Translator, plan: Plan) -> str:
    return t(BUY_BY_CARD_BUTTON, plan=plan.name, price=plans_texts.usd(plan.price_usd_cents))


def buy_with_stars_button(t: Translator, plan: Plan) -> str:
    return t.plural(BUY_WITH_STARS_BUTTON, plan.price_stars, plan=plan.name)


def checkout(t: Translator, plan: Plan) -> str:
    return t(CHECKOUT, plan=plan.name, price=plans_texts.usd(plan.price_usd_cents))


def already_subscribed(t: Translator, card: CardPlan) -> str:
    return t(ALREADY_SUBSCRIBED, plan=card.plan.name)


def pay_by_card_button(t: Translator, plan: Plan) -> str:
    return t(PAY_BY_CARD_BUTTON, price=plans_texts.usd(plan.price_usd_cents))


def stars_invoice_title(t: Translator, plan: Plan) -> str:
    return t(INVOICE_TITLE, plan=plan.name)


def _invoice_limit(t: Translator, plan: Plan, allowance: Allowance) -> str:
    counted, unlimited = INVOICE_LIMITS[allowance]
    allowed = plan.limits[allowance]
    return t(unlimited) if allowed is None else t.plural(counted, allowed)


def stars_invoice_description(t: Translator, plan: Plan) -> str:
    return t(
        INVOICE_DESCRIPTION,
        plan=plan.name,
        channels=_invoice_limit(t, plan, Allowance.CHANNELS),
        history=_invoice_limit(t, plan, Allowance.HISTORY_DAYS),
        exports=_invoice_limit(t, plan, Allowance.EXPORTS_PER_DAY),
    )


def stars_price_label(t: Translator, plan: Plan) -> str:
    return t(PRICE_LABEL, plan=plan.name)


def stars_plan_active(t: Translator, plan: Plan, until: datetime) -> str:
    return t(STARS_PLAN_ACTIVE, plan=plan.name, until=plans_texts.iso_day(until))


def payment_not_understood(t: Translator, charge_id: str) -> str:
    return t(PAYMENT_NOT_UNDERSTOOD, charge_id=escape(charge_id))


def already_cancelled(t: Translator, card: CardPlan) -> str:
    return t(ALREADY_CANCELLED, plan=card.plan.name, until=plans_texts.iso_day(card.period_end))


def cancel_confirm(t: Translator, card: CardPlan) -> str:
    return t(CANCEL_CONFIRM, plan=card.plan.name, until=plans_texts.iso_day(card.period_end))


def cancel_done(t: Translator, card: CardPlan) -> str:
    return t(CANCEL_DONE, plan=card.plan.name, until=plans_texts.iso_day(card.period_end))


def billing_notice(t: Translator, notice: BillingNotice) -> str:
    return t(NOTICES[notice.kind], plan=notice.plan.name, until=plans_texts.iso_day(notice.until))
