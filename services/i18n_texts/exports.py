"""The column headers of the CSV exports (services/exports.py), in the user's language."""

from services.i18n import Message

POSTS_HEADER = (
    Message("exports-column-message-id", "Message ID"),
    Message("exports-column-posted-at", "Posted at ({time_zone})"),
    Message("exports-column-text", "Text"),
    Message("exports-column-media", "Media"),
    Message("exports-column-views", "Views"),
    Message("exports-column-views-24h", "Views at 24 h"),
    Message("exports-column-reactions", "Reactions"),
    Message("exports-column-engagement", "Engagement, %"),
    Message("exports-column-link", "Link"),
)
DATE_COLUMN = Message("exports-column-date", "Date")
SUBSCRIBERS_HEADER = (DATE_COLUMN, Message("exports-column-subscribers", "Subscribers"))
JOINS_LEAVES_HEADER = (
    DATE_COLUMN,
    Message("exports-column-joins", "Joins"),
    Message("exports-column-leaves", "Leaves"),
    Message("exports-column-net", "Net"),
)
