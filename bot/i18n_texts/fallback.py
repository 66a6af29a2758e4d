"""Answers for what no other handler took: unknown commands, free text, stale buttons."""

from services.i18n import Message

UNKNOWN_COMMAND = Message(
    "fallback-unknown-command",
    "🤔 I don't know the command {command}. Send /help to see what I can do.",
)
FREE_TEXT = Message(
    "fallback-free-text",
    "I work with commands. Send /channels to see your channels, or /help for everything I can do.",
)
STALE_BUTTON = Message(
    "fallback-stale-button", "This button no longer works. Send the command again."
)
