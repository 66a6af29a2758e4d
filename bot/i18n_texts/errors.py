"""What the user hears when an answer fails: our bug, a database that gave up, a refusal."""

from services.i18n import Message

SORRY = Message(
    "errors-sorry",
    "😔 Sorry, something went wrong on our side. Please try again. Reference: <code>{ref}</code>",
)
TOOK_TOO_LONG = Message(
    "errors-took-too-long",
    "⏳ That took too long to answer. Try a shorter period, or try again in a minute.",
)
# Telegram refused or could not take the answer; this shorter note may still get through.
REPLY_FAILED = Message(
    "errors-reply-failed", "😔 I couldn't send you that answer. Please try again in a minute."
)
# A 429 keeps an answer waiting: the user hears that it is coming.
STILL_WORKING = Message(
    "errors-still-working",
    "⏳ Telegram asks me to wait {seconds} s before answering. Your answer is coming.",
)
