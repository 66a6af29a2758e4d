"""The Mini App's own endpoints under /api/v1: its session, and share links.

POST /api/v1/session trades Telegram's initData for a short-lived bearer token ("abs_...");
the other endpoints take `Authorization: Bearer <token>` and answer only for channels the user
administers (verified with Telegram as the bot does). Errors are RFC 9457
application/problem+json. Paths follow the API contract shared with the REST API (issue 12);
bot/miniapp_reads serves the reads the page needs until that API is in.
"""

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.handlers.common import plain_alert
from bot.i18n_texts import plans as plan_texts
from bot.i18n_texts.common import access_error_text
from services.alerts import AlertService
from services.analytics import AnalyticsService
from services.app_sessions import AppSessionService, CreatedSession, UnknownSession
from services.bounds import bounded_int
from services.channels import ChannelAccessError, ChannelService, NotChannelAdmin
from services.domain.share_links import ShareLinkRecord
from services.domain.users import UserRecord
from services.entitlements import LimitReached
from services.i18n import Catalogs, Translator, user_locale
from services.init_data import InvalidInitData
from services.share_links import LIFETIME_HOURS, ShareLinkNotFound, ShareLinkService
from services.users import UserService

log = logging.getLogger(__name__)

SESSIONS_KEY = web.AppKey("app_sessions", AppSessionService)
USERS_KEY = web.AppKey("app_users", UserService)
CHANNELS_KEY = web.AppKey("app_channels", ChannelService)
ANALYTICS_KEY = web.AppKey("app_analytics", AnalyticsService)
ALERTS_KEY = web.AppKey("app_alerts", AlertService)
SHARES_KEY = web.AppKey("app_share_links", ShareLinkService)
TEXTS_KEY = web.AppKey("app_catalogs", Catalogs)

PROBLEM_JSON = "application/problem+json"
_MAX_BODY_BYTES = 16 * 1024
CHANNEL = r"{channel_id:-?[0-9]{1,20}}"
SHARE = r"{share_id:[0-9]{1,18}}"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiProblem(Exception):
    """An error answered as application/problem+json."""

    def __init__(self, status: int, title: str, detail: str = "") -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail


def problem(status: int, title: str, detail: str = "") -> web.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title}
    return web.Response(status=status, text=json.dumps(body), content_type=PROBLEM_JSON)


# ------------------------------------------------------------------------------------ models


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionRequest(_Body):
    init_data: str = Field(min_length=1, max_length=4096)


class ShareCreate(_Body):
    days: Literal[7, 30, 90] = 7
    lifetime_hours: int | None = 24


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def session_json(created: CreatedSession, locale: str) -> dict:
    return {
        "token": created.token,
        "expires_at": _iso(created.expires_at),
        "user": {"id": created.user.id, "first_name": created.user.first_name},
        "locale": locale,
        "time_zone": created.user.time_zone,
    }


def share_json(link: ShareLinkRecord, url: str | None = None) -> dict:
    return {
        "id": link.id,
        "channel_id": link.channel_id,
        "days": link.days,
        "created_at": _iso(link.created_at),
        "expires_at": _iso(link.expires_at),
        "open_count": link.open_count,
        **({"url": url} if url is not None else {}),
    }


# ------------------------------------------------------------------------------ the plumbing


@web.middleware
async def api_problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /api/v1 failure as problem+json, never a traceback or an HTML error page."""
    if not request.path.startswith("/api/v1/"):
        return await handler(request)
    try:
        return await handler(request)
    except ApiProblem as error:
        return problem(error.status, error.title, error.detail)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return problem(error.status, error.reason)


async def validated_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    if request.content_length is not None and request.content_length > _MAX_BODY_BYTES:
        raise ApiProblem(413, "Request body too large")
    raw = await request.content.read(_MAX_BODY_BYTES + 1)
    if len(raw) > _MAX_BODY_BYTES:
        raise ApiProblem(413, "Request body too large")
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiProblem(422, "Invalid request", f"{where}: {first['msg']}") from None


async def signed_in_user(request: web.Request) -> UserRecord:
    """The user whose session token the request carries; 401 for none, a forged or an old one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(401, "Unauthorized", "Send Authorization: Bearer <token>.")
    try:
        user_id = await request.app[SESSIONS_KEY].user_id(token.strip())
    except UnknownSession:
        raise ApiProblem(401, "Unauthorized", "The token is unknown, revoked or expired.") from None
    return await request.app[USERS_KEY].get(user_id=user_id)


def translator(request: web.Request, user: UserRecord) -> Translator:
    locale = user_locale(chosen_language=user.chosen_language, language_code=user.language_code)
    return request.app[TEXTS_KEY].translator(locale)


async def administered_channel(request: web.Request, user: UserRecord):
    channel_id = bounded_int(request.match_info["channel_id"])
    try:
        if channel_id is None:
            raise NotChannelAdmin(request.match_info["channel_id"])
        return await request.app[CHANNELS_KEY].require_admin(user_id=user.id, channel_id=channel_id)
    except ChannelAccessError as error:
        detail = plain_alert(access_error_text(translator(request, user), error))
        raise ApiProblem(404, "Channel not found", detail) from None


def limit_problem(request: web.Request, user: UserRecord, error: LimitReached) -> ApiProblem:
    detail = plain_alert(plan_texts.limit_reached(translator(request, user), error))
    return ApiProblem(403, "Plan limit reached", detail)


# ----------------------------------------------------------------------------- the endpoints


async def create_session(request: web.Request) -> web.Response:
    """Telegram's initData in, a session token out; 401 unless Telegram signed it lately."""
    body = await validated_body(request, SessionRequest)
    try:
        created = await request.app[SESSIONS_KEY].sign_in(body.init_data)
    except InvalidInitData as error:
        log.info("refused a Mini App sign-in from %s: %s", request.remote, error.problem)
        raise ApiProblem(
            401, "Unauthorized", "initData is not signed by Telegram for this bot, or too old."
        ) from None
    user = created.user
    locale = user_locale(chosen_language=user.chosen_language, language_code=user.language_code)
    return web.json_response(session_json(created, locale), status=201)


async def list_shares(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    channel = await administered_channel(request, user)
    links = await request.app[SHARES_KEY].list_live(user_id=user.id)
    return web.json_response(
        {"items": [share_json(link) for link in links if link.channel_id == channel.id]}
    )


async def create_share(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    channel = await administered_channel(request, user)
    body = await validated_body(request, ShareCreate)
    if body.lifetime_hours not in LIFETIME_HOURS:
        raise ApiProblem(422, "Invalid request", "lifetime_hours: one of 1, 24, 168, 720, null")
    try:
        created = await request.app[SHARES_KEY].create(
            user_id=user.id,
            channel_id=channel.id,
            days=body.days,
            lifetime_hours=body.lifetime_hours,
        )
    except LimitReached as error:
        raise limit_problem(request, user, error) from None
    return web.json_response(share_json(created.link, created.url), status=201)


async def revoke_share(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    try:
        await request.app[SHARES_KEY].revoke(
            user_id=user.id, link_id=int(request.match_info["share_id"])
        )
    except ShareLinkNotFound:
        raise ApiProblem(404, "Share link not found") from None
    return web.Response(status=204)


@dataclass(frozen=True)
class MiniAppServices:
    """What the Mini App's endpoints call; alerts and share links are None when switched off."""

    sessions: AppSessionService
    users: UserService
    channels: ChannelService
    analytics: AnalyticsService
    alerts: AlertService | None
    share_links: ShareLinkService | None


def add_routes(app: web.Application, services: MiniAppServices, *, catalogs: Catalogs) -> None:
    """The Mini App's endpoints; alerts and share links only when those features are on."""
    app[SESSIONS_KEY] = services.sessions
    app[USERS_KEY] = services.users
    app[CHANNELS_KEY] = services.channels
    app[ANALYTICS_KEY] = services.analytics
    app[TEXTS_KEY] = catalogs
    app.middlewares.append(api_problems)
    app.router.add_post("/api/v1/session", create_session)
    if services.alerts is not None:
        app[ALERTS_KEY] = services.alerts
    if services.share_links is not None:
        app[SHARES_KEY] = services.share_links
        app.router.add_get(f"/api/v1/channels/{CHANNEL}/shares", list_shares)
        app.router.add_post(f"/api/v1/channels/{CHANNEL}/shares", create_share)
        app.router.add_delete(f"/api/v1/shares/{SHARE}", revoke_share)
