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
from services.i18n import Message, PluralMessage, Translator
from services.i18n_texts.charts import DAY_MONTH

# ----------------------------------------------------------------------- the alert kind
KIND_NAME = Message("copies-kind", "Copy of your post")
KIND_EXPLAINED = Message(
    "copies-kind-explained", "a channel you watch posts a copy of one of your posts"
)
RULE_SUMMARY = Message("copies-rule-summary", "a watched channel copies a post")
COPY_FACTS = Message(
    "copies-alert-facts",
    "<b>@{watched}</b> posted a copy of your post, {delay} after it: {similarity} alike "
    '({match}).\n<a href="{copy_url}">Open the copy</a>',
)
MATCH_KINDS = {
    "text": Message("copies-match-text", "text"),
    "photo": Message("copies-match-photo", "photo"),
}
DAYS = PluralMessage("copies-days", "{n} day", "{n} days")
HOURS = PluralMessage("copies-hours", "{n} h", "{n} h")
MINUTES = PluralMessage("copies-minutes", "{n} min", "{n} min")
NOT_A_COPY_BUTTON = Message("copies-not-a-copy-button", "🙅 Not a copy")
IGNORE_BUTTON = Message("copies-ignore-button", "🤝 Ignore this channel")
DISMISSED = Message("copies-dismissed", "Noted: I won't report this pair again.")
IGNORED = Message("copies-ignored", "@{watched} is ignored: no more copy alerts from it.")
ALERT_GONE = Message("copies-alert-gone", "That alert is no longer there.")

# ------------------------------------------------------------------------------- /watch
# The plan's allowance, in /plan (bot/i18n_texts/plans.py).
ALLOWANCE_NAME = Message("copies-allowance-name", "channels watched")
ALLOWANCE_AMOUNT = PluralMessage(
    "copies-allowance-amount", "{n} channel watched", "{n} channels watched"
)
WATCH_EMPTY = Message(
    "copies-watch-empty",
    "👀 <b>Watched channels</b>\n\nYou watch no channel yet. Send <code>/watch @channel</code> "
    "with any public channel: I'll read its posts, tell you when it copies yours, and show it "
    "beside your channel in /compare. No admin rights needed.",
)
WATCH_TITLE = Message("copies-watch-title", "👀 <b>Watched channels</b>")
WATCH_LINE = Message(
    "copies-watch-line",
    "{number}. <b>@{username}</b> ({title})\n    {subscribers} · {posts} a day · {views}",
)
WATCH_LINE_IGNORED = Message("copies-watch-line-ignored", "no copy alerts")
SUBSCRIBERS = PluralMessage("copies-subscribers", "{n} subscriber", "{n} subscribers")
SUBSCRIBERS_UNKNOWN = Message("copies-subscribers-unknown", "subscribers unknown")
AVERAGE_VIEWS = Message("copies-average-views", "{views} average views")
NO_VIEWS = Message("copies-no-views", "no views yet")
WATCH_FOOTER = Message(
    "copies-watch-footer",
    "Copies of your posts in these channels come as alerts (/alerts). Compare: /compare.",
)
REMOVE_BUTTON = Message("copies-remove-button", "🗑 Remove {number}")
WATCH_ADDED = Message(
    "copies-watch-added",
    "✅ Watching <b>@{username}</b> ({title}): I read {posts} of its posts and will check new "
    "ones every few minutes for copies of yours.",
)
WATCH_ALREADY = Message("copies-watch-already", "You already watch <b>@{username}</b>.")
WATCH_POSTS = PluralMessage("copies-watch-posts", "{n} post", "{n} posts")
WATCH_REMOVED = Message("copies-watch-removed", "Removed.")
WATCH_GONE = Message("copies-watch-gone", "You no longer watch that channel.")
WATCH_REFUSED = {
    WatchProblem.INVALID: Message(
        "copies-watch-invalid",
        "That doesn't look like a channel. Send <code>/watch @channel</code> or "
        "<code>/watch t.me/channel</code>.",
    ),
    WatchProblem.PRIVATE: Message(
        "copies-watch-private",
        "<b>@{username}</b> has no public posts to read: it is private, a group, a person or a "
        "bot. Only public channels can be watched.",
    ),
    WatchProblem.NOT_FOUND: Message(
        "copies-watch-not-found", "There is no public channel <b>@{username}</b>."
    ),
    WatchProblem.EMPTY: Message(
        "copies-watch-empty-preview",
        "<b>@{username}</b> shows no posts on its public page yet, so there is nothing to "
        "watch. Try again once it has posted.",
    ),
    WatchProblem.UNAVAILABLE: Message(
        "copies-watch-unavailable",
        "I couldn't read <b>@{username}</b>'s public page just now. Please try again in a few "
        "minutes.",
    ),
    WatchProblem.OWN: Message(
        "copies-watch-own",
        "<b>@{username}</b> is one of your own channels: its posts are checked already.",
    ),
}

# ------------------------------------------------------------------------------- /check
CHECK_ASK = Message(
    "copies-check-ask",
    "🔎 Forward me a post, or send a photo or a text, and I'll look for it among your posts.",
)
CHECK_MATCH = Message(
    "copies-check-match",
    "This matches your post of {date} in <b>{channel}</b> ({similarity}).",
)
CHECK_LINK = Message("copies-check-link", '<a href="{url}">Open your post</a>')
CHECK_NO_MATCH = PluralMessage(
    "copies-check-no-match", "No match among your {n} post.", "No match among your {n} posts."
)
CHECK_NOTHING = Message(
    "copies-check-nothing",
    "There is nothing to compare in that: send a text of a few words or more, a photo, or "
    "forward a post.",
)

# ----------------------------------------------------------------------------- /compare
COMPARE_USAGE = Message(
    "copies-compare-usage",
    "Send <code>/compare</code>, or <code>/compare @yourchannel 7d</code> (7d, 30d or 90d).",
)
COMPARE_NONE_WATCHED = Message(
    "copies-compare-none-watched",
    "Watch a channel first (<code>/watch @channel</code>); /compare shows it beside yours.",
)
COMPARE_TITLE = PluralMessage(
    "copies-compare-title",
    "📊 <b>{channel}</b> beside watched channels, last {n} day",
    "📊 <b>{channel}</b> beside watched channels, last {n} days",
)
COMPARE_HEADER = Message(
    "copies-compare-header", "channel · subscribers (growth) · posts a day · average views · ERR"
)
COMPARE_LINE = Message(
    "copies-compare-line", "{marker} {name} · {subscribers} ({growth}) · {posts} · {views} · {err}"
)
COMPARE_FOOTER = Message(
    "copies-compare-footer",
    "ERR: average views of a post over subscribers. Watched channels' numbers are what their "
    "public page showed since you watch them.",
)
UNKNOWN = "—"


def _number(t: Translator, value: float | None, digits: int = 0) -> str:
    return UNKNOWN if value is None else t.number(value, digits=digits)


def delay(t: Translator, minutes: int) -> str:
    """3 days, 5 h, or 12 min: the largest unit that fits."""
    if minutes >= 24 * 60:
        return t.plural(DAYS, minutes // (24 * 60))
    if minutes >= 60:
        return t.plural(HOURS, minutes // 60)
    return t.plural(MINUTES, max(minutes, 0))


def copy_facts(t: Translator, details: Mapping[str, Any]) -> str:
    """What a copy alert says; the link to the owner's own post follows it (alerts' _link)."""
    watched = details["watched_username"]
    return t(
        COPY_FACTS,
        watched=escape(watched),
        delay=delay(t, details["delay_minutes"]),
        similarity=t.percent(details["similarity"], digits=0),
        match=t(MATCH_KINDS.get(details["match"], MATCH_KINDS["text"])),
        copy_url=f"https://t.me/{watched}/{details['watched_message_id']}",
    )


def watched_list(t: Translator, page: Page[WatchedChannelRecord]) -> str:
    if not page.items:
        return t(WATCH_EMPTY)
    lines = [t(WATCH_TITLE)]
    for number, channel in page.numbered():
        subscribers = (
            t.plural(SUBSCRIBERS, channel.subscribers)
            if channel.subscribers is not None
            else t(SUBSCRIBERS_UNKNOWN)
        )
        views = (
            t(AVERAGE_VIEWS, views=t.number(channel.average_views, digits=0))
            if channel.average_views is not None
            else t(NO_VIEWS)
        )
        line = t(
            WATCH_LINE,
            number=number,
            username=escape(channel.username),
            title=escape(channel.title),
            subscribers=subscribers,
            posts=t.number(channel.posts_per_day, digits=1),
            views=views,
        )
        if channel.ignored:
            line = f"{line} · {t(WATCH_LINE_IGNORED)}"
        lines.append("\n" + line)
    lines += page_line(t, page)
    lines.append("\n" + t(WATCH_FOOTER))
    return "\n".join(lines)


def watch_added(t: Translator, channel: WatchedChannelRecord, posts: int) -> str:
    return t(
        WATCH_ADDED,
        username=escape(channel.username),
        title=escape(channel.title),
        posts=t.plural(WATCH_POSTS, posts),
    )


def watch_refused(t: Translator, error: WatchRefused) -> str:
    return t(WATCH_REFUSED[error.problem], username=escape(error.username))


def check_result(t: Translator, result: CheckResult) -> str:
    match = result.match
    if match is None:
        return t.plural(CHECK_NO_MATCH, result.posts)
    text = t(
        CHECK_MATCH,
        date=t.date(match.posted_at.astimezone(UTC).date(), DAY_MONTH),
        channel=escape(
            f"@{match.channel_username}" if match.channel_username else match.channel_title
        ),
        similarity=t.percent(match.similarity, digits=0),
    )
    if match.channel_username:
        url = f"https://t.me/{match.channel_username}/{match.message_id}"
        text = f"{text}\n{t(CHECK_LINK, url=url)}"
    return text


def comparison(t: Translator, channels: list[ComparedChannel], days: int) -> str:
    own = channels[0]
    lines = [t.plural(COMPARE_TITLE, days, channel=escape(own.name)), "", t(COMPARE_HEADER)]
    for channel in channels:
        growth = UNKNOWN
        if channel.growth is not None:
            growth = ("+" if channel.growth > 0 else "") + t.number(channel.growth)
        lines.append(
            t(
                COMPARE_LINE,
                marker="⭐" if channel.is_own else "•",
                name=escape(channel.name),
                subscribers=_number(t, channel.subscribers),
                growth=growth,
                posts=t.number(channel.posts_per_day, digits=1),
                views=_number(t, channel.average_views),
                err=t.percent(channel.err, digits=1) if channel.err is not None else UNKNOWN,
            )
        )
    lines += ["", t(COMPARE_FOOTER)]
    return "\n".join(lines)
