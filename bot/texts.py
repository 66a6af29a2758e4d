"""Every text the bot sends, in one place (HTML parse mode), ready for translation."""

from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape

from bot.paging import Page
from services.billing import BillingNotice, NoticeKind
from services.domain.billing import BillingOverview, PaymentRecord
from services.domain.channels import ChannelRecord
from services.domain.share_links import ShareLinkRecord
from services.plans import PLANS, Allowance, Plan
from services.share_links import KeyNumber, ShareableReport
from services.stripe_billing import CardPlan

# Still used by the share links and alerts lists, until they call common.page_line(t, page).
PAGE_OF = "Page {number} of {count}"


def _page_line(page: Page) -> list[str]:
    """The line that says where a paged list is, when it has more than one page."""
    if page.count == 1:
        return []
    return ["\n" + PAGE_OF.format(number=page.number, count=page.count)]


# The alert wizard's: the remove confirmation has its own in bot/i18n_texts/channels.py.
CANCEL_BUTTON = "✖️ Cancel"

# Still used by the buying section, until it calls bot/i18n_texts/plans.py.
ALLOWANCE_NAMES = {
    "channels": "channels tracked",
    "history_days": "days of history",
    "exports_per_day": "CSV exports a day",
    "alert_rules": "alert rules",
    "share_link_hours": "hours a share link can live",
    "share_links": "live share links",
    "watermarks_per_day": "watermarks a day",
}


def _limit(allowed: int | None) -> str:
    return "unlimited" if allowed is None else f"{allowed:,}"


def _date(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d}"


def usd(cents: int) -> str:
    return f"${cents / 100:,.0f}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def _plan_limits(plan: Plan) -> str:
    return "\n".join(
        f"• {ALLOWANCE_NAMES[allowance.value]}: {_limit(allowed)}"
        for allowance, allowed in plan.limits.items()
    )


# ----------------------------------------------------------------------------- share links


def utc_time(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def days_label(days: int) -> str:
    return f"{days} days"


def lifetime_label(hours: int | None) -> str:
    if hours is None:
        return "No expiry"
    if hours % 24:
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "24 hours" if hours == 24 else f"{hours // 24} days"


def locked_label(label: str, *, locked: bool) -> str:
    return f"🔒 {label}" if locked else label


def key_number_value(number: KeyNumber) -> str:
    if number.value is None:
        return "–"
    sign = "+" if number.signed else ""
    if isinstance(number.value, float):
        return f"{number.value:{sign},.1f}{number.unit}"
    return f"{number.value:{sign},}{number.unit}"


def chart_title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def period_text(report: ShareableReport, *, capitalized: bool = False) -> str:
    last = "Last" if capitalized else "last"
    return f"{last} {report.days} days, {report.first_day:%d %b} – {report.last_day:%d %b %Y}"


def post_preview(text: str, width: int = 80) -> str:
    line = " ".join(text.split()) or "(no text)"
    return line if len(line) <= width else line[: width - 1] + "…"


def share_choose_period(channel: ChannelRecord) -> str:
    return (
        f"🔗 Share the report of <b>{escape(channel.title)}</b>: anyone with the link sees its "
        "numbers, charts and top posts for the period you choose, and nothing else.\n\n"
        "Which period?"
    )


def share_choose_lifetime(channel: ChannelRecord, days: int) -> str:
    return (
        f"🔗 <b>{escape(channel.title)}</b>, last {days} days.\n\n"
        "How long should the link work? You can revoke it any time in /shares."
    )


def _expiry(link: ShareLinkRecord) -> str:
    return "never expires" if link.expires_at is None else f"until {utc_time(link.expires_at)}"


def share_created(link: ShareLinkRecord, *, url: str, telegram_url: str) -> str:
    return (
        f"✅ Share link for <b>{escape(link.channel_title)}</b>, last {link.days} days, "
        f"{_expiry(link)}:\n{escape(url)}\n\n"
        f"To open it inside Telegram:\n{escape(telegram_url)}\n\n"
        "See who opened it, or revoke it, in /shares."
    )


NO_SHARES = "You have no live share links. Make one with /share."
SHARE_REVOKED = "Revoked: the link no longer opens."
SHARE_ALREADY_GONE = "That link is already revoked or expired."
REVOKE_SHARE_BUTTON = "🗑 Revoke #{number}"
SHARE_CHOICE_NOT_OFFERED = "Choose one of the offered periods and lifetimes."


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count:,} times"


def share_list(page: Page[ShareLinkRecord]) -> str:
    lines = ["<b>Your share links</b>"]
    for number, link in page.numbered():
        opened = "not opened yet" if link.open_count == 0 else f"opened {_times(link.open_count)}"
        lines.append(
            f"\n#{number} <b>{escape(link.channel_title)}</b>, last {link.days} days\n"
            f"    ⏳ {_expiry(link)} · 👁 {opened}"
        )
    return "\n".join(lines + _page_line(page))


SHARED_REPORT_EXPIRED = "⌛ This share link has expired. Ask the channel owner for a new one."
SHARED_REPORT_NOT_FOUND = "This share link does not work: it was revoked, or is mistyped."


def shared_report(report: ShareableReport, *, url: str) -> str:
    """A share link's report as a chat message: the same numbers as the web page."""
    handle = f" (@{escape(report.channel_username)})" if report.channel_username else ""
    lines = [
        f"📊 <b>{escape(report.channel_title)}</b>{handle}",
        escape(period_text(report, capitalized=True)),
        "",
    ]
    lines += [
        f"• {escape(number.label)}: <b>{escape(key_number_value(number))}</b>"
        for number in report.key_numbers
    ]
    if report.top_posts:
        lines += ["", "<b>Top posts</b>"]
        for rank, post in enumerate(report.top_posts, 1):
            views = "" if post.views is None else f"{post.views:,} views · "
            lines.append(
                f"{rank}. {escape(post_preview(post.text, 60))}\n"
                f"    {views}{post.reactions:,} reactions"
            )
    lines += ["", f"Charts and CSV files: {escape(url)}"]
    return "\n".join(lines)


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
