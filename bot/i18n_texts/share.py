"""/share, /shares, a shared report in chat, and the public share page (in its owner's language)."""

from datetime import UTC, datetime
from html import escape

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from bot.i18n_texts.common import page_line
from bot.paging import Page
from services.domain.channels import ChannelRecord
from services.domain.share_links import ShareLinkRecord
from services.i18n import Messages, Translator
from services.share_links import KeyNumber, ShareableReport

# texts.NAME here, share_texts.NAME elsewhere: the message share-name, its English in
# services/locales/share.pot.
texts = Messages("share")
__getattr__ = texts.__getattr__

# ------------------------------------------------------------------ buttons and labels

NO_VALUE = "–"  # a number not known for the period: a dash in any language

CHART_TITLES = texts.each("CHART", ("growth", "views", "posting_times", "top_posts"))


# ------------------------------------------------------------------ creating and listing links


# ------------------------------------------------------------------ a shared report in chat


# ------------------------------------------------------------------ the public page


def utc_time(moment: datetime) -> str:
    # A share link's end is one instant for everyone who opens it: shown in UTC, ISO-style.
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def post_time(t: Translator, moment: datetime) -> str:
    """When a post went out, on its creator's clock (`moment` carries the zone): 01 Nov 14:05."""
    return format_datetime(moment, "dd MMM HH:mm", tzinfo=moment.tzinfo, locale=t.locale)


def days_label(t: Translator, days: int) -> str:
    return t.plural(texts.PERIOD_BUTTON, days)


def lifetime_label(t: Translator, hours: int | None) -> str:
    if hours is None:
        return t(texts.NO_EXPIRY_BUTTON)
    if hours % 24 or hours == 24:
        return t.plural(texts.LIFETIME_HOURS_BUTTON, hours)
    return t.plural(texts.LIFETIME_DAYS_BUTTON, hours // 24)


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
        return t.plural(
            texts.PERIOD_CAPITALIZED, report.days, first_day=first_day, last_day=last_day
        )
    last_days = t.plural(texts.LAST_DAYS, report.days)
    return t(texts.PERIOD, last_days=last_days, first_day=first_day, last_day=last_day)


def post_preview(t: Translator, text: str, width: int = 80) -> str:
    line = " ".join(text.split()) or t(texts.NO_TEXT)
    return line if len(line) <= width else line[: width - 1] + "…"


def share_choose_period(t: Translator, channel: ChannelRecord) -> str:
    return t(texts.CHOOSE_PERIOD, title=escape(channel.title))


def share_choose_lifetime(t: Translator, channel: ChannelRecord, days: int) -> str:
    return t(
        texts.CHOOSE_LIFETIME,
        title=escape(channel.title),
        last_days=t.plural(texts.LAST_DAYS, days),
    )


def _expiry(t: Translator, link: ShareLinkRecord) -> str:
    if link.expires_at is None:
        return t(texts.NEVER_EXPIRES)
    return t(texts.UNTIL, moment=utc_time(link.expires_at))


def share_created(t: Translator, link: ShareLinkRecord, *, url: str, telegram_url: str) -> str:
    return t(
        texts.CREATED,
        title=escape(link.channel_title),
        last_days=t.plural(texts.LAST_DAYS, link.days),
        expiry=_expiry(t, link),
        url=escape(url),
        telegram_url=escape(telegram_url),
    )


def _opened(t: Translator, count: int) -> str:
    return t(texts.NOT_OPENED) if count == 0 else t.plural(texts.OPENED, count)


def share_list(t: Translator, page: Page[ShareLinkRecord]) -> str:
    lines = [t(texts.LIST_TITLE)]
    lines += [
        t(
            texts.LIST_ITEM,
            number=number,
            title=escape(link.channel_title),
            last_days=t.plural(texts.LAST_DAYS, link.days),
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
        lines += ["", t(texts.REPORT_TOP_POSTS)]
        for rank, post in enumerate(report.top_posts, 1):
            counts = [] if post.views is None else [t.plural(texts.REPORT_POST_VIEWS, post.views)]
            counts.append(t.plural(texts.REPORT_POST_REACTIONS, post.reactions))
            preview = escape(post_preview(t, post.text, 60))
            lines.append(f"{rank}. {preview}\n    {' · '.join(counts)}")
    lines += ["", t(texts.REPORT_LINK, url=escape(url))]
    return "\n".join(lines)


def page_expiry(t: Translator, link: ShareLinkRecord) -> str:
    if link.expires_at is None:
        return t(texts.PAGE_NO_EXPIRY)
    return t(texts.PAGE_UNTIL, moment=utc_time(link.expires_at))
