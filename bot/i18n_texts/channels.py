"""/add, /channels and /remove, and the bot being added to a channel or removed from it."""

from datetime import datetime
from html import escape

from bot.i18n_texts.common import page_line
from bot.paging import Page
from services.domain.channels import ChannelRecord, ChannelSummary
from services.i18n import Message, PluralMessage, Translator

ADD_USAGE = Message(
    "channels-add-usage",
    "Send the channel's @username or id after the command, for example:\n"
    "<code>/add @yourchannel</code>\n\n"
    "Make me an admin of the channel first: tap <b>Add to my channel</b> under /start.",
)
ALREADY_TRACKED = Message(
    "channels-already-tracked", "✅ <b>{title}</b> is already tracked. See it in /channels."
)
NOW_TRACKED = Message(
    "channels-now-tracked",
    "✅ Now tracking <b>{title}</b>.\n"
    "From now on I record its posts, reactions, subscribers joining and leaving, "
    "and its subscriber count. See it in /channels.",
)

LIST_TITLE = Message("channels-list-title", "<b>Your channels</b>")
# One channel of /channels: its title, @username (with its brackets, or nothing), two facts.
LIST_ENTRY = Message(
    "channels-list-entry", "📢 <b>{title}</b>{username}\n    👥 {subscribers} · 📝 {last_post}"
)
LIST_ENTRY_PAUSED = Message(
    "channels-list-entry-paused",
    "📢 <b>{title}</b>{username}\n    👥 {subscribers} · 📝 {last_post}\n    ⏸ not tracked",
)
SUBSCRIBERS = PluralMessage("channels-list-subscribers", "{n} subscriber", "{n} subscribers")
SUBSCRIBERS_COUNTING = Message("channels-list-subscribers-counting", "counting…")
LAST_POST = Message("channels-list-last-post", "last post {ago}")
NO_POSTS = Message("channels-list-no-posts", "no posts yet")
JUST_NOW = Message("channels-list-just-now", "just now")
MINUTES_AGO = PluralMessage("channels-list-minutes-ago", "{n} min ago", "{n} min ago")
HOURS_AGO = PluralMessage("channels-list-hours-ago", "{n} h ago", "{n} h ago")
DAYS_AGO = PluralMessage("channels-list-days-ago", "{n} day ago", "{n} days ago")

REMOVE_CONFIRM = Message(
    "channels-remove-confirm",
    "Stop tracking <b>{title}</b>?\n\n"
    "<b>Keep data</b>: I stop recording; what I have stays, and /add resumes.\n"
    "<b>Delete data</b>: I stop and delete everything recorded for this channel, "
    "for all its admins. This cannot be undone.",
)
REMOVE_KEEP_BUTTON = Message("channels-remove-keep-button", "⏸ Stop, keep data")
REMOVE_DELETE_BUTTON = Message("channels-remove-delete-button", "🗑 Stop and delete data")
REMOVE_CANCEL_BUTTON = Message("channels-remove-cancel-button", "✖️ Cancel")
REMOVE_CANCELLED = Message("channels-remove-cancelled", "Nothing changed.")
# Buttons are plain text: a title goes in as it is.
REMOVE_BUTTON = Message("channels-list-remove-button", "🗑 Remove {title}")
RESUME_BUTTON = Message("channels-list-resume-button", "▶️ Resume {title}")
REMOVED_DELETED = Message(
    "channels-removed-deleted", "🗑 Stopped tracking <b>{title}</b> and deleted its data."
)
REMOVED_KEPT = Message(
    "channels-removed-kept",
    "⏸ Stopped tracking <b>{title}</b>. Its data is kept; "
    "<code>/add {channel_id}</code> resumes tracking.",
)
BOT_REMOVED = Message(
    "channels-bot-removed",
    "⏸ I'm no longer an admin of <b>{title}</b>, so I stopped tracking it, and "
    "its stats and share links are closed. Everything recorded so far is kept: make me an "
    "admin again to pick up where I left off.",
)


def channel_now_tracked(t: Translator, channel: ChannelRecord, *, was_tracked: bool) -> str:
    return t(ALREADY_TRACKED if was_tracked else NOW_TRACKED, title=escape(channel.title))


def _ago(t: Translator, moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return t(JUST_NOW)
    if minutes < 60:
        return t.plural(MINUTES_AGO, minutes)
    if minutes < 48 * 60:
        return t.plural(HOURS_AGO, minutes // 60)
    return t.plural(DAYS_AGO, minutes // (24 * 60))


def _entry(t: Translator, summary: ChannelSummary, now: datetime) -> str:
    channel = summary.channel
    return t(
        LIST_ENTRY if channel.is_tracked else LIST_ENTRY_PAUSED,
        title=escape(channel.title),
        username=f" (@{escape(channel.username)})" if channel.username else "",
        subscribers=(
            t(SUBSCRIBERS_COUNTING)
            if summary.subscribers is None
            else t.plural(SUBSCRIBERS, summary.subscribers)
        ),
        last_post=(
            t(LAST_POST, ago=_ago(t, summary.last_post_at, now))
            if summary.last_post_at
            else t(NO_POSTS)
        ),
    )


def channel_list(t: Translator, page: Page[ChannelSummary], now: datetime) -> str:
    entries = ["\n" + _entry(t, summary, now) for summary in page.items]
    return "\n".join([t(LIST_TITLE), *entries, *page_line(t, page)])


def remove_confirm(t: Translator, channel: ChannelRecord) -> str:
    return t(REMOVE_CONFIRM, title=escape(channel.title))


def removed(t: Translator, channel: ChannelRecord, *, deleted: bool) -> str:
    if deleted:
        return t(REMOVED_DELETED, title=escape(channel.title))
    return t(REMOVED_KEPT, title=escape(channel.title), channel_id=channel.id)


def bot_removed_from_channel(t: Translator, title: str) -> str:
    return t(BOT_REMOVED, title=escape(title))
