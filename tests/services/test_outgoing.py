"""The outgoing queue keeps to Telegram's limits and waits out 429s, on a clock tests move."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from helpers import ManualClock

from services.outgoing import FloodWait, OutgoingQueue, QueueClosed


class RecordingSender:
    """Notes when (on the clock) each message went out; fails as told first."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock
        self.sent: list[tuple[int, float]] = []
        self.failures: list[Exception] = []

    def to(self, chat_id: int):
        async def send() -> None:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append((chat_id, self._clock.now().timestamp()))

        return send


@pytest.fixture
async def queue(clock: ManualClock) -> AsyncIterator[OutgoingQueue]:
    queue = OutgoingQueue(clock, overall_per_second=30, per_chat_per_second=1)
    yield queue
    await queue.close()


async def test_one_chat_gets_one_message_a_second_in_order(queue, clock) -> None:
    sender = RecordingSender(clock)
    start = clock.now().timestamp()

    await asyncio.gather(*(queue.send(7, sender.to(7)) for _ in range(4)))

    assert [round(at - start, 3) for _, at in sender.sent] == [0, 1, 2, 3]


async def test_many_chats_share_thirty_messages_a_second(queue, clock) -> None:
    sender = RecordingSender(clock)
    start = clock.now().timestamp()

    await asyncio.gather(*(queue.send(chat, sender.to(chat)) for chat in range(90)))

    times = [at - start for _, at in sender.sent]
    assert len(times) == 90
    assert times[-1] == pytest.approx(89 / 30, abs=1e-3)
    busiest_second = max(sum(first <= t < first + 0.999 for t in times) for first in times)
    assert busiest_second <= 30


async def test_flood_wait_holds_everything_then_sends_again(queue, clock) -> None:
    sender = RecordingSender(clock)
    sender.failures.append(FloodWait(retry_after=5))
    start = clock.now().timestamp()

    await asyncio.gather(queue.send(1, sender.to(1)), queue.send(2, sender.to(2)))

    assert sorted(chat for chat, _ in sender.sent) == [1, 2]
    assert all(at - start >= 5 for _, at in sender.sent)
    assert queue.flood_waits == 1


async def test_a_closed_queue_sends_nothing_more(queue, clock) -> None:
    sender = RecordingSender(clock)
    await queue.send(1, sender.to(1))
    await queue.close()

    with pytest.raises(QueueClosed):
        await queue.send(1, sender.to(1))
    assert len(sender.sent) == 1
