"""Webhook deliveries to a receiver on 127.0.0.1 that verifies each with `standardwebhooks`:
retries keep their webhook-id, a receiver that was down gets everything in order, one that
keeps failing is disabled and its owner told, and a restart loses nothing."""

import asyncio
import itertools

import pytest
from fake_telegram import FakeTelegram
from stories import owner_with_channel, started, webhook_endpoint

pytestmark = pytest.mark.settings(webhook_allow_private_addresses=True)


async def deliver(app) -> int:
    return await app.services.webhook_delivery.deliver_due()


async def retry_until_disabled(app, db, clock) -> None:
    """Deliver, then move the clock to the failing message's next attempt, until the endpoint
    is disabled."""
    for _ in range(100):
        await deliver(app)
        row = await db.fetchrow(
            """
            SELECT m.next_attempt_at, e.disabled_at FROM webhook_messages m
              JOIN webhook_endpoints e ON e.id = m.endpoint_id
             WHERE m.delivered_at IS NULL ORDER BY m.id LIMIT 1
            """
        )
        if row["disabled_at"] is not None:
            return
        clock.advance(seconds=(row["next_attempt_at"] - clock.now()).total_seconds())
    raise AssertionError("the endpoint was never disabled")


async def test_every_delivery_is_signed_the_standard_webhooks_way(
    app, tg: FakeTelegram, receiver, clock
) -> None:
    alice, channel = await owner_with_channel(tg)
    endpoint_id = await webhook_endpoint(app, receiver, alice)

    await app.services.webhooks.send_test(user_id=alice.id, endpoint_id=endpoint_id)
    message_id = await tg.post(channel, "Fresh bread today")
    await app.services.ingestion.flush()
    await deliver(app)

    assert receiver.refused == []
    ping, post = receiver.deliveries
    assert ping.type == "ping" and ping.payload["data"]["endpoint_id"] == endpoint_id
    assert post.type == "post.published"
    assert post.payload["data"] == {
        "channel_id": channel.id,
        "message_id": message_id,
        "posted_at": post.payload["data"]["posted_at"],
        "text": "Fresh bread today",
        "media_kind": None,
    }
    assert post.payload["timestamp"].endswith("Z")
    assert ping.webhook_id != post.webhook_id and ping.webhook_id.startswith("msg_")
    assert post.timestamp == int(clock.now().timestamp())


async def test_a_retry_after_500_carries_the_same_webhook_id(
    app, tg: FakeTelegram, receiver, clock
) -> None:
    alice = await started(tg)
    endpoint_id = await webhook_endpoint(app, receiver, alice)
    receiver.answers.append(500)

    await app.services.webhooks.send_test(user_id=alice.id, endpoint_id=endpoint_id)
    await deliver(app)
    clock.advance(seconds=9)
    await deliver(app)
    assert len(receiver.deliveries) == 1  # the first retry waits WEBHOOK_RETRY_FIRST_SECONDS
    clock.advance(seconds=1)
    await deliver(app)

    first, second = receiver.deliveries
    assert first.webhook_id == second.webhook_id
    assert second.timestamp - first.timestamp == 10
    log = await app.services.webhooks.deliveries(user_id=alice.id, endpoint_id=endpoint_id)
    assert [(a.succeeded, a.status_code, a.error) for a in log] == [
        (True, 200, None),
        (False, 500, "HTTP 500"),
    ]


async def test_a_receiver_that_was_down_gets_everything_in_order_once_back(
    app, tg: FakeTelegram, receiver, clock
) -> None:
    alice, channel = await owner_with_channel(tg)
    await webhook_endpoint(app, receiver, alice, events=["post.published"])
    await receiver.down()

    posted = []
    for n in range(5):
        posted.append(await tg.post(channel, f"Post {n}"))
        await app.services.ingestion.flush()
        await deliver(app)
        clock.advance(minutes=1)
    for _ in range(3):  # retries while it is still down back off: 10 s, 20 s, 40 s, ...
        clock.advance(minutes=10)
        await deliver(app)
    assert receiver.deliveries == []

    await receiver.up()
    clock.advance(hours=1)
    await deliver(app)

    got = [d.payload["data"]["message_id"] for d in receiver.deliveries]
    assert got == posted
    assert len({d.webhook_id for d in receiver.deliveries}) == 5


async def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(
    app, tg: FakeTelegram, db, receiver, clock
) -> None:
    alice = await started(tg)
    endpoint_id = await webhook_endpoint(app, receiver, alice)
    receiver.answers.extend([503] * 1000)

    await app.services.webhooks.send_test(user_id=alice.id, endpoint_id=endpoint_id)
    await retry_until_disabled(app, db, clock)
    mark = tg.mark()
    await app.services.webhook_delivery.tell_owners()

    endpoint = await app.services.webhooks.get(user_id=alice.id, endpoint_id=endpoint_id)
    assert not endpoint.enabled and endpoint.disabled_reason == "HTTP 503"
    # Each retry twice as late as the last, from 10 s up to 8 h, for three days.
    times = [d.timestamp for d in receiver.deliveries]
    waits = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert waits == [10 * 2**n for n in range(12)] + [8 * 3600] * 7
    assert times[-1] - times[0] <= 72 * 3600
    attempts = len(receiver.deliveries)
    notice = (await tg.wait_for("sendMessage", chat_id=alice, after=mark)).text
    assert f"webhook endpoint #{endpoint_id} was disabled" in notice
    assert receiver.url() in notice and "HTTP 503" in notice

    await deliver(app)  # disabled: nothing more is tried, and the owner is told once
    await app.services.webhook_delivery.tell_owners()
    assert len(receiver.deliveries) == attempts
    assert sum("was disabled" in text for text in tg.texts_to(alice)) == 1

    receiver.answers.clear()
    receiver.answers.append(500)  # once more, after Enable: the backoff starts afresh
    await app.services.webhooks.enable(user_id=alice.id, endpoint_id=endpoint_id)
    await deliver(app)
    clock.advance(seconds=10)
    await deliver(app)
    assert len(receiver.deliveries) == attempts + 2
    assert len({d.webhook_id for d in receiver.deliveries}) == 1
    endpoint = await app.services.webhooks.get(user_id=alice.id, endpoint_id=endpoint_id)
    assert endpoint.enabled and endpoint.pending == 0


async def test_a_russian_owner_is_told_in_russian(
    app, tg: FakeTelegram, db, receiver, clock
) -> None:
    boris = await started(tg, "Boris", language_code="ru")
    endpoint_id = await webhook_endpoint(app, receiver, boris)
    await receiver.down()

    await app.services.webhooks.send_test(user_id=boris.id, endpoint_id=endpoint_id)
    await retry_until_disabled(app, db, clock)
    mark = tg.mark()
    await app.services.webhook_delivery.tell_owners()

    notice = (await tg.wait_for("sendMessage", chat_id=boris, after=mark)).text
    assert f"Ваш вебхук #{endpoint_id} отключён" in notice


async def test_a_restart_in_the_middle_of_deliveries_loses_none(
    app, tg: FakeTelegram, receiver, clock
) -> None:
    alice = await started(tg)
    endpoint_id = await webhook_endpoint(app, receiver, alice)
    receiver.delay = 0.05
    for _ in range(20):
        await app.services.webhooks.send_test(user_id=alice.id, endpoint_id=endpoint_id)

    # The bot delivers in the background (woken by the publishes); it stops midway.
    while len(receiver.deliveries) < 3:
        receiver.arrived.clear()
        await asyncio.wait_for(receiver.arrived.wait(), 10)
    await app.restart()
    before_restart = len(receiver.deliveries)
    assert before_restart < 20
    await deliver(app)

    sent = await app.app._pool.fetch("SELECT webhook_id FROM webhook_messages ORDER BY id")
    expected = [row["webhook_id"] for row in sent]
    got = [d.webhook_id for d in receiver.deliveries]
    # At least once, in order: a message cut off by the restart may come twice, in its place.
    assert list(dict.fromkeys(got)) == expected
    assert len(got) - len(expected) <= 1


async def test_deliveries_are_forgotten_after_thirty_days_what_waits_is_kept(
    app, tg: FakeTelegram, db, receiver, clock
) -> None:
    alice = await started(tg)
    endpoint_id = await webhook_endpoint(app, receiver, alice)
    await app.services.webhooks.send_test(user_id=alice.id, endpoint_id=endpoint_id)
    await deliver(app)
    await receiver.down()
    clock.advance(days=31)
    # The clock stays put from the failure on: had its retry come due, the bot's own deliverer
    # (polling every second) could try it again, and log a second failure, before the log is read.
    await app.services.webhooks.send_test(user_id=alice.id, endpoint_id=endpoint_id)
    await deliver(app)  # fails: the receiver is down

    assert await app.services.webhook_delivery.prune() == 1

    log = await app.services.webhooks.deliveries(user_id=alice.id, endpoint_id=endpoint_id)
    assert [(a.event_type, a.succeeded) for a in log] == [("ping", False)]
    assert await db.fetchval("SELECT count(*) FROM webhook_messages") == 1
