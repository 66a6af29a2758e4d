"""Outbound webhooks as their owners manage them: endpoints (a URL, the events it wants, a
secret shown once), Test, and the delivery log; and what keeps URLs off private networks.

Signing follows Standard Webhooks: `webhook-signature` is `v1,` and the base64 HMAC-SHA256,
keyed with the secret's bytes, of `<webhook-id>.<webhook-timestamp>.<body>`.
"""

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from enum import StrEnum

from yarl import URL

from db.webhooks import WebhookEndpointsRepository
from services.clock import Clock
from services.domain.webhooks import (
    SUBSCRIBABLE,
    DeliveryAttempt,
    WebhookEndpointRecord,
    WebhookEventType,
    ping,
)
from services.entitlements import EntitlementsService
from services.errors import not_found_as
from services.plans import Allowance

SECRET_PREFIX = "whsec_"
MAX_URL_LENGTH = 2000
DELIVERY_LOG_SIZE = 20


class WebhookError(Exception):
    """The base of what refuses an endpoint or a request about one."""


class EndpointNotFound(WebhookError):
    """No such endpoint among the user's."""


class NoEventsChosen(WebhookError):
    """An endpoint needs at least one event."""


class UnknownEvent(WebhookError):
    """Not an event an endpoint can subscribe to."""


class UrlRefused(WebhookError):
    """The URL can't be a webhook endpoint; `reason` says why, `address` what it resolved to."""

    def __init__(self, reason: "UrlProblem", address: str | None = None) -> None:
        super().__init__(f"{reason.value}: {address}" if address else reason.value)
        self.reason = reason
        self.address = address


class UrlProblem(StrEnum):
    """Why a URL was refused (the chat and the API explain each)."""

    MALFORMED = "malformed"
    SCHEME = "scheme"
    CREDENTIALS = "credentials"
    UNRESOLVABLE = "unresolvable"
    PRIVATE = "private"


def new_secret() -> str:
    """whsec_ and 32 random bytes in base64, the form Standard Webhooks libraries take."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, *, webhook_id: str, timestamp: int, body: str) -> str:
    """The webhook-signature header's value for one attempt."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet (not private, loopback, link-local,
    shared, reserved, multicast or unspecified); an IPv4-mapped IPv6 address as its IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_addresses(addresses: Iterable[str]) -> None:
    """Raise UrlRefused(PRIVATE) naming the first address that is not public."""
    for address in addresses:
        if not is_public_address(address):
            raise UrlRefused(UrlProblem.PRIVATE, address)


def parse_endpoint_url(text: str) -> URL:
    """An absolute http(s) URL with a host and no user:password; UrlRefused otherwise."""
    text = text.strip()
    if not text or len(text) > MAX_URL_LENGTH or any(c.isspace() for c in text):
        raise UrlRefused(UrlProblem.MALFORMED)
    try:
        url = URL(text)
        port = url.port
    except ValueError as error:
        raise UrlRefused(UrlProblem.MALFORMED) from error
    if url.scheme not in ("http", "https"):
        raise UrlRefused(UrlProblem.SCHEME)
    if not url.host or port is None:
        raise UrlRefused(UrlProblem.MALFORMED)
    if url.user is not None or url.password is not None:
        raise UrlRefused(UrlProblem.CREDENTIALS)
    return url


def ip_literal(host: str) -> str | None:
    """The host itself if it is an IP address (aiohttp connects to those without resolving)."""
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


@dataclass(frozen=True)
class CreatedEndpoint:
    """A new endpoint and its signing secret, which is shown this once."""

    endpoint: WebhookEndpointRecord
    secret: str = field(repr=False)


async def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to; UrlRefused(UNRESOLVABLE) when it resolves to none."""
    if (literal := ip_literal(host)) is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UrlRefused(UrlProblem.UNRESOLVABLE) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise UrlRefused(UrlProblem.UNRESOLVABLE)
    return addresses


@dataclass(frozen=True)
class WebhookService:
    """Endpoints, Test and the delivery log, for the bot's /webhooks and the API alike."""

    repository: WebhookEndpointsRepository
    entitlements: EntitlementsService
    clock: Clock
    _: KW_ONLY
    allow_private_addresses: bool
    # Told when Test or Enable leaves something to deliver at once.
    on_queued: Callable[[], None]

    async def check_url(self, text: str) -> str:
        """The URL as it will be stored, once its host is known to resolve to public addresses
        only (any address, with WEBHOOK_ALLOW_PRIVATE_ADDRESSES); raises UrlRefused."""
        url = parse_endpoint_url(text)
        addresses = await resolve(url.host or "", url.port or 443)
        if not self.allow_private_addresses:
            check_addresses(addresses)
        return str(url)

    async def ensure_room(self, *, user_id: int) -> None:
        """Raises LimitReached when the plan allows no more endpoints."""
        await self.entitlements.ensure_room(user_id=user_id, allowance=Allowance.WEBHOOK_ENDPOINTS)

    async def create(self, *, user_id: int, url: str, events: Sequence[str]) -> CreatedEndpoint:
        """A new endpoint with a new secret; raises UrlRefused, NoEventsChosen, UnknownEvent
        or LimitReached."""
        chosen = parse_events(events)
        checked = await self.check_url(url)
        await self.ensure_room(user_id=user_id)
        secret = new_secret()
        endpoint = await self.repository.create(
            owner_id=user_id, url=checked, events=[e.value for e in chosen], secret=secret
        )
        return CreatedEndpoint(endpoint=endpoint, secret=secret)

    async def endpoints(self, *, user_id: int) -> list[WebhookEndpointRecord]:
        return await self.repository.list_for_owner(owner_id=user_id)

    async def get(self, *, user_id: int, endpoint_id: int) -> WebhookEndpointRecord:
        with not_found_as(EndpointNotFound(endpoint_id)):
            return await self.repository.get(owner_id=user_id, endpoint_id=endpoint_id)

    async def delete(self, *, user_id: int, endpoint_id: int) -> None:
        with not_found_as(EndpointNotFound(endpoint_id)):
            await self.repository.delete(owner_id=user_id, endpoint_id=endpoint_id)

    async def enable(self, *, user_id: int, endpoint_id: int) -> WebhookEndpointRecord:
        """Deliver to a disabled endpoint again, from where it stopped."""
        with not_found_as(EndpointNotFound(endpoint_id)):
            await self.repository.enable(owner_id=user_id, endpoint_id=endpoint_id)
        self.on_queued()
        return await self.get(user_id=user_id, endpoint_id=endpoint_id)

    async def send_test(self, *, user_id: int, endpoint_id: int) -> None:
        """Queue a `ping` for the endpoint: delivered, signed and logged like any event."""
        event = ping(endpoint_id=endpoint_id, at=self.clock.now())
        with not_found_as(EndpointNotFound(endpoint_id)):
            await self.repository.queue_ping(owner_id=user_id, endpoint_id=endpoint_id, event=event)
        self.on_queued()

    async def deliveries(
        self, *, user_id: int, endpoint_id: int, limit: int = DELIVERY_LOG_SIZE
    ) -> list[DeliveryAttempt]:
        """The endpoint's latest attempts, newest first."""
        await self.get(user_id=user_id, endpoint_id=endpoint_id)
        return await self.repository.attempts(
            owner_id=user_id, endpoint_id=endpoint_id, limit=limit
        )


def parse_events(names: Iterable[str]) -> list[WebhookEventType]:
    """The events named, in the product's order; UnknownEvent or NoEventsChosen otherwise."""
    wanted = set()
    for name in names:
        try:
            event = WebhookEventType(name)
        except ValueError as error:
            raise UnknownEvent(name) from error
        if event not in SUBSCRIBABLE:
            raise UnknownEvent(name)
        wanted.add(event)
    if not wanted:
        raise NoEventsChosen()
    return [event for event in SUBSCRIBABLE if event in wanted]


def timestamp_of(moment: datetime) -> int:
    """webhook-timestamp: whole seconds since the epoch."""
    return int(moment.timestamp())
