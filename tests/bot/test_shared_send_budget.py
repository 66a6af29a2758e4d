"""Two bot processes sending at once stay within Telegram's limits, counted together."""

import asyncio
import itertools

import pytest
from fake_telegram import Call, FakeTelegram, FloodLimits
from stories import started

from services.clock import SystemClock

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
            process.services.outgoing.send(
                user.id, lambda p=process, u=user, n=n: p.app.bot.send_message(u.id, f"#{n}")
            )
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


def busiest_second(calls: list[Call]) -> int:
    times = sorted(call.at for call in calls)
    return max(sum(1 for t in times if start <= t < start + 1) for start in times)


def gaps_within_a_chat(calls: list[Call]) -> list[float]:
    by_chat: dict[int, list[float]] = {}
    for call in calls:
        by_chat.setdefault(call.params["chat_id"], []).append(call.at)
    return [b - a for times in by_chat.values() for a, b in itertools.pairwise(times)]
