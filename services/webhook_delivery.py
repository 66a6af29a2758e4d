"""Delivering the webhook outbox: at least once, in order per endpoint, retried with
exponential backoff for about three days, then the endpoint is disabled and its owner told.

Any number of processes run it: endpoints are leased with SKIP LOCKED (db.webhooks), one
process per endpoint at a time, so an endpoint's messages go one after another, each only
once the one before it was delivered. A message keeps its webhook-id on every attempt.
"""

import asyncio
import logging
import socket
import time
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from db.webhooks import WebhookOutboxRepository
from services.background import PollingWorker
from services.clock import Clock
from services.domain.webhooks import ClaimedEndpoint, DisabledEndpoint, PendingMessage
from services.i18n import user_locale
from services.outgoing import MessageRejected, OutgoingQueue, QueueClosed, RecipientBlocked
from services.webhooks import UrlRefused, check_addresses, ip_literal, sign, timestamp_of

log = logging.getLogger(__name__)

# The longest wait between two attempts; the first is WEBHOOK_RETRY_FIRST_SECONDS, each next
# one twice the last, until this.
MAX_RETRY_DELAY = timedelta(hours=8)
# Delivered messages and their attempts are kept this long, for the delivery log.
LOG_KEPT = timedelta(days=30)
_ERROR_LENGTH = 300
USER_AGENT = "AnalyticBot-Webhooks/1"


class WebhookNotifier(Protocol):
    async def endpoint_disabled(self, endpoint: DisabledEndpoint, locale: str) -> None:
        """Tell the owner; raises FloodWait, RecipientBlocked or MessageRejected."""
        ...


class GuardedResolver(AbstractResolver):
    """Resolves as aiohttp does, then refuses hosts with a non-public address: the address
    checked is the one connected to, so DNS that changes after the endpoint was saved (or
    between two lookups) can't point a delivery at a private network."""

    def __init__(self, *, allow_private_addresses: bool) -> None:
        self._inner = ThreadedResolver()
        self._allow_private = allow_private_addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not self._allow_private:
            check_addresses(result["host"] for result in results)
        return results

    async def close(self) -> None:
        await self._inner.close()


def retry_at(
    message: PendingMessage, *, now: datetime, first: timedelta, window: timedelta
) -> datetime | None:
    """When a message that just failed is tried again; None once that would be past the
    window since its first failure (the endpoint is then disabled)."""
    delay = min(first * 2**message.attempts, MAX_RETRY_DELAY)
    first_failed = message.first_failed_at or now
    if now + delay - first_failed > window:
        return None
    return now + delay


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    latency_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.error is None


@dataclass(eq=False)
class WebhookDeliveryService(PollingWorker):
    """Drains the webhook outbox every `poll_seconds` (events published anywhere, in any
    process, and retries that came due) and when woken (Test, Enable)."""

    outbox: WebhookOutboxRepository
    notifier: WebhookNotifier
    queue: OutgoingQueue
    clock: Clock
    _: KW_ONLY
    timeout_seconds: float
    retry_first: timedelta
    retry_window: timedelta
    allow_private_addresses: bool
    concurrency: int
    messages_per_claim: int = 50
    _http: aiohttp.ClientSession | None = field(init=False, default=None)
    _one_round: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    @property
    def _lease(self) -> timedelta:
        """An endpoint stays ours for as long as its messages of one claim can take."""
        return timedelta(seconds=self.timeout_seconds * self.messages_per_claim + 60)

    async def stop(self) -> None:
        """Stop; what was not delivered stays in the outbox, for this or another process."""
        await super().stop()
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private_addresses=self.allow_private_addresses),
                limit=self.concurrency,
            )
            self._http = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
                headers={"User-Agent": USER_AGENT},
            )
        return self._http

    async def poll_round(self) -> None:
        await self.deliver_due()
        await self.tell_owners()

    async def deliver_due(self) -> int:
        """Deliver what is due now, endpoint by endpoint, up to `concurrency` endpoints at
        once (each freed slot claims another); returns how many messages were delivered.
        One round at a time in a process."""
        delivered = 0
        async with self._one_round:
            draining: set[asyncio.Task[int]] = set()
            exhausted = False
            try:
                while not self.stopping:
                    free = self.concurrency - len(draining)
                    if not exhausted and free > 0:
                        now = self.clock.now()
                        claimed = await self.outbox.claim_endpoints(
                            now=now, lease_until=now + self._lease, limit=free
                        )
                        exhausted = len(claimed) < free
                        draining |= {asyncio.create_task(self._drain(e)) for e in claimed}
                    if not draining:
                        break
                    done, draining = await asyncio.wait(
                        draining, return_when=asyncio.FIRST_COMPLETED
                    )
                    delivered += sum(task.result() for task in done)
                    # An endpoint drained while others were still going may have more due.
                    exhausted = exhausted and not done
            finally:
                if draining:
                    results = await asyncio.gather(*draining, return_exceptions=True)
                    delivered += sum(r for r in results if isinstance(r, int))
        return delivered

    async def _drain(self, endpoint: ClaimedEndpoint) -> int:
        """Deliver the endpoint's due messages in order, stopping at the first that fails."""
        delivered = 0
        try:
            messages = await self.outbox.due_messages(
                endpoint_id=endpoint.id, now=self.clock.now(), limit=self.messages_per_claim
            )
            for message in messages:
                if self.stopping or not await self._deliver(endpoint, message):
                    break
                delivered += 1
        finally:
            await self.outbox.release(endpoint_ids=[endpoint.id])
        return delivered

    async def _deliver(self, endpoint: ClaimedEndpoint, message: PendingMessage) -> bool:
        outcome = await self._attempt(endpoint, message)
        now = self.clock.now()
        if outcome.succeeded:
            await self.outbox.record_delivered(
                message=message,
                at=now,
                status_code=outcome.status_code or 0,
                latency_ms=outcome.latency_ms,
            )
            return True
        next_try = retry_at(message, now=now, first=self.retry_first, window=self.retry_window)
        if next_try is None:
            since = message.first_failed_at or now
            log.info("webhook endpoint %s disabled: failing since %s", endpoint.id, since)
        await self.outbox.record_failed(
            message=message,
            at=now,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            error=outcome.error or "",
            retry_at=next_try,
        )
        return False

    async def _attempt(self, endpoint: ClaimedEndpoint, message: PendingMessage) -> AttemptOutcome:
        """POST the message once; never raises for what the receiver or the network did."""
        timestamp = timestamp_of(self.clock.now())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message.webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(
                endpoint.secret,
                webhook_id=message.webhook_id,
                timestamp=timestamp,
                body=message.body,
            ),
        }
        started = time.monotonic()

        def outcome(status: int | None, error: str | None) -> AttemptOutcome:
            latency = round((time.monotonic() - started) * 1000)
            return AttemptOutcome(status, latency, error[:_ERROR_LENGTH] if error else None)

        try:
            host = URL(endpoint.url).host or ""
            if not self.allow_private_addresses and (literal := ip_literal(host)) is not None:
                check_addresses([literal])  # aiohttp connects to an IP without resolving it
            # Redirects are not followed: a receiver must answer at the URL it was given.
            async with self._session().post(
                endpoint.url,
                data=message.body.encode(),
                headers=headers,
                allow_redirects=False,
            ) as response:
                status = response.status
        except UrlRefused as refused:
            return outcome(None, f"refused: {refused.address} is not a public address")
        except TimeoutError:
            return outcome(None, f"no answer within {self.timeout_seconds:g} s")
        except aiohttp.ClientConnectorError as error:
            return outcome(None, f"cannot connect to {error.host}:{error.port}")
        except (aiohttp.ClientError, OSError) as error:
            return outcome(None, f"{type(error).__name__}: {error}")
        if 200 <= status < 300:
            return outcome(status, None)
        if 300 <= status < 400:
            return outcome(status, f"HTTP {status}: redirects are not followed")
        return outcome(status, f"HTTP {status}")

    async def prune(self) -> int:
        """Forget what was delivered more than LOG_KEPT ago (the delivery log goes back that
        far); what is not delivered yet is kept, however old."""
        return await self.outbox.prune_delivered(before=self.clock.now() - LOG_KEPT)

    async def tell_owners(self) -> int:
        """Tell the owners of endpoints disabled for failing, through the outgoing queue."""
        now = self.clock.now()
        disabled = await self.outbox.claim_disabled_untold(
            now=now, lease_until=now + timedelta(minutes=10), limit=100
        )
        told = await asyncio.gather(*(self._tell(endpoint) for endpoint in disabled))
        return sum(told)

    async def _tell(self, endpoint: DisabledEndpoint) -> int:
        locale = user_locale(
            chosen_language=endpoint.chosen_language, language_code=endpoint.language_code
        )
        try:
            await self.queue.send(
                endpoint.owner_id, lambda: self.notifier.endpoint_disabled(endpoint, locale)
            )
        except QueueClosed:
            await self.outbox.release(endpoint_ids=[endpoint.id])
            return 0
        except (RecipientBlocked, MessageRejected) as error:
            # Nobody to tell: the endpoint stays disabled, and /webhooks says so.
            log.info("owner of webhook endpoint %s not told: %r", endpoint.id, error)
        await self.outbox.mark_owner_told(endpoint_id=endpoint.id, at=self.clock.now())
        return 1
