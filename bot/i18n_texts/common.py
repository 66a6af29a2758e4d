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
from services.i18n import Messages, Translator

# texts.NAME here, common_texts.NAME elsewhere: the message common-name, its English in
# services/locales/common.pot.
texts = Messages("common")
__getattr__ = texts.__getattr__


# The page turns are arrows, the same in every language, so they are no catalog message.
PREVIOUS_PAGE_BUTTON = "◀"
NEXT_PAGE_BUTTON = "▶"


def access_error_text(t: Translator, error: ChannelAccessError) -> str:
    """Why the user cannot act on the channel they named (or on none)."""
    match error:
        case InvalidChannelRef():
            return t(texts.INVALID_CHANNEL_REF)
        case ChannelNotFound():
            return t(texts.CHANNEL_NOT_FOUND)
        case NotAChannel():
            return t(texts.NOT_A_CHANNEL)
        case BotNotAdmin():
            return t(texts.BOT_NOT_ADMIN, title=escape(str(error)))
        case NoChannels():
            return t(texts.NO_CHANNELS)
        case ChannelChoiceNeeded():
            return t(texts.CHOOSE_CHANNEL)
        case _:
            return t(texts.NOT_CHANNEL_ADMIN)


def page_line(t: Translator, page: Page) -> list[str]:
    """The line that says where a paged list is, when it has more than one page."""
    if page.count == 1:
        return []
    return ["\n" + t(texts.PAGE_OF, number=t.number(page.number), count=t.number(page.count))]
