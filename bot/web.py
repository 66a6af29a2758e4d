"""The small web app that runs beside the bot: health and Stripe's webhook; share pages later."""

import logging

from aiohttp import web

from services.health import HealthService
from services.stripe_billing import InvalidWebhook, StripeBillingService

log = logging.getLogger(__name__)

HEALTH_KEY = web.AppKey("health", HealthService)
STRIPE_BILLING_KEY = web.AppKey("stripe_billing", StripeBillingService)


async def healthz(request: web.Request) -> web.Response:
    healthy = await request.app[HEALTH_KEY].database_ok()
    return web.json_response(
        {"status": "ok" if healthy else "unavailable", "database": healthy},
        status=200 if healthy else 503,
    )


async def stripe_webhook(request: web.Request) -> web.Response:
    """Stripe retries anything but a 2xx: 400 for what can never be valid, 500 on our faults."""
    payload = await request.read()
    try:
        await request.app[STRIPE_BILLING_KEY].handle_webhook(
            payload, request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as error:
        log.warning("refused a Stripe webhook: %s", error)
        return web.json_response({"error": "invalid webhook"}, status=400)
    return web.json_response({"received": True})


def create_web_app(
    *, health: HealthService, stripe_billing: StripeBillingService | None = None
) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    app[HEALTH_KEY] = health
    app.router.add_get("/healthz", healthz)
    if stripe_billing is not None:
        app[STRIPE_BILLING_KEY] = stripe_billing
        app.router.add_post("/stripe/webhook", stripe_webhook)
    return app
