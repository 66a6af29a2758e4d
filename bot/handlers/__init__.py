"""The routers of every feature, in the order updates should meet them."""

from aiogram import Router

from bot.handlers import (
    alerts,
    channels,
    errors,
    fallback,
    ingest,
    membership,
    plans,
    preferences,
    start,
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
    if settings.feature_alerts:
        routers += [alerts.create_router(), preferences.create_router()]
    # The fallback goes last: it answers whatever no feature took.
    routers.append(fallback.create_router())
    return routers
