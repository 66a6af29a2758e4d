"""The column headers of the CSV exports (services/exports.py), in the user's language."""

from services.i18n import Message, Messages

# texts.NAME here, exports_texts.NAME elsewhere: the message exports-name, its English in
# services/locales/exports.pot.
texts = Messages("exports")
__getattr__ = texts.__getattr__

POSTS_HEADER = (
    Message("exports-column-message-id"),
    Message("exports-column-posted-at"),
    Message("exports-column-text"),
    Message("exports-column-media"),
    Message("exports-column-views"),
    Message("exports-column-views-24h"),
    Message("exports-column-reactions"),
    Message("exports-column-engagement"),
    Message("exports-column-link"),
)
SUBSCRIBERS_HEADER = (texts.DATE_COLUMN, Message("exports-column-subscribers"))
JOINS_LEAVES_HEADER = (
    texts.DATE_COLUMN,
    Message("exports-column-joins"),
    Message("exports-column-leaves"),
    Message("exports-column-net"),
)
