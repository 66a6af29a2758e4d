"""The router tree: who may reach what, in the order updates should meet it.

Channel updates go to membership and ingestion; every feature a user talks to sits under one
parent that takes messages from private chats only.
"""

from aiogram import F, Router

from bot.handlers import (
    admin,
    alerts,
    api,
    billing,
    channels,
    copies,
    errors,
    exports,
    fallback,
    ingestion,
    insights,
    membership,
    plans,
    preferences,
    share_links,
    sources,
    start,
    stats,
    watermark,
    webhooks,
)
from services.config import Settings


def get_routers(settings: Settings) -> list[Router]:
    """Fresh routers each call: one process may run several dispatchers (tests, restarts)."""
    return [
        errors.create_router(),
        # Before ingestion, which takes every chat_member update: an admin's demotion is seen first.
        membership.create_router(),
        ingestion.create_router(),
        *([sources.create_channel_router()] if settings.feature_analytics else []),
        private_chat_router(settings),
    ]


def private_chat_router(settings: Settings) -> Router:
    """The features, in private chat only (buttons come from the bot's own messages there)."""
    private = Router(name="private_chat")
    private.message.filter(F.chat.type == "private")
    if settings.feature_share_links:
        # Before start's router: /start r_<token> opens a share link, plain /start greets.
        private.include_router(share_links.create_router())
    private.include_routers(start.create_router(), channels.create_router())
    if settings.feature_billing:
        # Before plans: billing answers the Upgrade button with what to buy; without billing,
        # plans answers it with the plans overview.
        private.include_router(billing.create_router())
    private.include_routers(plans.create_router(), admin.create_router(settings.admin_ids))
    if settings.feature_analytics:
        private.include_routers(
            stats.create_router(), exports.create_router(), sources.create_router()
        )
    if settings.feature_insights:
        # Before watermark's router, which takes every photo: a draft may be a photo.
        private.include_router(insights.create_router())
    if settings.feature_alerts:
        private.include_router(alerts.create_router())
    if settings.feature_webhooks:
        private.include_router(webhooks.create_router())
    if settings.feature_copies:
        # Before watermark: a photo sent after /check is looked up, not watermarked.
        private.include_router(copies.create_router())
    if settings.feature_api:
        private.include_router(api.create_router())
    # The language can always be set; the time zone, quiet hours and digest as features allow.
    private.include_router(preferences.create_router(settings))
    if settings.feature_watermark:
        # Takes every photo and image file in private chat, so it sits just before the fallback.
        private.include_router(watermark.create_router())
    # The fallback goes last: it answers whatever no feature took.
    private.include_router(fallback.create_router())
    return private
