"""The small web app that runs beside the bot: health now; share pages and webhooks later."""

from aiohttp import web

from services.health import HealthService

HEALTH_KEY = web.AppKey("health", HealthService)


async def healthz(request: web.Request) -> web.Response:
    healthy = await request.app[HEALTH_KEY].database_ok()
    return web.json_response(
        {"status": "ok" if healthy else "unavailable", "database": healthy},
        status=200 if healthy else 503,
    )


def create_web_app(*, health: HealthService) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    app[HEALTH_KEY] = health
    app.router.add_get("/healthz", healthz)
    return app
