"""Alerts through the fake Telegram: the wizard, the buttons, delivery, limits and restarts."""

import asyncio
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fake_telegram import FakeChannel, FakeTelegram, FakeUser
from helpers import ManualClock
from stories import owner_with_channel, views_alert_fired

from bot.callbacks import StatsAction, StatsCb
from db.alerts.evaluation import AlertEvaluationRepository
from db.alerts.outbox import AlertOutboxRepository
from db.alerts.rules import AlertRulesRepository
from services.alert_delivery import CLAIM_LEASE
from services.domain.alerts import AlertKind, AlertThresholds

DROP_OF_THREE = AlertThresholds(amount=3, hours=1)


async def drop_rule(app, owner: FakeUser, channel: FakeChannel) -> int:
    rule = await app.services.alerts.create_rule(
        user_id=owner.id,
        channel_id=channel.id,
        kind=AlertKind.SUBSCRIBER_DROP,
        thresholds=DROP_OF_THREE,
    )
    return rule.id


async def lose_three(app, tg: FakeTelegram, channel: FakeChannel, clock: ManualClock) -> None:
    """Three subscribers leave; ingestion writes them and checks the rules at once."""
    await tg.leave(channel, count=3, date=clock.now())
    await app.services.ingestion.flush()
    await app.services.alert_delivery.deliver_due()  # returns once the round is over


def alerts_to(tg: FakeTelegram, user: FakeUser, *, ok: bool = True) -> list:
    return [
        call
        for call in tg.sent("sendMessage", chat_id=user)
        if "🔔" in (call.text or "") and (call.ok or not ok)
    ]


async def firing_rows(db) -> list[dict]:
    rows = await db.fetch(
        "SELECT sent_at, dropped_at, drop_reason, deliver_after FROM alert_firings ORDER BY id"
    )
    return [dict(row) for row in rows]


async def test_wizard_creates_a_rule_and_explains_a_wrong_threshold(app, tg, db) -> None:
    alice, channel = await owner_with_channel(tg)
    listing = await tg.reply_to(alice, "/alerts")
    assert "You have no alerts yet" in listing.text

    kinds = await tg.choose(alice, listing, "Add alert")
    assert "📉 <b>Subscriber drop</b>: the channel loses" in kinds.text
    assert "💤 <b>Posting gap</b>: no new post for a number of hours" in kinds.text
    question = await tg.choose(alice, kinds, "Subscriber drop")
    assert "How big a loss?" in question.text and "step 1 of 2" in question.text

    await tg.send_text(alice, "a lot")
    assert tg.texts_to(alice)[-1] == (
        "⚠️ That doesn't work here. Send a share up to 100%, or a whole number from 1 to "
        "10,000,000, for example <code>5%</code>."
    )
    question = await tg.reply_to(alice, "5% or 100")
    assert "Within how many hours?" in question.text and "step 2 of 2" in question.text
    await tg.press_button(alice, question, "Use 24")

    assert "✅ Alert set for <b>Cooking Daily</b>" in tg.texts_to(alice)[-1]
    row = await db.fetchrow(
        "SELECT owner_id, channel_id, kind, amount, percent, hours FROM alert_rules"
    )
    assert dict(row) == {
        "owner_id": alice.id,
        "channel_id": channel.id,
        "kind": "subscriber_drop",
        "amount": 100,
        "percent": 5,
        "hours": 24,
    }
    assert "1. 📉 Subscriber drop: lose 5% or 100 subscribers within 24 h" in await tg.ask(
        alice, "/alerts"
    )


async def test_a_half_finished_wizard_survives_a_restart(app, tg, db) -> None:
    alice, _ = await owner_with_channel(tg)
    second = tg.channel("Second", "secondchan", owner=alice)
    await tg.add_bot_to_channel(second, by=alice)
    await tg.send_text(alice, "/alerts")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Add alert")
    choice = await tg.choose(alice, tg.last_to(alice, "sendMessage"), "Milestone")
    assert choice.text == "Which channel should I watch?"
    await tg.press_button(alice, choice, "@secondchan")
    assert "Which subscriber count?" in tg.texts_to(alice)[-1]

    await app.restart()
    await tg.send_text(alice, "10k")

    assert "✅ Alert set for <b>Second</b>" in tg.texts_to(alice)[-1]
    row = await db.fetchrow("SELECT channel_id, kind, amount FROM alert_rules")
    assert dict(row) == {"channel_id": second.id, "kind": "milestone", "amount": 10_000}


async def test_pause_resume_and_delete_from_the_list(app, tg, db) -> None:
    alice, channel = await owner_with_channel(tg)
    first = await drop_rule(app, alice, channel)
    await app.services.alerts.create_rule(
        user_id=alice.id,
        channel_id=channel.id,
        kind=AlertKind.POSTING_GAP,
        thresholds=AlertThresholds(hours=48),
    )
    listing = await tg.reply_to(alice, "/alerts")

    await tg.press_button(alice, listing, "Pause 1")
    assert (
        "1. 📉 Subscriber drop: lose 3 subscribers within 1 h · ⏸ paused" in tg.texts_to(alice)[-1]
    )
    assert await db.fetchval("SELECT paused FROM alert_rules WHERE id = $1", first)

    await tg.press_button(alice, listing, "Resume 1")
    assert "paused" not in tg.texts_to(alice)[-1]
    assert not await db.fetchval("SELECT paused FROM alert_rules WHERE id = $1", first)

    await tg.press_button(alice, listing, "Delete 2")
    assert "Posting gap" not in tg.texts_to(alice)[-1]
    assert await db.fetchval("SELECT array_agg(id) FROM alert_rules") == [first]


async def test_an_alert_arrives_with_numbers_link_and_buttons_and_mutes(app, tg, db, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    rule_id = await drop_rule(app, alice, channel)

    await lose_three(app, tg, channel, clock)

    (alert,) = alerts_to(tg, alice)
    assert alert.plain_text == (
        "🔔 📉 Subscriber drop in Cooking Daily\n"
        "Lost 3 subscribers (0.2%) in the last 1 h: 0 joined, 3 left.\nOpen the channel"
    )
    assert '<a href="https://t.me/cookingdaily">' in alert.text
    stats = StatsCb(action=StatsAction.PERIOD, channel_id=channel.id, days=7).pack()
    assert alert.button("View stats")["callback_data"] == stats

    query = await tg.press_button(alice, alert, "Mute 24 h")
    assert tg.callback_answer(query)["text"] == "🔕 Muted for 24 hours."
    muted_until = await db.fetchval("SELECT muted_until FROM alert_rules WHERE id = $1", rule_id)
    assert muted_until == clock.now() + timedelta(hours=24)

    clock.advance(hours=2)  # past the cooldown: only the mute keeps it quiet
    await lose_three(app, tg, channel, clock)
    assert len(alerts_to(tg, alice)) == 1
    assert len(await firing_rows(db)) == 1


async def test_ingestion_checks_rules_at_once_without_the_scheduler(app, tg, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    await drop_rule(app, alice, channel)
    mark = tg.mark()

    await tg.leave(channel, count=3, date=clock.now())
    await app.services.ingestion.flush()

    alert = await tg.wait_for("sendMessage", chat_id=alice, predicate=lambda c: c.ok, after=mark)
    assert "Lost <b>3</b> subscribers" in alert.text
    job = app.app.scheduler.get_job("alert_evaluation")
    assert job is not None and job.trigger.interval == timedelta(minutes=1)


async def test_collected_views_are_checked_at_once_and_the_alert_links_the_post(
    app, tg, db, clock
) -> None:
    alice, channel = await owner_with_channel(tg)
    post_id = await views_alert_fired(
        app, tg, db, clock, alice, channel, "Soup of the day", views=1234, after=timedelta(hours=2)
    )

    (alert,) = alerts_to(tg, alice)
    assert "A post reached <b>1,234</b> views 2 h 0 min after publishing" in alert.text
    assert f'<a href="https://t.me/cookingdaily/{post_id}">Open the post</a>' in alert.text


async def test_a_private_channels_alert_has_no_link(app, tg, clock) -> None:
    alice, channel = await owner_with_channel(tg, username=None)
    await drop_rule(app, alice, channel)

    await lose_three(app, tg, channel, clock)

    (alert,) = alerts_to(tg, alice)
    assert "Lost <b>3</b> subscribers" in alert.text and "<a href" not in alert.text


async def test_test_button_and_history(app, tg, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    await drop_rule(app, alice, channel)
    await tg.send_text(alice, "/alerts")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Test 1")

    sample = tg.last_to(alice, "sendMessage")
    assert sample.text.startswith("🧪 <b>Test alert</b>")
    assert "📉 Subscriber drop</b> in <b>Cooking Daily</b>" in sample.text

    await lose_three(app, tg, channel, clock)
    await tg.send_text(alice, "/alerts history")
    history = tg.texts_to(alice)[-1]
    assert "📜 <b>Last alerts</b>" in history
    assert "Lost <b>3</b> subscribers (0.2%) in the last 1 h" in history


async def test_a_429_is_retried_after_its_retry_after(app, tg, db, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    await drop_rule(app, alice, channel)
    tg.fail_next("sendMessage", error_code=429, retry_after=5, chat_id=alice)

    await lose_three(app, tg, channel, clock)

    attempts = alerts_to(tg, alice, ok=False)
    assert [call.error["error_code"] if call.error else "ok" for call in attempts] == [429, "ok"]
    # The queue waited retry_after on its clock; the session's own retry stood aside.
    assert any(seconds == pytest.approx(5) for seconds in clock.slept)
    assert [row["sent_at"] is not None for row in await firing_rows(db)] == [True]


async def test_a_403_pauses_that_users_alerts_only(app, tg, db, clock) -> None:
    alice, alices_channel = await owner_with_channel(tg)
    bob, bobs_channel = await owner_with_channel(tg, "Bob", "Bob's Garden", "bobsgarden")
    await drop_rule(app, alice, alices_channel)
    await drop_rule(app, bob, bobs_channel)
    tg.block_bot(alice)

    await lose_three(app, tg, alices_channel, clock)
    await lose_three(app, tg, bobs_channel, clock)

    assert [call.error["error_code"] for call in alerts_to(tg, alice, ok=False)] == [403]
    assert len(alerts_to(tg, bob)) == 1
    paused = await db.fetch("SELECT owner_id, paused FROM alert_rules ORDER BY owner_id")
    assert [(r["owner_id"], r["paused"]) for r in paused] == [(alice.id, True), (bob.id, False)]
    assert (await firing_rows(db))[0]["drop_reason"] == "blocked"

    clock.advance(hours=2)
    await lose_three(app, tg, alices_channel, clock)
    assert len(alerts_to(tg, alice, ok=False)) == 1  # no more tries while paused

    await tg.send_text(alice, "/alerts")  # writing to the bot unblocks it
    assert "· ⏸ paused" in tg.texts_to(alice)[-1]


async def set_berlin_night_quiet_hours(tg: FakeTelegram, user: FakeUser) -> None:
    settings = await tg.reply_to(user, "/settings")
    await tg.press_button(user, settings, "Time zone")
    assert "I don't know that time zone" in await tg.ask(user, "Atlantis")
    await tg.send_text(user, "berlin")
    assert tg.texts_to(user)[-1] == "✅ Time zone set to <b>Europe/Berlin</b>. See /settings."
    await tg.press_button(user, settings, "Quiet hours")
    assert "Quiet hours set to <b>22:00–07:00</b>" in await tg.ask(user, "22:00-07:00")


def move_to_berlin(clock: ManualClock, at: time) -> datetime:
    """Advance the clock to the next `at` in Berlin; returns that moment."""
    berlin = ZoneInfo("Europe/Berlin")
    local = clock.now().astimezone(berlin)
    target = datetime.combine(local.date(), at, tzinfo=berlin)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=berlin)
    clock.advance(seconds=(target - clock.now()).total_seconds())
    return target


@pytest.mark.settings(throttle_burst=20)
async def test_quiet_hours_hold_an_alert_until_they_end(app, tg, db, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    await set_berlin_night_quiet_hours(tg, alice)
    move_to_berlin(clock, time(23))
    await drop_rule(app, alice, channel)

    await lose_three(app, tg, channel, clock)

    assert alerts_to(tg, alice) == []
    morning = move_to_berlin(clock, time(7))
    assert [row["deliver_after"] for row in await firing_rows(db)] == [morning]
    await app.services.alert_delivery.deliver_due()
    assert len(alerts_to(tg, alice)) == 1


@pytest.mark.settings(throttle_burst=20)
async def test_a_restart_between_evaluation_and_delivery_neither_loses_nor_repeats(
    app, tg, db, clock
) -> None:
    alice, channel = await owner_with_channel(tg)
    await set_berlin_night_quiet_hours(tg, alice)
    move_to_berlin(clock, time(23))
    await drop_rule(app, alice, channel)
    await lose_three(app, tg, channel, clock)  # evaluated, stored, held for the morning

    await app.restart()
    move_to_berlin(clock, time(7))
    await app.services.alert_delivery.deliver_due()
    assert await app.services.alerts.evaluate() == 0
    await app.services.alert_delivery.deliver_due()

    assert len(alerts_to(tg, alice)) == 1
    assert [row["sent_at"] is not None for row in await firing_rows(db)] == [True]


async def test_alerts_of_a_process_that_died_mid_delivery_are_sent_once(app, tg, db, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    await drop_rule(app, alice, channel)
    await db.execute(
        "INSERT INTO subscriber_events (channel_id, occurred_at, kind) "
        "SELECT $1, $2, 'leave' FROM generate_series(1, 3)",
        channel.id,
        clock.now(),
    )
    # Another process evaluated, claimed the firing, and died before sending it.
    evaluation = AlertEvaluationRepository(db)
    assert await evaluation.evaluate(now=clock.now(), kinds=list(AlertKind), channel_ids=None) == 1
    lease_until = clock.now() + CLAIM_LEASE
    outbox = AlertOutboxRepository(db)
    assert len(await outbox.claim_due(now=clock.now(), lease_until=lease_until, limit=10)) == 1

    await app.services.alert_delivery.deliver_due()
    assert alerts_to(tg, alice) == []  # its lease still stands

    clock.advance(seconds=CLAIM_LEASE.total_seconds() + 1)
    await app.services.alert_delivery.deliver_due()
    await app.services.alert_delivery.deliver_due()
    assert len(alerts_to(tg, alice)) == 1


async def test_two_processes_deliver_each_alert_once(app, tg, db, clock, another_bot) -> None:
    alice, channel = await owner_with_channel(tg)
    rules = AlertRulesRepository(db)
    for hours in range(1, 13):
        await rules.create_rule(
            owner_id=alice.id,
            channel_id=channel.id,
            kind=AlertKind.POSTING_GAP,
            thresholds=AlertThresholds(hours=hours),
            created_at=clock.now() - timedelta(hours=13),
        )
    evaluation = AlertEvaluationRepository(db)
    assert await evaluation.evaluate(now=clock.now(), kinds=list(AlertKind), channel_ids=None) == 12
    other_process = await another_bot()

    sent = await asyncio.gather(
        app.services.alert_delivery.deliver_due(),
        other_process.services.alert_delivery.deliver_due(),
    )

    texts = [call.text for call in alerts_to(tg, alice)]
    hours = sorted(int(re.search(r"No new post for <b>(\d+) h", text)[1]) for text in texts)
    assert hours == list(range(1, 13))
    assert sum(sent) == 12
    assert all(row["sent_at"] is not None for row in await firing_rows(db))


async def test_the_plan_limits_the_number_of_rules(app, tg) -> None:
    alice, channel = await owner_with_channel(tg)
    for _ in range(3):
        await drop_rule(app, alice, channel)

    await tg.send_text(alice, "/alerts")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Add alert")

    assert "Your Free plan allows 3 alert rules" in tg.texts_to(alice)[-1]


@pytest.mark.settings(feature_alerts=False)
async def test_alerts_can_be_switched_off(app, tg) -> None:
    alice = tg.user("Alice")
    assert "I don't know the command /alerts" in await tg.ask(alice, "/alerts")
    assert app.app.scheduler.get_job("alert_evaluation") is None


def alert_text(call) -> bool:
    return call.ok and "🔔" in (call.text or "")


async def next_alert(tg: FakeTelegram, owner: FakeUser, *, after: int):
    """The first alert the bot sends the owner after the mark, waited for as long as 10 s."""
    return await tg.wait_for(
        "sendMessage", chat_id=owner, predicate=alert_text, after=after, timeout=10
    )


async def create_rule(app, owner: FakeUser, channel: FakeChannel, kind, thresholds) -> None:
    await app.services.alerts.create_rule(
        user_id=owner.id, channel_id=channel.id, kind=kind, thresholds=thresholds
    )


# The bot's own flusher writes the joins within a second, as in production: no flush by hand.
@pytest.mark.settings(ingest_flush_seconds=1)
async def test_a_milestone_crossed_by_joins_is_announced_within_seconds_once(
    app, tg, db, clock
) -> None:
    alice, channel = await owner_with_channel(tg)  # 1,500 subscribers, counted when added
    await create_rule(app, alice, channel, AlertKind.MILESTONE, AlertThresholds(amount=1510))
    mark = tg.mark()
    clock.advance(seconds=5)

    await tg.join(channel, count=12, date=clock.now())

    alert = await next_alert(tg, alice, after=mark)
    assert alert.plain_text == (
        "🔔 🏁 Milestone in Cooking Daily\n"
        "Reached 1,510 subscribers: now 1,512, before 1,500.\nOpen the channel"
    )

    # A day later (past the cooldown) the scheduled snapshot sees the same crossing: no repeat.
    clock.advance(hours=25)
    await tg.join(channel, count=3, date=clock.now())
    await app.services.ingestion.flush()
    assert await app.services.subscribers.snapshot_all() == 1
    assert await app.services.alerts.evaluate() == 0
    await app.services.alert_delivery.deliver_due()
    assert len(alerts_to(tg, alice)) == 1
    assert await db.fetchval("SELECT count(*) FROM alert_firings") == 1


@pytest.mark.settings(ingest_flush_seconds=1)
async def test_a_drop_of_five_percent_within_an_hour_is_announced_within_seconds_once(
    app, tg, db, clock
) -> None:
    alice, channel = await owner_with_channel(tg)  # 1,500 subscribers, counted when added
    drop = AlertThresholds(percent=5, hours=1)
    await create_rule(app, alice, channel, AlertKind.SUBSCRIBER_DROP, drop)
    mark = tg.mark()
    clock.advance(minutes=20)
    await tg.leave(channel, count=40, date=clock.now())
    await app.services.ingestion.flush()
    clock.advance(minutes=20)

    await tg.leave(channel, count=35, date=clock.now())  # 75 in 40 minutes: 5 %

    alert = await next_alert(tg, alice, after=mark)
    assert alert.plain_text == (
        "🔔 📉 Subscriber drop in Cooking Daily\n"
        "Lost 75 subscribers (5.0%) in the last 1 h: 0 joined, 75 left.\nOpen the channel"
    )

    # The scheduled evaluation and the next snapshot find nothing new to say.
    clock.advance(minutes=5)
    await app.services.subscribers.snapshot_all()
    assert await app.services.alerts.evaluate() == 0
    await app.services.alert_delivery.deliver_due()
    assert len(alerts_to(tg, alice)) == 1
    assert await db.fetchval("SELECT count(*) FROM alert_firings") == 1
