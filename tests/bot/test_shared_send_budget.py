"""Two bot processes sending at once stay within Telegram's limits, counted together."""

import asyncio
import itertools

import pytest
from aiogram.exceptions import TelegramRetryAfter
from fake_telegram import Call, FakeTelegram, FakeUser, FloodLimits
from stories import started

from bot.session import flood_waits_left_to_caller
from services.clock import SystemClock
from services.outgoing import FloodWait

pytestmark = pytest.mark.settings(
    bot_mode="webhook", webhook_url="https://bot.example.org/telegram/webhook"
)

USERS = 20
EACH = 2  # messages each process sends each user


@pytest.fixture
def clock() -> SystemClock:
    """Real time: the shared budget is the database server's clock, as in production."""
    return SystemClock()


async def test_two_processes_together_keep_to_30_a_second_and_1_a_second_per_chat(
    app, another_bot, tg: FakeTelegram
) -> None:
    second = await another_bot()
    await second.start()
    users = [await started(tg, f"User {n}") for n in range(USERS)]
    tg.flood_limits = FloodLimits()
    mark = tg.mark()

    # Each process sends each user its messages at once, as alert delivery does after a burst.
    await asyncio.gather(
        *(
            queued_send(process, user, f"#{n}")
            for process in (app, second)
            for user in users
            for n in range(EACH)
        )
    )

    sent = [c for c in tg.calls[mark:] if c.method == "sendMessage"]
    assert tg.flood_refusals == 0
    assert [c.ok for c in sent] == [True] * (2 * USERS * EACH)
    assert busiest_second(sent) <= 30
    assert min(gaps_within_a_chat(sent)) >= 0.9


async def queued_send(process, user: FakeUser, text: str) -> None:
    """A message through the process's outgoing queue, sent as alerts are (a 429 is the
    queue's to wait out)."""

    async def send() -> None:
        try:
            with flood_waits_left_to_caller():
                await process.app.bot.send_message(user.id, text)
        except TelegramRetryAfter as error:
            raise FloodWait(error.retry_after) from error

    await process.services.outgoing.send(user.id, send)


def busiest_second(calls: list[Call]) -> int:
    times = sorted(call.at for call in calls)
    return max(sum(1 for t in times if start <= t < start + 1) for start in times)


def gaps_within_a_chat(calls: list[Call]) -> list[float]:
    by_chat: dict[int, list[float]] = {}
    for call in calls:
        by_chat.setdefault(call.params["chat_id"], []).append(call.at)
    return [b - a for times in by_chat.values() for a, b in itertools.pairwise(times)]


async def test_a_429_met_by_one_process_holds_the_other_back_too(
    app, another_bot, tg: FakeTelegram, db
) -> None:
    second = await another_bot()
    await second.start()
    alice, bob = await started(tg, "Alice"), await started(tg, "Bob")
    tg.fail_next("sendMessage", error_code=429, retry_after=2, chat_id=alice)

    to_alice = asyncio.create_task(queued_send(app, alice, "Hi"))
    refused = await tg.wait_for("sendMessage", chat_id=alice.id, timeout=10)
    await _until_every_process_holds(db)
    await queued_send(second, bob, "Hi")
    await to_alice

    to_bob = tg.sent("sendMessage", chat_id=bob.id)[-1]
    assert not refused.ok and to_bob.ok
    assert to_bob.at - refused.at >= 1.9


async def _until_every_process_holds(db) -> None:
    """Until the 429 is in the shared budget (the process that met it writes it down)."""
    for _ in range(250):
        if await db.fetchval(
            "SELECT next_at > clock_timestamp() + interval '1 second' FROM send_slots "
            "WHERE chat_id = 0"
        ):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the 429 never reached the shared budget")
