"""Alert delivery's background rounds: a database that gives up (a locked table, a busy server)
is a warning, not an error with a traceback, and the next round tries again."""

import asyncio
import logging

import asyncpg
from helpers import ManualClock

from services.alert_delivery import AlertDeliveryService
from services.outgoing import OutgoingQueue


class BusyOutbox:
    """An outbox whose first claim runs past the statement timeout; then nothing is due."""

    def __init__(self) -> None:
        self.claims = 0
        self.gave_up = asyncio.Event()
        self.claimed_again = asyncio.Event()

    async def claim_due(self, **_: object) -> list:
        self.claims += 1
        if self.claims == 1:
            self.gave_up.set()
            raise asyncpg.QueryCanceledError("canceling statement due to statement timeout")
        self.claimed_again.set()
        return []


async def test_a_round_the_database_gives_up_on_is_a_warning_and_the_next_round_tries_again(
    caplog,
) -> None:
    clock = ManualClock()
    outbox = BusyOutbox()
    delivery = AlertDeliveryService(
        outbox,  # type: ignore[arg-type]
        sender=None,  # type: ignore[arg-type]
        queue=OutgoingQueue(clock, overall_per_second=30, per_chat_per_second=1),
        clock=clock,
        poll_seconds=3600,
    )
    delivery.start()
    try:
        async with asyncio.timeout(5):
            await outbox.gave_up.wait()
            delivery.wake()  # as a fired rule does
            await outbox.claimed_again.wait()
    finally:
        await delivery.stop()

    logged = [r for r in caplog.records if r.name == "services.alert_delivery"]
    assert [(r.levelno, r.exc_info) for r in logged] == [(logging.WARNING, None)]
    assert "the database gave up" in logged[0].getMessage()
