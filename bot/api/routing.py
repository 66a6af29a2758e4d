"""How a resource module declares its endpoints, and how each becomes an aiohttp route.

A module makes a `Resource` and decorates its handlers (`@resource.get(path, ...)`); each
handler takes an `ApiCall` (the caller, the services, the validated path, query and body) and
returns a response model, or None for 204; its docstring is the endpoint's summary.
Authentication, the rate limit, the read-only check and validation happen here, before any
handler runs; the OpenAPI document is built from the same declarations (bot/api/openapi.py).
"""

import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, get_type_hints

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.api import problems
from bot.api.models import PATH_MODELS
from bot.request_body import read_body
from services.api_auth import Principal, Unauthenticated
from services.wiring import Services

# The largest request body any endpoint takes (an alert rule is a few hundred bytes).
MAX_BODY_BYTES = 16 * 1024
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class ApiContext:
    """What every endpoint reaches: the services, and the rate limit per caller."""

    services: Services
    rate_burst: int
    rate_per_second: float
    features_off: frozenset[str] = frozenset()  # Settings flags switched off


API_CONTEXT_KEY = web.AppKey("api_context", ApiContext)


@dataclass(frozen=True)
class ApiCall:
    principal: Principal  # ANONYMOUS for a public endpoint
    services: Services
    path: Any  # the endpoint's path model, validated
    query: Any  # its query model
    body: Any  # its body model


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ApiHandler = Callable[[ApiCall], Awaitable[BaseModel | None]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # under /api/v1, with {name} for each field of path_model
    handler: ApiHandler
    summary: str
    response: type[BaseModel] | None  # None: 204 No Content
    status: int = 200
    path_model: type[BaseModel] | None = None
    query_model: type[BaseModel] | None = None
    body_model: type[BaseModel] | None = None
    writes: bool = False  # a read-only key is refused with 403
    public: bool = False  # called without a token, to get one (the Mini App's POST /session)


@dataclass
class Resource:
    """One resource module's endpoints; bot/api/__init__.py lists the modules."""

    tag: str
    description: str
    # The Settings flag of the feature it serves: switched off, its endpoints are not served.
    feature: str | None = None
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(self, method: str, path: str, **options: Any) -> Callable[[ApiHandler], ApiHandler]:
        """Register the handler: its docstring is the summary, its return type the response
        (None: 204), and the path's {parameter} picks the path model."""

        def register(handler: ApiHandler) -> ApiHandler:
            summary = inspect.getdoc(handler)
            if not summary:
                raise TypeError(f"{handler.__name__}: its docstring is the endpoint's summary")
            returns = get_type_hints(handler)["return"]
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=" ".join(summary.split()),
                    response=None if returns is type(None) else returns,
                    path_model=_path_model(path),
                    **options,
                )
            )
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[ApiHandler], ApiHandler]:
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[ApiHandler], ApiHandler]:
        return self.route("POST", path, writes=True, status=201, **options)

    def patch(self, path: str, **options: Any) -> Callable[[ApiHandler], ApiHandler]:
        return self.route("PATCH", path, writes=True, **options)

    def delete(self, path: str, **options: Any) -> Callable[[ApiHandler], ApiHandler]:
        return self.route("DELETE", path, writes=True, status=204, **options)


def _path_model(path: str) -> type[BaseModel] | None:
    names = _PATH_PARAMETER.findall(path)
    if len(names) > 1:
        raise ValueError(f"{path}: one path parameter at most (its model is in PATH_MODELS)")
    return PATH_MODELS[names[0]] if names else None


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def authorize(request: web.Request, *, writes: bool) -> Principal:
    """The caller, within the rate limit and allowed to write if it must; else a problem."""
    context = request.app[API_CONTEXT_KEY]
    try:
        principal = await context.services.api_auth.resolve(bearer_token(request))
    except Unauthenticated:
        # No key's bucket to take from: the address pays, so guessing tokens meets a 429.
        await admit_anonymous(request)
        raise
    await _take(context, principal.rate_bucket, "key" if principal.key_id else "session")
    if writes and not principal.can_write:
        raise problems.read_only()
    return principal


async def admit_anonymous(request: web.Request) -> None:
    """A caller without a token, within the rate limit of its address; else a problem."""
    await _take(request.app[API_CONTEXT_KEY], f"address:{request.remote}", "address")


async def _take(context: ApiContext, bucket: str, caller: str) -> None:
    wait = await context.services.api_keys.take_request(
        bucket=bucket, burst=context.rate_burst, per_second=context.rate_per_second
    )
    if wait > 0:
        raise problems.rate_limited(wait, caller=caller)


# What a public endpoint's call carries as its principal: no user, no rights.
ANONYMOUS = Principal(user_id=0, can_write=False, key_id=None)


def _validated(model: type[BaseModel] | None, values: Any, where: str) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise problems.invalid(error, where) from None


async def _validated_body(request: web.Request, model: type[BaseModel] | None) -> Any:
    if model is None:
        return None
    body = await read_body(request, max_bytes=MAX_BODY_BYTES)
    try:
        return model.model_validate_json(body or b"null")
    except ValidationError as error:
        raise problems.invalid(error, "body") from None


def aiohttp_handler(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        if endpoint.public:
            await admit_anonymous(request)
            principal = ANONYMOUS
        else:
            principal = await authorize(request, writes=endpoint.writes)
        call = ApiCall(
            principal=principal,
            services=request.app[API_CONTEXT_KEY].services,
            path=_validated(endpoint.path_model, dict(request.match_info), "path"),
            query=_validated(endpoint.query_model, dict(request.query), "query"),
            body=await _validated_body(request, endpoint.body_model),
        )
        result = await endpoint.handler(call)
        if result is None:
            return web.Response(status=204)
        return web.Response(
            status=endpoint.status,
            body=result.model_dump_json(),
            content_type="application/json",
        )

    return handle
