"""Two bot processes on one database, in webhook mode behind a load balancer."""

import asyncio

import pytest
from fake_preview import FakePreview
from fake_telegram import FakeTelegram
from stories import on_plan, owner_with_channel, started, tracked_channel

from services.domain.alerts import AlertKind, AlertThresholds

WEBHOOK_MODE = pytest.mark.settings(
    bot_mode="webhook", webhook_url="https://bot.example.org/telegram/webhook"
)
# Both processes read post views from the fake web preview.
pytestmark = [WEBHOOK_MODE, pytest.mark.usefixtures("preview")]


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


async def run_job_in_both(app, second, job_id: str) -> None:
    for process in (app, second):
        await process.app.scheduler.get_job(job_id).func()


async def asked_over_two_ticks(
    app, second, tg: FakeTelegram, clock, job_id: str, *, minutes: int, method: str
) -> int:
    """Run the job in both processes, and again a tick later: how often Telegram was asked."""
    mark = tg.mark()
    for tick in range(2):
        clock.advance(minutes=minutes * tick)
        await run_job_in_both(app, second, job_id)
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


async def test_alerts_fire_once_per_tick(app, second, tg: FakeTelegram, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    await app.services.alerts.create_rule(
        user_id=alice.id,
        channel_id=channel.id,
        kind=AlertKind.POSTING_GAP,
        thresholds=AlertThresholds(hours=1),
    )
    clock.advance(hours=2)  # no post for two hours

    await run_job_in_both(app, second, "alert_evaluation")
    for process in (app, second):
        await process.services.alert_delivery.deliver_due()
    clock.advance(minutes=app.app.settings.alert_check_minutes)
    await run_job_in_both(app, second, "alert_evaluation")

    alerts = [text for text in tg.texts_to(alice) if "🔔" in text]
    assert len(alerts) == 1 and "Posting gap" in alerts[0]


async def test_a_plan_runs_out_once_per_tick(app, second, tg: FakeTelegram, clock) -> None:
    alice = await started(tg)
    await on_plan(app, alice, "pro", days=1)
    clock.advance(days=1, minutes=1)

    await run_job_in_both(app, second, "end_expired_plans")
    clock.advance(minutes=10)
    await run_job_in_both(app, second, "end_expired_plans")

    assert sum("plan has ended" in text for text in tg.texts_to(alice)) == 1


async def test_updates_answered_by_either_process_are_stored_before_the_answer(
    app, second, tg: FakeTelegram, db
) -> None:
    _, channel = await owner_with_channel(tg)

    # No flush: were either process killed now, nothing it answered would be lost.
    for number in range(4):
        await tg.post(channel, f"Post {number}")
    await tg.join(channel, count=4)

    targets = {url for url, _, status in tg.webhook_deliveries[-8:] if status == 200}
    assert targets == {app.webhook_address, second.webhook_address}
    assert await db.fetchval("SELECT count(*) FROM posts") == 4
    assert await db.fetchval("SELECT count(*) FROM subscriber_events") == 4


async def test_previews_are_fetched_once_per_tick(
    app, second, tg: FakeTelegram, preview: FakePreview
) -> None:
    alice = await started(tg)
    await on_plan(app, alice, "pro")
    usernames = [f"channel{n}" for n in range(4)]
    for username in usernames:
        preview.channel(username)
        await tracked_channel(tg, alice, username.title(), username)

    await asyncio.gather(
        *(process.app.scheduler.get_job("post_views").func() for process in (app, second))
    )

    assert {username: preview.asked(username) for username in usernames} == dict.fromkeys(
        usernames, 1
    )
