"""/add, /channels and /remove, and the bot being added to a channel or removed from it."""

from datetime import datetime
from html import escape

from bot.i18n_texts.common import page_line
from bot.paging import Page
from services.domain.channels import ChannelRecord, ChannelSummary
from services.i18n import Messages, Translator

# texts.NAME here, channels_texts.NAME elsewhere: the message channels-name, its English in
# services/locales/channels.pot.
texts = Messages("channels")
__getattr__ = texts.__getattr__


def channel_now_tracked(t: Translator, channel: ChannelRecord, *, was_tracked: bool) -> str:
    return t(
        texts.ALREADY_TRACKED if was_tracked else texts.NOW_TRACKED, title=escape(channel.title)
    )


def _ago(t: Translator, moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return t(texts.JUST_NOW)
    if minutes < 60:
        return t.plural(texts.MINUTES_AGO, minutes)
    if minutes < 48 * 60:
        return t.plural(texts.HOURS_AGO, minutes // 60)
    return t.plural(texts.DAYS_AGO, minutes // (24 * 60))


def _entry(t: Translator, summary: ChannelSummary, now: datetime) -> str:
    channel = summary.channel
    return t(
        texts.LIST_ENTRY if channel.is_tracked else texts.LIST_ENTRY_PAUSED,
        title=escape(channel.title),
        username=f" (@{escape(channel.username)})" if channel.username else "",
        subscribers=(
            t(texts.SUBSCRIBERS_COUNTING)
            if summary.subscribers is None
            else t.plural(texts.SUBSCRIBERS, summary.subscribers)
        ),
        last_post=(
            t(texts.LAST_POST, ago=_ago(t, summary.last_post_at, now))
            if summary.last_post_at
            else t(texts.NO_POSTS)
        ),
    )


def channel_list(t: Translator, page: Page[ChannelSummary], now: datetime) -> str:
    entries = ["\n" + _entry(t, summary, now) for summary in page.items]
    return "\n".join([t(texts.LIST_TITLE), *entries, *page_line(t, page)])


def remove_confirm(t: Translator, channel: ChannelRecord) -> str:
    return t(texts.REMOVE_CONFIRM, title=escape(channel.title))


def removed(t: Translator, channel: ChannelRecord, *, deleted: bool) -> str:
    if deleted:
        return t(texts.REMOVED_DELETED, title=escape(channel.title))
    return t(texts.REMOVED_KEPT, title=escape(channel.title), channel_id=channel.id)


def bot_removed_from_channel(t: Translator, title: str) -> str:
    return t(texts.BOT_REMOVED, title=escape(title))
