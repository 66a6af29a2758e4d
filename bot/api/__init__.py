"""The REST API under /api/v1, on the bot's web app: one module per resource.

To add a resource, write bot/api/<resource>.py with `resource = Resource(tag, description)` and
its handlers decorated with `@resource.get(...)` (or post, patch, delete), each with a docstring
(the endpoint's summary), its models in bot/api/models.py, and list it in RESOURCES; the routes,
the checks every call passes (bot/api/routing.py) and the OpenAPI document follow from the
declarations.
"""

import json
from collections.abc import Sequence

from aiohttp import web

from bot.api import alerts, channels, insights, reports, sessions, shares, webhooks
from bot.api.openapi import API_PREFIX, docs_page, openapi_document
from bot.api.problems import internal_error, problem_of
from bot.api.routing import API_CONTEXT_KEY, ApiContext, Handler, Resource, aiohttp_handler

RESOURCES: Sequence[Resource] = (
    channels.resource,
    reports.resource,
    insights.resource,
    alerts.resource,
    webhooks.resource,
    shares.resource,
    sessions.resource,
)

_DOCUMENT_KEY = web.AppKey("api_document", str)
_DOCS_PAGE_KEY = web.AppKey("api_docs_page", str)


@web.middleware
async def problems_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under /api/, every refusal (and every fault) is application/problem+json."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except Exception as error:
        problem = problem_of(error)
        if problem is None:
            problem = internal_error(error, request)
        return problem.response()


async def _openapi_json(request: web.Request) -> web.Response:
    return web.Response(text=request.app[_DOCUMENT_KEY], content_type="application/json")


async def _docs(request: web.Request) -> web.Response:
    return web.Response(text=request.app[_DOCS_PAGE_KEY], content_type="text/html")


def setup_api(app: web.Application, context: ApiContext, *, public_base_url: str) -> None:
    """Serve the API's resources, its OpenAPI document and its docs page on the app."""
    app[API_CONTEXT_KEY] = context
    # A switched-off feature's resource is neither served nor documented.
    served = [resource for resource in RESOURCES if resource.feature not in context.features_off]
    base = public_base_url.rstrip("/")
    app[_DOCUMENT_KEY] = json.dumps(openapi_document(served, server_url=base))
    app[_DOCS_PAGE_KEY] = docs_page(served, base_url=base)
    app.middlewares.append(problems_middleware)
    app.router.add_get(f"{API_PREFIX}/openapi.json", _openapi_json)
    app.router.add_get(f"{API_PREFIX}/docs", _docs)
    for resource in served:
        for endpoint in resource.endpoints:
            app.router.add_route(
                endpoint.method, API_PREFIX + endpoint.path, aiohttp_handler(endpoint)
            )


__all__ = ["RESOURCES", "ApiContext", "setup_api"]
