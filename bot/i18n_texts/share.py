"""/share, /shares, a shared report in chat, and the public share page (in its owner's language)."""

from datetime import UTC, datetime
from html import escape

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from bot.i18n_texts.common import page_line
from bot.paging import Page
from services.domain.channels import ChannelRecord
from services.domain.share_links import ShareLinkRecord
from services.i18n import Message, PluralMessage, Translator
from services.share_links import KeyNumber, ShareableReport

# ------------------------------------------------------------------ buttons and labels

PERIOD_BUTTON = PluralMessage("share-period-button", "{n} day", "{n} days")
LIFETIME_HOURS_BUTTON = PluralMessage("share-lifetime-hours-button", "{n} hour", "{n} hours")
LIFETIME_DAYS_BUTTON = PluralMessage("share-lifetime-days-button", "{n} day", "{n} days")
NO_EXPIRY_BUTTON = Message("share-lifetime-no-expiry-button", "No expiry")
REVOKE_BUTTON = Message("share-revoke-button", "🗑 Revoke #{number}")
NO_TEXT = Message("share-post-no-text", "(no text)")
NO_VALUE = "–"  # a number not known for the period: a dash in any language

CHART_TITLES = {
    "growth": Message("share-chart-growth", "Growth"),
    "views": Message("share-chart-views", "Views"),
    "posting_times": Message("share-chart-posting-times", "Posting times"),
    "top_posts": Message("share-chart-top-posts", "Top posts"),
}

LAST_DAYS = PluralMessage("share-period-last-days", "last {n} day", "last {n} days")
PERIOD = Message("share-period", "{last_days}, {first_day} – {last_day}")
PERIOD_CAPITALIZED = PluralMessage(
    "share-period-capitalized",
    "Last {n} day, {first_day} – {last_day}",
    "Last {n} days, {first_day} – {last_day}",
)

# ------------------------------------------------------------------ creating and listing links

CHOOSE_PERIOD = Message(
    "share-choose-period",
    "🔗 Share the report of <b>{title}</b>: anyone with the link sees its numbers, charts and "
    "top posts for the period you choose, and nothing else.\n\nWhich period?",
)
CHOOSE_LIFETIME = Message(
    "share-choose-lifetime",
    "🔗 <b>{title}</b>, {last_days}.\n\n"
    "How long should the link work? You can revoke it any time in /shares.",
)
NEVER_EXPIRES = Message("share-never-expires", "never expires")
UNTIL = Message("share-until", "until {moment}")
CREATED = Message(
    "share-created",
    "✅ Share link for <b>{title}</b>, {last_days}, {expiry}:\n{url}\n\n"
    "To open it inside Telegram:\n{telegram_url}\n\n"
    "See who opened it, or revoke it, in /shares.",
)
CHOICE_NOT_OFFERED = Message(
    "share-choice-not-offered", "Choose one of the offered periods and lifetimes."
)
NO_SHARES = Message("share-list-empty", "You have no live share links. Make one with /share.")
LIST_TITLE = Message("share-list-title", "<b>Your share links</b>")
LIST_ITEM = Message(
    "share-list-item", "\n#{number} <b>{title}</b>, {last_days}\n    ⏳ {expiry} · 👁 {opened}"
)
NOT_OPENED = Message("share-list-not-opened", "not opened yet")
OPENED = PluralMessage("share-list-opened", "opened once", "opened {n} times")
REVOKED = Message("share-revoked", "Revoked: the link no longer opens.")
ALREADY_GONE = Message("share-already-gone", "That link is already revoked or expired.")

# ------------------------------------------------------------------ a shared report in chat

REPORT_EXPIRED = Message(
    "share-report-expired", "⌛ This share link has expired. Ask the channel owner for a new one."
)
REPORT_NOT_FOUND = Message(
    "share-report-not-found", "This share link does not work: it was revoked, or is mistyped."
)
REPORT_TOP_POSTS = Message("share-report-top-posts", "<b>Top posts</b>")
REPORT_POST_VIEWS = PluralMessage("share-report-post-views", "{n} view", "{n} views")
REPORT_POST_REACTIONS = PluralMessage(
    "share-report-post-reactions", "{n} reaction", "{n} reactions"
)
REPORT_LINK = Message("share-report-link", "Charts and CSV files: {url}")

# ------------------------------------------------------------------ the public page

PAGE_NO_EXPIRY = Message("share-page-no-expiry", "This link does not expire.")
PAGE_UNTIL = Message("share-page-until", "This link works until {moment}.")
PAGE_KEY_NUMBERS = Message("share-page-key-numbers", "Key numbers")
PAGE_CHARTS = Message("share-page-charts", "Charts")
PAGE_TOP_POSTS = Message("share-page-top-posts", "Top posts")
PAGE_POSTED = Message("share-page-posted", "Posted")
PAGE_POST = Message("share-page-post", "Post")
PAGE_VIEWS = Message("share-page-views", "Views")
PAGE_REACTIONS = Message("share-page-reactions", "Reactions")
PAGE_NO_POSTS = Message("share-page-no-posts", "No posts in this period.")
PAGE_DOWNLOAD = Message("share-page-download", "Download")
PAGE_FOOTER = Message("share-page-footer", "Shared with AnalyticBot. {expiry}")
PAGE_EXPIRED_TITLE = Message("share-page-expired-title", "Link expired")
PAGE_EXPIRED_HEADING = Message("share-page-expired-heading", "This link has expired")
PAGE_EXPIRED_TEXT = Message(
    "share-page-expired-text",
    "The channel owner shared this report for a limited time. Ask them for a new link.",
)
PAGE_NOT_FOUND_TITLE = Message("share-page-not-found-title", "Link not found")
PAGE_NOT_FOUND_HEADING = Message("share-page-not-found-heading", "This link does not work")
PAGE_NOT_FOUND_TEXT = Message(
    "share-page-not-found-text", "It may have been revoked by the channel owner, or mistyped."
)
PAGE_TOO_MANY_TITLE = Message("share-page-too-many-title", "Too many requests")
PAGE_TOO_MANY_TEXT = Message(
    "share-page-too-many-text", "Please wait a moment and reload the page."
)


def utc_time(moment: datetime) -> str:
    # A share link's end is one instant for everyone who opens it: shown in UTC, ISO-style.
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def post_time(t: Translator, moment: datetime) -> str:
    """When a post went out, on its creator's clock (`moment` carries the zone): 01 Nov 14:05."""
    return format_datetime(moment, "dd MMM HH:mm", tzinfo=moment.tzinfo, locale=t.locale)


def days_label(t: Translator, days: int) -> str:
    return t.plural(PERIOD_BUTTON, days)


def lifetime_label(t: Translator, hours: int | None) -> str:
    if hours is None:
        return t(NO_EXPIRY_BUTTON)
    if hours % 24 or hours == 24:
        return t.plural(LIFETIME_HOURS_BUTTON, hours)
    return t.plural(LIFETIME_DAYS_BUTTON, hours // 24)


def locked_label(label: str, *, locked: bool) -> str:
    return f"🔒 {label}" if locked else label


def key_number_value(t: Translator, number: KeyNumber) -> str:
    if number.value is None:
        return NO_VALUE
    sign = "+" if number.signed and number.value >= 0 else ""
    # Rates and averages keep one decimal (12.0%), counts none.
    pattern = "#,##0.0" if isinstance(number.value, float) else "#,##0"
    return f"{sign}{format_decimal(number.value, pattern, locale=t.locale)}{number.unit}"


def chart_title(t: Translator, name: str) -> str:
    title = CHART_TITLES.get(name)
    return t(title) if title else name.replace("_", " ").capitalize()


def period_text(t: Translator, report: ShareableReport, *, capitalized: bool = False) -> str:
    first_day = format_date(report.first_day, "dd MMM", locale=t.locale)
    last_day = format_date(report.last_day, "dd MMM y", locale=t.locale)
    if capitalized:
        return t.plural(PERIOD_CAPITALIZED, report.days, first_day=first_day, last_day=last_day)
    last_days = t.plural(LAST_DAYS, report.days)
    return t(PERIOD, last_days=last_days, first_day=first_day, last_day=last_day)


def post_preview(t: Translator, text: str, width: int = 80) -> str:
    line = " ".join(text.split()) or t(NO_TEXT)
    return line if len(line) <= width else line[: width - 1] + "…"


def share_choose_period(t: Translator, channel: ChannelRecord) -> str:
    return t(CHOOSE_PERIOD, title=escape(channel.title))


def share_choose_lifetime(t: Translator, channel: ChannelRecord, days: int) -> str:
    return t(CHOOSE_LIFETIME, title=escape(channel.title), last_days=t.plural(LAST_DAYS, days))


def _expiry(t: Translator, link: ShareLinkRecord) -> str:
    if link.expires_at is None:
        return t(NEVER_EXPIRES)
    return t(UNTIL, moment=utc_time(link.expires_at))


def share_created(t: Translator, link: ShareLinkRecord, *, url: str, telegram_url: str) -> str:
    return t(
        CREATED,
        title=escape(link.channel_title),
        last_days=t.plural(LAST_DAYS, link.days),
        expiry=_expiry(t, link),
        url=escape(url),
        telegram_url=escape(telegram_url),
    )


def _opened(t: Translator, count: int) -> str:
    return t(NOT_OPENED) if count == 0 else t.plural(OPENED, count)


def share_list(t: Translator, page: Page[ShareLinkRecord]) -> str:
    lines = [t(LIST_TITLE)]
    lines += [
        t(
            LIST_ITEM,
            number=number,
            title=escape(link.channel_title),
            last_days=t.plural(LAST_DAYS, link.days),
            expiry=_expiry(t, link),
            opened=_opened(t, link.open_count),
        )
        for number, link in page.numbered()
    ]
    return "\n".join(lines + page_line(t, page))


def shared_report(t: Translator, report: ShareableReport, *, url: str) -> str:
    """A share link's report as a chat message: the same numbers as the web page."""
    handle = f" (@{escape(report.channel_username)})" if report.channel_username else ""
    lines = [
        f"📊 <b>{escape(report.channel_title)}</b>{handle}",
        escape(period_text(t, report, capitalized=True)),
        "",
    ]
    lines += [
        f"• {escape(t(number.label))}: <b>{escape(key_number_value(t, number))}</b>"
        for number in report.key_numbers
    ]
    if report.top_posts:
        lines += ["", t(REPORT_TOP_POSTS)]
        for rank, post in enumerate(report.top_posts, 1):
            counts = [] if post.views is None else [t.plural(REPORT_POST_VIEWS, post.views)]
            counts.append(t.plural(REPORT_POST_REACTIONS, post.reactions))
            preview = escape(post_preview(t, post.text, 60))
            lines.append(f"{rank}. {preview}\n    {' · '.join(counts)}")
    lines += ["", t(REPORT_LINK, url=escape(url))]
    return "\n".join(lines)


def page_expiry(t: Translator, link: ShareLinkRecord) -> str:
    if link.expires_at is None:
        return t(PAGE_NO_EXPIRY)
    return t(PAGE_UNTIL, moment=utc_time(link.expires_at))
