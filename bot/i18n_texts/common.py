"""What many features share: refusals of a channel, the flood warning, a paged list's place."""

from html import escape

from bot.paging import Page
from services.channels import (
    BotNotAdmin,
    ChannelAccessError,
    ChannelChoiceNeeded,
    ChannelNotFound,
    InvalidChannelRef,
    NoChannels,
    NotAChannel,
)
from services.i18n import Message, Translator

SLOW_DOWN = Message("common-slow-down", "⏳ Too many requests at once. Please wait a moment.")
INVALID_CHANNEL_REF = Message(
    "common-invalid-channel-ref",
    "That doesn't look like a channel. Send its @username, a t.me link or its id (-100…).",
)
CHANNEL_NOT_FOUND = Message(
    "common-channel-not-found",
    "I can't find that channel. Check the @username; for a private channel, "
    "make me an admin first and then use its id.",
)
NOT_A_CHANNEL = Message(
    "common-not-a-channel", "That is a group or a private chat. I track channels only."
)
BOT_NOT_ADMIN = Message(
    "common-bot-not-admin",
    "I'm not an admin of <b>{title}</b> yet. Add me as an admin first "
    "(tap <b>Add to my channel</b> under /start), then try again.",
)
NOT_CHANNEL_ADMIN = Message(
    "common-not-channel-admin",
    "Only admins of a channel can do that, and Telegram says you are not one of them.",
)
NO_CHANNELS = Message(
    "common-no-channels",
    "You have no channels yet. Tap <b>Add to my channel</b> under /start, "
    "or send <code>/add @yourchannel</code>.",
)
CHOOSE_CHANNEL = Message("common-choose-channel", "Which channel?")

# The page turns are arrows, the same in every language, so they are no catalog message.
PREVIOUS_PAGE_BUTTON = "◀"
NEXT_PAGE_BUTTON = "▶"
PAGE_OF = Message("common-page-of", "Page {number} of {count}")


def access_error_text(t: Translator, error: ChannelAccessError) -> str:
    """Why the user cannot act on the channel they named (or on none)."""
    match error:
        case InvalidChannelRef():
            return t(INVALID_CHANNEL_REF)
        case ChannelNotFound():
            return t(CHANNEL_NOT_FOUND)
        case NotAChannel():
            return t(NOT_A_CHANNEL)
        case BotNotAdmin():
            return t(BOT_NOT_ADMIN, title=escape(str(error)))
        case NoChannels():
            return t(NO_CHANNELS)
        case ChannelChoiceNeeded():
            return t(CHOOSE_CHANNEL)
        case _:
            return t(NOT_CHANNEL_ADMIN)


def page_line(t: Translator, page: Page) -> list[str]:
    """The line that says where a paged list is, when it has more than one page."""
    if page.count == 1:
        return []
    return ["\n" + t(PAGE_OF, number=t.number(page.number), count=t.number(page.count))]
