"""What the user hears while the database is away (down, restarting, unreachable)."""

from services.i18n import Message

DATABASE_AWAY = Message(
    "outage-database-away",
    "⏳ I can't reach my database right now. Please try again in a minute.",
)
