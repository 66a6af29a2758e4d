"""The apology for an error on our side."""

from services.i18n import Message

SORRY = Message(
    "errors-sorry",
    "😔 Sorry, something went wrong on our side. Please try again. Reference: <code>{ref}</code>",
)
