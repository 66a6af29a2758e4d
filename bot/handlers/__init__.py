"""The routers of every feature, in the order updates should meet them."""

from aiogram import Router

from bot.handlers import (
    admin,
    alerts,
    billing,
    channels,
    errors,
    exports,
    fallback,
    ingestion,
    membership,
    plans,
    preferences,
    share_links,
    start,
    stats,
    watermark,
)
from services.config import Settings


def get_routers(settings: Settings) -> list[Router]:
    """Fresh routers each call: one process may run several dispatchers (tests, restarts)."""
    routers = [
        errors.create_router(),
        # Before ingestion, which takes every chat_member update: an admin's demotion is seen first.
        membership.create_router(),
        ingestion.create_router(),
    ]
    if settings.feature_share_links:
        # Before start's router: /start r_<token> opens a share link, plain /start greets.
        routers.append(share_links.create_router())
    routers += [
        start.create_router(),
        channels.create_router(),
    ]
    if settings.feature_billing:
        # Before plans: billing answers the Upgrade button with what to buy; without billing,
        # plans answers it with the plans overview.
        routers.append(billing.create_router())
    routers.append(plans.create_router())
    routers.append(admin.create_router(settings.admin_ids))
    if settings.feature_analytics:
        routers.append(stats.create_router())
        routers.append(exports.create_router())
    if settings.feature_alerts:
        routers += [alerts.create_router(), preferences.create_router()]
    if settings.feature_watermark:
        # Takes every photo and image file in private chat, so it sits just before the fallback.
        routers.append(watermark.create_router())
    # The fallback goes last: it answers whatever no feature took.
    routers.append(fallback.create_router())
    return routers
