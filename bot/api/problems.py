"""Errors as application/problem+json (RFC 9457): every refusal the API makes, in one place."""

import logging
import math
import secrets

from aiogram.exceptions import TelegramAPIError
from aiohttp import web
from pydantic import ValidationError

from bot.api.models import Problem
from services.alerts import InvalidAnswer, RuleNotFound, UnexpectedThreshold
from services.analytics import InvalidPeriod
from services.api_auth import Unauthenticated
from services.channel_series import InvalidCursor
from services.channels import ChannelAccessError
from services.domain.webhooks import SUBSCRIBABLE
from services.entitlements import LimitReached
from services.errors import database_gave_up
from services.init_data import InvalidInitData
from services.share_links import ShareLinkNotFound
from services.webhooks import (
    EndpointNotFound,
    NoEventsChosen,
    UnknownEvent,
    UrlProblem,
    UrlRefused,
)

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
_TYPE_BASE = "https://analyticbot.dev/problems/"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    422: "Invalid parameters",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}
# A moment's trouble (the database or Telegram busy): worth a retry after this many seconds.
_RETRY_AFTER_TROUBLE = 5
# Why a webhook URL was refused, with the address it resolved to where that is why.
URL_REFUSALS = {
    UrlProblem.MALFORMED: "Not a URL that can be sent to; send a full http(s) address.",
    UrlProblem.SCHEME: "Only http:// and https:// URLs can receive webhooks.",
    UrlProblem.CREDENTIALS: "Leave user name and password out of the URL; deliveries are signed.",
    UrlProblem.UNRESOLVABLE: "The URL's host does not resolve to any address.",
    UrlProblem.PRIVATE: (
        "The URL's host points at {}, a private, loopback or link-local address; "
        "webhooks only go to addresses on the public internet."
    ),
}
SUBSCRIBABLE_NAMES = ", ".join(event.value for event in SUBSCRIBABLE)


class ApiProblem(Exception):
    """A refusal with its status, kind and a message for the caller."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def response(self) -> web.Response:
        problem = Problem(
            type=_TYPE_BASE + self.kind,
            title=TITLES.get(self.status, "Error"),
            status=self.status,
            detail=self.detail,
            errors=self.errors,
        )
        return web.Response(
            status=self.status,
            body=problem.model_dump_json(exclude_none=True),
            content_type=PROBLEM_CONTENT_TYPE,
            headers=self.headers,
        )


def read_only() -> ApiProblem:
    return ApiProblem(403, "read-only-key", "This API key is read-only; create a read-write key.")


def rate_limited(wait_seconds: float, *, caller: str) -> ApiProblem:
    """caller: whose share ran out, as the detail names it ("key", "session", "address")."""
    retry_after = max(1, math.ceil(wait_seconds))
    return ApiProblem(
        429,
        "rate-limited",
        f"Too many requests from this {caller}; retry in {retry_after} s.",
        headers={"Retry-After": str(retry_after)},
    )


def invalid(error: ValidationError, where: str) -> ApiProblem:
    errors = [
        {
            "name": ".".join(str(part) for part in item["loc"]) or where,
            "reason": item["msg"],
        }
        for item in error.errors(include_url=False, include_input=False)
    ]
    return ApiProblem(422, "invalid-parameters", f"Invalid {where}.", errors=errors)


def problem_of(error: Exception) -> ApiProblem | None:
    """The refusal a service's exception means to the caller; None for an unexpected one."""
    match error:
        case ApiProblem():
            return error
        case Unauthenticated():
            return ApiProblem(
                401,
                "unauthorized",
                "Send a live API key as Authorization: Bearer <key> (create one with /api).",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        case ChannelAccessError():
            return ApiProblem(
                404, "channel-not-found", "No such channel among those the key's owner administers."
            )
        case InvalidInitData():
            return ApiProblem(
                401,
                "invalid-init-data",
                "initData is not signed by Telegram for this bot, or is too old: "
                "reopen the app from Telegram.",
            )
        case ShareLinkNotFound():
            return ApiProblem(404, "share-not-found", "No such live share link among the owner's.")
        case RuleNotFound():
            return ApiProblem(404, "rule-not-found", "No such alert rule among the owner's.")
        case EndpointNotFound():
            return ApiProblem(
                404, "webhook-not-found", "No such webhook endpoint among the owner's."
            )
        case UrlRefused():
            return ApiProblem(422, "url-refused", URL_REFUSALS[error.reason].format(error.address))
        case NoEventsChosen() | UnknownEvent():
            return ApiProblem(422, "invalid-events", f"Choose events among: {SUBSCRIBABLE_NAMES}.")
        case LimitReached():
            return ApiProblem(
                403,
                "plan-limit",
                f"The {error.plan.name} plan allows {error.allowed} "
                f"{error.allowance.value.replace('_', ' ')}.",
            )
        case InvalidPeriod():
            return ApiProblem(
                422, "invalid-period", f"No numbers for that period ({error.problem.value})."
            )
        case InvalidCursor():
            return ApiProblem(422, "invalid-cursor", "The cursor is not one this API handed out.")
        case InvalidAnswer():
            question = error.question
            return ApiProblem(
                422,
                "invalid-thresholds",
                f"This kind needs {question.field.value} between {question.minimum:g} "
                f"and {question.maximum:g}.",
            )
        case UnexpectedThreshold():
            return ApiProblem(422, "invalid-thresholds", f"{error}.")
        case web.HTTPException() if error.status >= 400:
            allow = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else None
            return ApiProblem(error.status, f"http-{error.status}", error.reason, headers=allow)
        case TelegramAPIError():
            # Telegram did not answer the admin check: nobody is let in on an old one.
            log.warning("API: Telegram did not answer: %s", error)
            return _trouble("Telegram did not answer the admin check in time; retry shortly.")
    if database_gave_up(error):
        log.warning("API: the database gave up: %r", error)
        return _trouble("The request took too long; retry shortly, or ask for fewer days.")
    return None


def _trouble(detail: str) -> ApiProblem:
    return ApiProblem(
        503, "unavailable", detail, headers={"Retry-After": str(_RETRY_AFTER_TROUBLE)}
    )


def internal_error(error: Exception, request: web.Request) -> ApiProblem:
    reference = secrets.token_hex(4)
    log.error(
        "unhandled error %s in %s %s", reference, request.method, request.path, exc_info=error
    )
    return ApiProblem(500, "internal-error", f"Something went wrong (reference {reference}).")
