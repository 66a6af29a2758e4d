"""/watch, /check, /compare and copy alerts: watched channels, copies of the owner's posts, and
the owner's channel beside the watched ones."""

from collections.abc import Mapping
from datetime import UTC
from html import escape
from typing import Any

from bot.i18n_texts.common import page_line
from bot.paging import Page
from services.copies import CheckResult, WatchProblem, WatchRefused
from services.domain.copies import ComparedChannel, WatchedChannelRecord
from services.i18n import Messages, Translator
from services.i18n_texts.charts import DAY_MONTH

# texts.NAME here, copies_texts.NAME elsewhere: the message copies-name, its English in
# services/locales/copies.pot.
texts = Messages("copies")
__getattr__ = texts.__getattr__

MATCH_KINDS = texts.each("MATCH", ("text", "photo"))

WATCH_REFUSED = texts.each("WATCH_REFUSED", WatchProblem)


UNKNOWN = "—"


def _number(t: Translator, value: float | None, digits: int = 0) -> str:
    return UNKNOWN if value is None else t.number(value, digits=digits)


def delay(t: Translator, minutes: int) -> str:
    """3 days, 5 h, or 12 min: the largest unit that fits."""
    if minutes >= 24 * 60:
        return t.plural(texts.DAYS, minutes // (24 * 60))
    if minutes >= 60:
        return t.plural(texts.HOURS, minutes // 60)
    return t.plural(texts.MINUTES, max(minutes, 0))


def copy_facts(t: Translator, details: Mapping[str, Any]) -> str:
    """What a copy alert says; the link to the owner's own post follows it (alerts' _link)."""
    watched = details["watched_username"]
    return t(
        texts.COPY_FACTS,
        watched=escape(watched),
        delay=delay(t, details["delay_minutes"]),
        similarity=t.percent(details["similarity"], digits=0),
        match=t(MATCH_KINDS.get(details["match"], MATCH_KINDS["text"])),
        copy_url=f"https://t.me/{watched}/{details['watched_message_id']}",
    )


def watched_list(t: Translator, page: Page[WatchedChannelRecord]) -> str:
    if not page.items:
        return t(texts.WATCH_EMPTY)
    lines = [t(texts.WATCH_TITLE)]
    for number, channel in page.numbered():
        subscribers = (
            t.plural(texts.SUBSCRIBERS, channel.subscribers)
            if channel.subscribers is not None
            else t(texts.SUBSCRIBERS_UNKNOWN)
        )
        views = (
            t(texts.AVERAGE_VIEWS, views=t.number(channel.average_views, digits=0))
            if channel.average_views is not None
            else t(texts.NO_VIEWS)
        )
        line = t(
            texts.WATCH_LINE,
            number=number,
            username=escape(channel.username),
            title=escape(channel.title),
            subscribers=subscribers,
            posts=t.number(channel.posts_per_day, digits=1),
            views=views,
        )
        if channel.ignored:
            line = f"{line} · {t(texts.WATCH_LINE_IGNORED)}"
        lines.append("\n" + line)
    lines += page_line(t, page)
    lines.append("\n" + t(texts.WATCH_FOOTER))
    return "\n".join(lines)


def watch_added(t: Translator, channel: WatchedChannelRecord, posts: int) -> str:
    return t(
        texts.WATCH_ADDED,
        username=escape(channel.username),
        title=escape(channel.title),
        posts=t.plural(texts.WATCH_POSTS, posts),
    )


def watch_refused(t: Translator, error: WatchRefused) -> str:
    return t(WATCH_REFUSED[error.problem], username=escape(error.username))


def check_result(t: Translator, result: CheckResult) -> str:
    match = result.match
    if match is None:
        return t.plural(texts.CHECK_NO_MATCH, result.posts)
    text = t(
        texts.CHECK_MATCH,
        date=t.date(match.posted_at.astimezone(UTC).date(), DAY_MONTH),
        channel=escape(
            f"@{match.channel_username}" if match.channel_username else match.channel_title
        ),
        similarity=t.percent(match.similarity, digits=0),
    )
    if match.channel_username:
        url = f"https://t.me/{match.channel_username}/{match.message_id}"
        text = f"{text}\n{t(texts.CHECK_LINK, url=url)}"
    return text


def comparison(t: Translator, channels: list[ComparedChannel], days: int) -> str:
    own = channels[0]
    lines = [
        t.plural(texts.COMPARE_TITLE, days, channel=escape(own.name)),
        "",
        t(texts.COMPARE_HEADER),
    ]
    for channel in channels:
        growth = UNKNOWN
        if channel.growth is not None:
            growth = ("+" if channel.growth > 0 else "") + t.number(channel.growth)
        lines.append(
            t(
                texts.COMPARE_LINE,
                marker="⭐" if channel.is_own else "•",
                name=escape(channel.name),
                subscribers=_number(t, channel.subscribers),
                growth=growth,
                posts=t.number(channel.posts_per_day, digits=1),
                views=_number(t, channel.average_views),
                err=t.percent(channel.err, digits=1) if channel.err is not None else UNKNOWN,
            )
        )
    lines += ["", t(texts.COMPARE_FOOTER)]
    return "\n".join(lines)
