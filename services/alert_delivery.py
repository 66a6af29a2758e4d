"""Delivering stored firings: claimed from the outbox, held through quiet hours, sent paced."""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from db.alerts.outbox import AlertOutboxRepository
from services.background import finish_or_cancel
from services.clock import Clock
from services.domain.alerts import AlertRuleRecord, ClaimedFiring
from services.errors import database_gave_up
from services.i18n import DEFAULT_LOCALE, user_locale
from services.outgoing import (
    MessageRejected,
    OutgoingQueue,
    QueueClosed,
    RecipientBlocked,
)
from services.preferences import quiet_until

log = logging.getLogger(__name__)

# How long a claimed firing stays this process's; a crashed process's firings wait this long.
CLAIM_LEASE = timedelta(minutes=10)
RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5
# How long stopping waits for sends already on their way to Telegram.
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class AlertMessage:
    """What an alert message shows: the rule, the numbers, and when it fired, for its owner."""

    rule: AlertRuleRecord
    details: Mapping[str, Any]
    fired_at: datetime
    time_zone: str = "UTC"  # the owner's, for the times the message shows
    locale: str = DEFAULT_LOCALE  # the owner's language
    is_test: bool = False
    firing_id: int | None = None  # what the alert's buttons act on (a test has none)


class AlertSender(Protocol):
    async def send_alert(self, message: AlertMessage) -> None:
        """Send to the rule's owner; raises FloodWait, RecipientBlocked or MessageRejected."""
        ...


class AlertDeliveryService:
    """Drains the firings outbox through the outgoing queue; any number of processes may run it.

    A background task delivers when woken (a rule fired) and every `poll_seconds` (alerts held
    through quiet hours come due with time alone).
    """

    def __init__(
        self,
        firings: AlertOutboxRepository,
        sender: AlertSender,
        queue: OutgoingQueue,
        clock: Clock,
        *,
        poll_seconds: float,
        batch_size: int = 100,
    ) -> None:
        self._firings = firings
        self._sender = sender
        self._queue = queue
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._wake = asyncio.Event()
        self._one_round = asyncio.Lock()
        self._stopping = False
        self._worker: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._worker is None:
            self._stopping = False
            self._worker = asyncio.create_task(self._deliver_continuously())

    async def stop(self) -> None:
        """Stop delivering; close the queue first, so the waiting sends are given back."""
        if self._worker is None:
            return
        self._stopping = True
        self._wake.set()
        await finish_or_cancel(self._worker, grace=STOP_GRACE_SECONDS)
        self._worker = None

    async def _deliver_continuously(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception as error:
                if database_gave_up(error):  # busy: nothing is lost, the next round tries again
                    log.warning("alert delivery: the database gave up (%r)", error)
                else:
                    log.exception("alert delivery failed; retrying on the next round")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

    async def deliver_due(self) -> int:
        """Deliver every firing that is due now, batch by batch; returns how many were sent.

        One round at a time in a process (other processes share the work through the outbox),
        so when a call returns, whatever was due when it began has been dealt with.
        """
        sent = 0
        async with self._one_round:
            while not self._stopping:
                now = self._clock.now()
                claimed = await self._firings.claim_due(
                    now=now, lease_until=now + CLAIM_LEASE, limit=self._batch_size
                )
                sent += await self._deliver(claimed, now)
                if len(claimed) < self._batch_size:
                    break
        return sent

    async def send_test(self, message: AlertMessage) -> None:
        await self._queue.send(message.rule.owner_id, lambda: self._sender.send_alert(message))

    async def _deliver(self, claimed: list[ClaimedFiring], now: datetime) -> int:
        dropped: dict[str, list[int]] = defaultdict(list)
        held: dict[int, datetime] = {}
        ready: list[tuple[int, AlertMessage]] = []
        for item in claimed:
            rule = item.firing.rule
            if rule.paused:
                dropped["paused"].append(item.firing.id)
            elif rule.muted_until is not None and rule.muted_until > now:
                dropped["muted"].append(item.firing.id)
            elif (until := quiet_until(now, item.time_zone, item.quiet_hours)) is not None:
                held[item.firing.id] = until
            else:
                ready.append(
                    (
                        item.firing.id,
                        AlertMessage(
                            rule=rule,
                            details=item.firing.details,
                            fired_at=item.firing.fired_at,
                            time_zone=item.time_zone,
                            locale=user_locale(
                                chosen_language=item.chosen_language,
                                language_code=item.language_code,
                            ),
                            firing_id=item.firing.id,
                        ),
                    )
                )
        for reason, firing_ids in dropped.items():
            await self._firings.drop(firing_ids=firing_ids, at=now, reason=reason)
        if held:
            await self._firings.postpone(firing_ids=list(held), until=list(held.values()))
        blocked: set[int] = set()
        results = await asyncio.gather(
            *(self._send(firing_id, message, blocked) for firing_id, message in ready)
        )
        return sum(results)

    async def _send(self, firing_id: int, message: AlertMessage, blocked: set[int]) -> int:
        """Send one firing through the queue and record the outcome; 1 if it was sent."""
        owner_id = message.rule.owner_id

        async def send() -> None:
            if owner_id in blocked:  # learnt from another alert of this round
                raise RecipientBlocked()
            await self._sender.send_alert(message)

        try:
            await self._queue.send(owner_id, send)
        except QueueClosed:
            await self._firings.release(firing_ids=[firing_id])
            return 0
        except RecipientBlocked:
            if owner_id not in blocked:
                blocked.add(owner_id)
                log.info("user %s blocked the bot: their alerts are paused", owner_id)
                await self._firings.pause_owner(
                    owner_id=owner_id, at=self._clock.now(), reason="blocked"
                )
            return 0
        except Exception as error:
            rejected = isinstance(error, MessageRejected)  # expected: no traceback needed
            log.log(
                logging.INFO if rejected else logging.ERROR,
                "alert %s not delivered: %r",
                firing_id,
                error,
                exc_info=not rejected,
            )
            now = self._clock.now()
            await self._firings.record_failure(
                firing_id=firing_id, retry_at=now + RETRY_AFTER, max_attempts=MAX_ATTEMPTS, at=now
            )
            return 0
        # Recorded at once, message by message: a crash now can repeat this one alert only.
        await self._firings.mark_sent(firing_id=firing_id, at=self._clock.now())
        return 1
