"""The small web app that runs beside the bot: health, metrics, Stripe's webhook, the share pages,
the REST API (bot/api/) and Telegram's webhook in webhook mode (see bot.app)."""

import logging
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web, web_response
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.log import server_logger

from bot import miniapp, share_page
from bot.api import ApiContext, setup_api
from bot.client_address import Network, forwarded_client
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import BotMetrics
from bot.rate_limit import TokenBuckets
from bot.request_body import BODY_TIMEOUT_KEY, read_body
from services.health import HealthService
from services.i18n import Catalogs, Translator, locale_for
from services.share_links import (
    OpenedShareLink,
    ShareLinkError,
    ShareLinkExpired,
    ShareLinkService,
)
from services.stripe_billing import InvalidWebhook, StripeBillingService

log = logging.getLogger(__name__)

HEALTH_KEY = web.AppKey("health", HealthService)
METRICS_KEY = web.AppKey("metrics", BotMetrics)
STRIPE_BILLING_KEY = web.AppKey("stripe_billing", StripeBillingService)
SHARE_LINKS_KEY = web.AppKey("share_links", ShareLinkService)
SHARE_RATE_KEY = web.AppKey("share_rate", TokenBuckets)
PUBLIC_BASE_URL_KEY = web.AppKey("public_base_url", str)
CATALOGS_KEY = web.AppKey("catalogs", Catalogs)

# Sent as the Server header instead of aiohttp's, which names its own and Python's versions.
SERVER_NAME = "AnalyticBot"
# Stripe's events are a few kilobytes; this leaves room for big invoices and refuses floods.
_STRIPE_WEBHOOK_MAX_BYTES = 256 * 1024
# A malformed request's reason quotes what the client sent (a whole 100 KB header, say).
_REASON_MAX_CHARS = 200

_TOKEN = r"{token:[A-Za-z0-9_-]{1,64}}"
_FILE = r"{name:[a-z0-9_]{1,40}}"
_SHARE_PATH = re.compile(r"^/r/")
# Every share response: never cached or indexed, never leaks its URL, loads nothing foreign.
_SHARE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": share_page.CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def healthz(request: web.Request) -> web.Response:
    """200 while the database answers; and the last update this process handled, and when."""
    healthy = await request.app[HEALTH_KEY].database_ok()
    last = request.app[METRICS_KEY].last_update
    return web.json_response(
        {
            "status": "ok" if healthy else "unavailable",
            "database": healthy,
            "last_update": (
                {"type": last.type, "handled_at": last.handled_at.isoformat()} if last else None
            ),
        },
        status=200 if healthy else 503,
    )


async def metrics_text(request: web.Request) -> web.Response:
    body = await request.app[METRICS_KEY].exposition()
    return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE})


async def stripe_webhook(request: web.Request) -> web.Response:
    """Stripe retries anything but a 2xx: 400 for what can never be valid, 500 on our faults."""
    payload = await read_body(request, max_bytes=_STRIPE_WEBHOOK_MAX_BYTES)
    try:
        await request.app[STRIPE_BILLING_KEY].handle_webhook(
            payload, request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as error:
        log.warning("refused a Stripe webhook: %s", error)
        return web.json_response({"error": "invalid webhook"}, status=400)
    return web.json_response({"received": True})


def _wants_json(request: web.Request) -> bool:
    return request.path.endswith(".json")


def _visitor_translator(request: web.Request) -> Translator:
    """For pages with no owner to speak for (a dead link): the browser's first language."""
    first = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
    return request.app[CATALOGS_KEY].translator(locale_for(first))


def _owner_translator(request: web.Request, opened: OpenedShareLink) -> Translator:
    return request.app[CATALOGS_KEY].translator(opened.locale)


def _refusal(request: web.Request, status: int, page: str, error: str) -> web.Response:
    if _wants_json(request):
        return web.json_response({"error": error}, status=status)
    return web.Response(text=page, status=status, content_type="text/html")


@web.middleware
async def share_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Rate-limit share requests per client address, and turn dead links into 404 and 410."""
    if not _SHARE_PATH.match(request.path):
        return await handler(request)
    visitor = _visitor_translator(request)
    wait = request.app[SHARE_RATE_KEY].take(request.remote or "")
    if wait > 0:
        response = _refusal(
            request, 429, share_page.too_many_requests_page(visitor), "rate_limited"
        )
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    try:
        return await handler(request)
    except ShareLinkExpired:
        return _refusal(request, 410, share_page.expired_page(visitor), "expired")
    except ShareLinkError:
        return _refusal(request, 404, share_page.not_found_page(visitor), "not_found")
    except web.HTTPNotFound:
        return _refusal(request, 404, share_page.not_found_page(visitor), "not_found")


async def _common_headers(request: web.Request, response: web.StreamResponse) -> None:
    # Browsers must take every response for the type it says, never guess a script in it.
    response.headers["X-Content-Type-Options"] = "nosniff"


async def _share_headers(request: web.Request, response: web.StreamResponse) -> None:
    if _SHARE_PATH.match(request.path):
        response.headers.update(_SHARE_HEADERS)


async def share_html(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    opened = await request.app[SHARE_LINKS_KEY].open(token)
    t = _owner_translator(request, opened)
    page = share_page.report_page(t, opened.report, opened.link, token)
    return web.Response(text=page, content_type="text/html")


async def share_json(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    opened = await request.app[SHARE_LINKS_KEY].open(token)
    base_url = request.app[PUBLIC_BASE_URL_KEY]
    t = _owner_translator(request, opened)
    return web.json_response(share_page.report_json(t, opened.report, opened.link, token, base_url))


async def share_favicon(request: web.Request) -> web.Response:
    return web.Response(body=share_page.FAVICON_PNG, content_type="image/png")


async def share_chart(request: web.Request) -> web.Response:
    png = await request.app[SHARE_LINKS_KEY].chart_png(
        request.match_info["token"], request.match_info["name"]
    )
    return web.Response(body=png, content_type="image/png")


async def share_csv(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    data = await request.app[SHARE_LINKS_KEY].csv_bytes(request.match_info["token"], name)
    return web.Response(
        body=data,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def create_web_app(
    *,
    health: HealthService,
    metrics: BotMetrics,
    stripe_billing: StripeBillingService | None = None,
    share_links: ShareLinkService | None = None,
    share_rate: TokenBuckets | None = None,
    catalogs: Catalogs,
    public_base_url: str = "",
    body_timeout: float,
    api: ApiContext | None = None,
    webapp_script_url: str | None = None,
    trusted_proxies: tuple[Network, ...] = (),
) -> web.Application:
    """The app; Stripe's webhook, the share pages and the REST API (/api/v1) are served only
    when their parts are given.

    body_timeout bounds the time a client may take to send a request body, and how long a body
    that was refused is drained before its connection closes. The share pages speak their
    owner's language from `catalogs` (a dead link's page, the visitor's). The dashboard Mini
    App (/app) is served when `webapp_script_url` (where it loads Telegram's script) is given.
    Behind `trusted_proxies`, request.remote is the client's address from X-Forwarded-For.
    """
    app = web.Application(client_max_size=1024**2)
    app[HEALTH_KEY] = health
    app[METRICS_KEY] = metrics
    app[BODY_TIMEOUT_KEY] = body_timeout
    if trusted_proxies:
        app.middlewares.append(forwarded_client(trusted_proxies))  # first: the rest see it
    app.on_response_prepare.append(_common_headers)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_text)
    if stripe_billing is not None:
        app[STRIPE_BILLING_KEY] = stripe_billing
        app.router.add_post("/stripe/webhook", stripe_webhook)
    if share_links is not None and share_rate is not None:
        app[SHARE_LINKS_KEY] = share_links
        app[CATALOGS_KEY] = catalogs
        app[SHARE_RATE_KEY] = share_rate
        app[PUBLIC_BASE_URL_KEY] = public_base_url.rstrip("/")
        app.middlewares.append(share_guard)
        app.on_response_prepare.append(_share_headers)
        app.router.add_get("/r/favicon.ico", share_favicon)
        app.router.add_get(f"/r/{_TOKEN}", share_html)
        app.router.add_get(f"/r/{_TOKEN}.json", share_json)
        app.router.add_get(f"/r/{_TOKEN}/charts/{_FILE}.png", share_chart)
        app.router.add_get(f"/r/{_TOKEN}/csv/{_FILE}.csv", share_csv)
    if api is not None:
        setup_api(app, api, public_base_url=public_base_url)
    if webapp_script_url is not None:
        features_off = api.features_off if api is not None else frozenset()
        miniapp.add_routes(
            app, catalogs=catalogs, script_url=webapp_script_url, features_off=features_off
        )
    return app


class _MalformedRequestsAsWarnings(logging.LoggerAdapter):
    """aiohttp's server logger, logging a request it could not parse as one warning line.

    aiohttp logs each with a traceback at ERROR, and anyone can send them (a 9 KB header,
    Content-Length with Transfer-Encoding); a handler's own fault keeps its traceback.
    """

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        if isinstance(exc_info, HttpProcessingError):
            reason = " ".join(str(exc_info.message).split())[:_REASON_MAX_CHARS]
            self.warning(f"{msg}: %s", *args, reason, **kwargs)
        else:
            super().exception(msg, *args, exc_info=exc_info, **kwargs)


def create_web_runner(app: web.Application) -> web.AppRunner:
    """The runner that serves the app: quiet about malformed requests, bounded in time."""
    # aiohttp has no setting for the Server header (aio-libs/aiohttp#3607); it sends this module
    # value, in its own answers to malformed requests too, which no middleware or signal sees.
    web_response.SERVER_SOFTWARE = SERVER_NAME
    return web.AppRunner(
        app,
        logger=_MalformedRequestsAsWarnings(server_logger),
        lingering_time=app[BODY_TIMEOUT_KEY],
    )
