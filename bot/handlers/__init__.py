"""The routers of every feature, in the order updates should meet them."""

from aiogram import Router

from bot.handlers import (
    channels,
    errors,
    exports,
    fallback,
    ingest,
    membership,
    plans,
    start,
    stats,
    watermark,
)
from services.settings import Settings


def get_routers(settings: Settings) -> list[Router]:
    """Fresh routers each call: one process may run several dispatchers (tests, restarts)."""
    routers = [
        errors.create_router(),
        ingest.create_router(),
        membership.create_router(),
        start.create_router(),
        channels.create_router(),
        plans.create_router(),
    ]
    if settings.feature_analytics:
        routers.append(stats.create_router())
        routers.append(exports.create_router())
    if settings.feature_watermark:
        # Takes every photo and image file in private chat, so it sits just before the fallback.
        routers.append(watermark.create_router())
    # The fallback goes last: it answers whatever no feature took.
    routers.append(fallback.create_router())
    return routers
