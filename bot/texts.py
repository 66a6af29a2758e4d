"""Every text the bot sends, in one place (HTML parse mode), ready for translation."""

from collections.abc import Iterable
from datetime import datetime
from html import escape

from db.billing import BillingOverview, PaymentRecord
from db.channels import ChannelRecord, ChannelSummary
from services.billing import BillingNotice, NoticeKind
from services.entitlements import LimitReached, PlanStatus
from services.plans import PLANS, Allowance, Plan
from services.stripe_billing import CardPlan

START = (
    "👋 <b>AnalyticBot</b> keeps the numbers of your Telegram channel: posts, views, "
    "reactions, subscribers joining and leaving, and how your channel grows.\n\n"
    "<b>How to start</b>\n"
    "1. Tap <b>Add to my channel</b> below and pick your channel. Telegram asks you to make "
    "me an admin: I only need to read, I never post.\n"
    "2. I'll message you here as soon as the channel is connected.\n\n"
    "Already made me an admin? Send <code>/add @yourchannel</code>.\n"
    "See everything I can do with /help."
)
ADD_TO_CHANNEL_BUTTON = "➕ Add to my channel"
MY_CHANNELS_BUTTON = "📋 My channels"

HELP = (
    "<b>Commands</b>\n"
    "/channels: your tracked channels\n"
    "/add @channel: track a channel where I am already an admin\n"
    "/remove @channel: stop tracking a channel\n"
    "/plan: your plan, its limits and this period's usage\n"
    "/subscribe: plans and prices; upgrade by card or with Telegram Stars\n"
    "/cancel: stop renewing your card subscription\n"
    "/billing: your card, invoices and receipts\n"
    "/help: this message\n\n"
    "I record what happens in each channel from the moment I become its admin. "
    "Only the channel's admins can see its numbers: I check that with Telegram."
)

SORRY = (
    "😔 Sorry, something went wrong on our side. Please try again. Reference: <code>{ref}</code>"
)
SLOW_DOWN = "⏳ Too many requests at once. Please wait a moment."
UNKNOWN_COMMAND = "🤔 I don't know the command {command}. Send /help to see what I can do."
FREE_TEXT = (
    "I work with commands. Send /channels to see your channels, or /help for everything I can do."
)

ADD_USAGE = (
    "Send the channel's @username or id after the command, for example:\n"
    "<code>/add @yourchannel</code>\n\n"
    "Make me an admin of the channel first: tap <b>Add to my channel</b> under /start."
)
INVALID_CHANNEL_REF = (
    "That doesn't look like a channel. Send its @username, a t.me link or its id (-100…)."
)
CHANNEL_NOT_FOUND = (
    "I can't find that channel. Check the @username; for a private channel, "
    "make me an admin first and then use its id."
)
NOT_A_CHANNEL = "That is a group or a private chat. I track channels only."
BOT_NOT_ADMIN = (
    "I'm not an admin of <b>{title}</b> yet. Add me as an admin first "
    "(tap <b>Add to my channel</b> under /start), then try again."
)
NOT_CHANNEL_ADMIN = (
    "Only admins of a channel can do that, and Telegram says you are not one of them."
)
NO_CHANNELS = (
    "You have no channels yet. Tap <b>Add to my channel</b> under /start, "
    "or send <code>/add @yourchannel</code>."
)
CHOOSE_CHANNEL = "Which channel?"


def channel_now_tracked(channel: ChannelRecord, *, was_tracked: bool) -> str:
    if was_tracked:
        return f"✅ <b>{escape(channel.title)}</b> is already tracked. See it in /channels."
    return (
        f"✅ Now tracking <b>{escape(channel.title)}</b>.\n"
        "From now on I record its posts, reactions, subscribers joining and leaving, "
        "and its subscriber count. See it in /channels."
    )


def _ago(moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


def channel_list(summaries: list[ChannelSummary], now: datetime) -> str:
    lines = ["<b>Your channels</b>"]
    for summary in summaries:
        channel = summary.channel
        name = escape(channel.title)
        handle = f" (@{escape(channel.username)})" if channel.username else ""
        subscribers = (
            f"{summary.subscribers:,} subscribers"
            if summary.subscribers is not None
            else "counting…"
        )
        last_post = (
            f"last post {_ago(summary.last_post_at, now)}"
            if summary.last_post_at
            else "no posts yet"
        )
        status = "" if channel.is_tracked else "\n    ⏸ not tracked"
        lines.append(f"\n📢 <b>{name}</b>{handle}\n    👥 {subscribers} · 📝 {last_post}{status}")
    return "\n".join(lines)


def remove_confirm(channel: ChannelRecord) -> str:
    return (
        f"Stop tracking <b>{escape(channel.title)}</b>?\n\n"
        "<b>Keep data</b>: I stop recording; what I have stays, and /add resumes.\n"
        "<b>Delete data</b>: I stop and delete everything recorded for this channel, "
        "for all its admins. This cannot be undone."
    )


REMOVE_KEEP_BUTTON = "⏸ Stop, keep data"
REMOVE_DELETE_BUTTON = "🗑 Stop and delete data"
CANCEL_BUTTON = "✖️ Cancel"
REMOVE_CANCELLED = "Nothing changed."
REMOVE_BUTTON = "🗑 Remove {title}"
RESUME_BUTTON = "▶️ Resume {title}"


def removed(channel: ChannelRecord, *, deleted: bool) -> str:
    if deleted:
        return f"🗑 Stopped tracking <b>{escape(channel.title)}</b> and deleted its data."
    return (
        f"⏸ Stopped tracking <b>{escape(channel.title)}</b>. Its data is kept; "
        f"<code>/add {channel.id}</code> resumes tracking."
    )


def bot_removed_from_channel(title: str) -> str:
    return (
        f"⏸ I'm no longer an admin of <b>{escape(title)}</b>, so I stopped tracking it. "
        "Everything recorded so far is kept."
    )


COMMANDS = {
    "start": "What this bot does",
    "channels": "Your tracked channels",
    "add": "Track a channel: /add @channel",
    "remove": "Stop tracking a channel",
    "plan": "Your plan and usage",
    "subscribe": "Plans and prices: upgrade",
    "cancel": "Stop renewing your card subscription",
    "billing": "Your card, invoices and receipts",
    "help": "All commands",
}
# Listed only while the billing feature is on.
BILLING_COMMANDS = frozenset({"subscribe", "cancel", "billing"})

STALE_BUTTON = "This button no longer works. Send the command again."

ALLOWANCE_NAMES = {
    "channels": "channels tracked",
    "history_days": "days of history",
    "exports_per_day": "CSV exports a day",
    "alert_rules": "alert rules",
    "share_link_hours": "hours a share link can live",
    "watermarks_per_day": "watermarks a day",
    "insights_per_month": "AI insights a month",
}
UPGRADE_BUTTON = "⭐ Upgrade"


def limit_reached(error: LimitReached) -> str:
    name = ALLOWANCE_NAMES[error.allowance.value]
    return f"🔒 Your {error.plan.name} plan allows {error.allowed:,} {name}. Upgrade to get more."


def _limit(allowed: int | None) -> str:
    return "unlimited" if allowed is None else f"{allowed:,}"


def _date(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d}"


def usd(cents: int) -> str:
    return f"${cents / 100:,.0f}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


_PAID_BY = {"stripe": "paid by card", "stars": "paid with Telegram Stars", "admin": "granted"}


def plan_status(status: PlanStatus) -> str:
    lines = [f"<b>Your plan: {status.plan.name}</b>"]
    if status.expires_at is not None:
        verb = "Renews on" if status.renews else "Ends on"
        paid_by = _PAID_BY.get(status.source or "")
        lines.append(f"{verb} {_date(status.expires_at)}" + (f" ({paid_by})" if paid_by else ""))
    lines.append("")
    for line in status.usage:
        name = ALLOWANCE_NAMES[line.allowance.value]
        if line.used is None:
            lines.append(f"• {name}: {_limit(line.allowed)}")
        else:
            lines.append(f"• {name}: {line.used:,} of {_limit(line.allowed)}")
    if status.source == "stripe":
        lines.append("\nCard and invoices: /billing · stop renewing: /cancel")
    return "\n".join(lines)


def _plan_limits(plan: Plan) -> str:
    return "\n".join(
        f"• {ALLOWANCE_NAMES[allowance.value]}: {_limit(allowed)}"
        for allowance, allowed in plan.limits.items()
    )


def plans_overview(plans: Iterable[Plan]) -> str:
    blocks = ["<b>Plans</b>"]
    for plan in plans:
        price = "free" if not plan.is_paid else f"{usd(plan.price_usd_cents)} a month"
        blocks.append(f"\n<b>{plan.name}</b> ({price})\n{_plan_limits(plan)}")
    return "\n".join(blocks)


# --------------------------------------------------------------------------- buying


def subscribe_offer(current: Plan, plans: Iterable[Plan], *, card: bool) -> str:
    blocks = [f"<b>Upgrade</b>: you're on {current.name} now."]
    for plan in plans:
        stars = f"{plan.price_stars:,} ⭐ for 30 days"
        price = f"{usd(plan.price_usd_cents)} a month by card, or {stars}" if card else stars
        blocks.append(f"\n<b>{plan.name}</b>: {price}\n{_plan_limits(plan)}")
    renewal = "A card subscription renews monthly until you /cancel it. " if card else ""
    blocks.append(f"\n{renewal}Stars pay for 30 days at a time and never renew by themselves.")
    return "\n".join(blocks)


def buy_by_card_button(plan: Plan) -> str:
    return f"💳 {plan.name} · {usd(plan.price_usd_cents)}/month"


def buy_with_stars_button(plan: Plan) -> str:
    return f"⭐ {plan.name} · {plan.price_stars:,} Stars"


OPENING_CHECKOUT = "Opening checkout…"


def checkout(plan: Plan) -> str:
    return (
        f"Subscribe to <b>{plan.name}</b> for {usd(plan.price_usd_cents)} a month on Stripe's "
        "secure page. Come back here when you're done: I'll confirm as soon as Stripe does."
    )


def already_subscribed(card: CardPlan) -> str:
    return (
        f"You already pay for <b>{card.plan.name}</b> by card. Switch plans, or keep a "
        "cancelled plan going, in /billing."
    )


def pay_by_card_button(plan: Plan) -> str:
    return f"💳 Pay {usd(plan.price_usd_cents)} a month"


def stars_invoice_title(plan: Plan) -> str:
    return f"AnalyticBot {plan.name}"


def stars_invoice_description(plan: Plan) -> str:
    shown = (Allowance.CHANNELS, Allowance.HISTORY_DAYS, Allowance.EXPORTS_PER_DAY)
    limits = ", ".join(
        f"{_limit(plan.limits[allowance])} {ALLOWANCE_NAMES[allowance.value]}"
        for allowance in shown
    )
    return f"30 days of {plan.name}: {limits}, and more. It does not renew by itself."


def stars_price_label(plan: Plan) -> str:
    return f"{plan.name}, 30 days"


STARS_ORDER_INVALID = "This order is out of date. Send /subscribe for a fresh one."


def stars_plan_active(plan: Plan, until: datetime) -> str:
    return (
        f"⭐ Thank you! <b>{plan.name}</b> is active until {_date(until)}; its limits apply now "
        "(see /plan). Stars plans don't renew by themselves: /subscribe adds 30 more days."
    )


def payment_not_understood(charge_id: str) -> str:
    return (
        "I received your payment but could not match it to an order. Please write to support "
        f"and quote <code>{escape(charge_id)}</code>: an admin will refund it."
    )


PAYMENTS_UNAVAILABLE = (
    "💳 Card payments are unavailable right now. Please try again in a few minutes, "
    "or pay with Telegram Stars under /subscribe."
)
CARD_PAYMENTS_OFF = "Card payments are not set up here. Pay with Telegram Stars: /subscribe."

NO_CARD_SUBSCRIPTION = (
    "You have no card subscription to cancel. Plans paid with Stars or granted simply "
    "end on their date (see /plan)."
)


def already_cancelled(card: CardPlan) -> str:
    return (
        f"<b>{card.plan.name}</b> is already set to end on {_date(card.period_end)}. "
        "Nothing more will be charged."
    )


def cancel_confirm(card: CardPlan) -> str:
    return (
        f"Stop renewing <b>{card.plan.name}</b>?\n\nIt stays active until "
        f"{_date(card.period_end)}; after that you're on Free and nothing more is charged."
    )


CANCEL_CONFIRM_BUTTON = "Yes, stop renewing"
CANCEL_KEEP_BUTTON = "Keep my plan"
CANCEL_KEPT = "Nothing changed: your plan renews as before."


def cancel_done(card: CardPlan) -> str:
    return (
        f"Done. <b>{card.plan.name}</b> won't renew: it stays active until "
        f"{_date(card.period_end)}, then you're on Free."
    )


NO_BILLING_ACCOUNT = "You haven't paid by card yet, so there is nothing to manage. See /subscribe."
BILLING_PORTAL = "Your card, invoices and subscription are on Stripe's billing portal:"
BILLING_PORTAL_BUTTON = "🧾 Open billing portal"


def billing_notice(notice: BillingNotice) -> str:
    plan = f"<b>{notice.plan.name}</b>"
    until = _date(notice.until)
    match notice.kind:
        case NoticeKind.STARTED:
            return (
                f"🎉 Welcome to {plan}! Your new limits apply now (see /plan). "
                f"Next renewal on {until}."
            )
        case NoticeKind.RENEWED:
            return f"🔁 {plan} renewed, thank you! Next renewal on {until}."
        case NoticeKind.RENEWAL_FAILED:
            return (
                f"⚠️ I couldn't renew {plan}: the card payment failed. Stripe will try again "
                "over the next days; update your card with /billing to keep your plan."
            )
        case NoticeKind.CANCEL_SCHEDULED:
            return f"{plan} won't renew: it stays active until {until}, then you're on Free."
        case NoticeKind.ENDED:
            return (
                f"Your {plan} plan has ended, so the Free limits apply again (see /plan). "
                "/subscribe brings it back any time."
            )
        case NoticeKind.GRANTED:
            return f"🎁 You've been given {plan} until {until}. Enjoy! See /plan."
        case NoticeKind.REFUNDED:
            return f"↩️ Your Stars payment for {plan} was refunded, so the plan has ended."


# --------------------------------------------------------------------------- admins

_RAIL_NAMES = {"stripe": "by card", "stars": "with Stars"}


def _money(currency: str, amount: int) -> str:
    if currency.lower() == "usd":
        return usd(amount)
    if currency == "XTR":
        return f"{amount:,} ⭐"
    return f"{amount / 100:,.2f} {escape(currency.upper())}"


def admin_overview(overview: BillingOverview) -> str:
    lines = ["<b>Admin</b>", f"👥 Users: {overview.users:,}", "", "<b>Paying users</b>"]
    for plan in (p for p in PLANS.values() if p.is_paid):
        counts = [
            f"{row.users:,} {_RAIL_NAMES[row.source]}"
            for row in overview.paying
            if row.plan_code == plan.code and row.source in _RAIL_NAMES
        ]
        lines.append(f"• {plan.name}: {', '.join(counts) or 'none'}")
    granted = [
        f"{PLANS[row.plan_code].name if row.plan_code in PLANS else row.plan_code} {row.users:,}"
        for row in overview.paying
        if row.source == "admin"
    ]
    if granted:
        lines.append(f"🎁 Granted: {', '.join(granted)}")
    lines += ["", "<b>Revenue, last 30 days</b>"]
    lines += [
        f"• {_money(row.currency, row.amount)} ({row.payments:,} payments)"
        for row in overview.revenue
    ] or ["• nothing yet"]
    lines.append(
        "\n<code>/grant &lt;user_id&gt; &lt;plan&gt; &lt;days&gt;</code> · "
        "<code>/refund &lt;charge_id&gt;</code>"
    )
    return "\n".join(lines)


GRANT_USAGE = (
    "Send <code>/grant &lt;user_id&gt; &lt;pro|business&gt; &lt;days&gt;</code>, "
    "for example <code>/grant 12345 pro 30</code>."
)


def granted(user_id: int, plan: Plan, until: datetime | None) -> str:
    return f"🎁 User <code>{user_id}</code> has <b>{plan.name}</b> until {_date(until)}."


UNKNOWN_USER = "I don't know user <code>{user_id}</code>: they have to send /start to me first."
REFUND_USAGE = "Send <code>/refund &lt;telegram_payment_charge_id&gt;</code>."


def refunded(payment: PaymentRecord) -> str:
    return (
        f"↩️ Refunded {payment.amount:,} ⭐ to user <code>{payment.user_id}</code>; "
        "their Stars plan has ended."
    )


PAYMENT_NOT_FOUND = "No Stars payment has the charge id <code>{charge_id}</code>."
ALREADY_REFUNDED = "That payment was refunded already."
REFUND_REFUSED = "Telegram refused the refund: {reason}"
