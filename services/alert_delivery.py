"""Delivering stored firings: claimed from the outbox, held through quiet hours, sent paced."""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from db.alerts.outbox import AlertOutboxRepository
from services.background import PollingWorker
from services.clock import Clock
from services.domain.alerts import AlertRuleRecord, ClaimedFiring
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


@dataclass(eq=False)
class AlertDeliveryService(PollingWorker):
    """Drains the firings outbox through the outgoing queue; any number of processes may run it.

    A background task delivers when woken (a rule fired) and every `poll_seconds` (alerts held
    through quiet hours come due with time alone). Stopping it: close the queue first, so the
    waiting sends are given back.
    """

    firings: AlertOutboxRepository
    sender: AlertSender
    queue: OutgoingQueue
    clock: Clock
    _: KW_ONLY
    batch_size: int = 100
    _one_round: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    async def poll_round(self) -> None:
        await self.deliver_due()

    async def deliver_due(self) -> int:
        """Deliver every firing that is due now, batch by batch; returns how many were sent.

        One round at a time in a process (other processes share the work through the outbox),
        so when a call returns, whatever was due when it began has been dealt with.
        """
        sent = 0
        async with self._one_round:
            while not self.stopping:
                now = self.clock.now()
                claimed = await self.firings.claim_due(
                    now=now, lease_until=now + CLAIM_LEASE, limit=self.batch_size
                )
                sent += await self._deliver(claimed, now)
                if len(claimed) < self.batch_size:
                    break
        return sent

    async def send_test(self, message: AlertMessage) -> None:
        await self.queue.send(message.rule.owner_id, lambda: self.sender.send_alert(message))

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
            await self.firings.drop(firing_ids=firing_ids, at=now, reason=reason)
        if held:
            await self.firings.postpone(firing_ids=list(held), until=list(held.values()))
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
            await self.sender.send_alert(message)

        try:
            await self.queue.send(owner_id, send)
        except QueueClosed:
            await self.firings.release(firing_ids=[firing_id])
            return 0
        except RecipientBlocked:
            if owner_id not in blocked:
                blocked.add(owner_id)
                log.info("user %s blocked the bot: their alerts are paused", owner_id)
                await self.firings.pause_owner(
                    owner_id=owner_id, at=self.clock.now(), reason="blocked"
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
            now = self.clock.now()
            await self.firings.record_failure(
                firing_id=firing_id, retry_at=now + RETRY_AFTER, max_attempts=MAX_ATTEMPTS, at=now
            )
            return 0
        # Recorded at once, message by message: a crash now can repeat this one alert only.
        await self.firings.mark_sent(firing_id=firing_id, at=self.clock.now())
        return 1
