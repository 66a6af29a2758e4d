"""Two bot processes on one database, in webhook mode behind a load balancer."""

import pytest
from fake_telegram import FakeTelegram

WEBHOOK_MODE = pytest.mark.settings(
    bot_mode="webhook", webhook_url="https://bot.example.org/telegram/webhook"
)
pytestmark = WEBHOOK_MODE


@pytest.fixture
async def second(another_bot):
    """A second process, started: the load balancer sends it every other update."""
    running = await another_bot()
    await running.start()
    return running


async def test_updates_spread_between_processes_are_each_handled_once(
    app, second, tg: FakeTelegram
) -> None:
    users = [tg.user(f"User {n}") for n in range(4)]

    for user in users:
        await tg.send_text(user, "/help")

    targets = {url for url, _, _ in tg.webhook_deliveries}
    assert targets == {app.webhook_address, second.webhook_address}
    for user in users:
        assert sum("<b>Commands</b>" in text for text in tg.texts_to(user)) == 1


@pytest.fixture
async def channel(tg: FakeTelegram):
    """Alice's channel, with the bot as its admin."""
    alice = tg.user("Alice")
    channel = tg.channel("Cooking", "cooking", owner=alice, subscribers=1500)
    await tg.add_bot_to_channel(channel, by=alice)
    return channel


async def asked_over_two_ticks(
    app, second, tg: FakeTelegram, clock, job_id: str, *, minutes: int, method: str
) -> int:
    """Run the job in both processes, and again a tick later: how often Telegram was asked."""
    mark = tg.mark()
    for tick in range(2):
        clock.advance(minutes=minutes * tick)
        for process in (app, second):
            await process.app.scheduler.get_job(job_id).func()
    return sum(call.method == method for call in tg.calls[mark:])


async def test_subscriber_snapshots_are_taken_once_per_tick(
    app, second, channel, tg: FakeTelegram, db, clock
) -> None:
    minutes = app.app.settings.subscriber_snapshot_minutes
    asked = await asked_over_two_ticks(
        app, second, tg, clock, "subscriber_snapshots", minutes=minutes, method="getChatMemberCount"
    )

    stored = await db.fetchval(
        "SELECT count(*) FROM subscriber_snapshots WHERE channel_id = $1", channel.id
    )
    assert (asked, stored) == (2, 2)


async def test_admins_are_rechecked_once_per_tick(
    app, second, channel, tg: FakeTelegram, clock
) -> None:
    minutes = app.app.settings.admin_recheck_minutes
    asked = await asked_over_two_ticks(
        app, second, tg, clock, "admin_recheck", minutes=minutes, method="getChatAdministrators"
    )

    assert asked == 2
