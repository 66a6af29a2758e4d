"""Stripe's webhooks over real HTTP with real signatures: each event type changes what is
stored as Stripe means it, refused ones change nothing, and events count once, in any order."""

import json
import time
from datetime import timedelta

import pytest
from fake_stripe import PRICE_BUSINESS, WEBHOOK_SECRET, FakeStripe
from fake_telegram import FakeTelegram
from helpers import english_day, open_card_checkout, subscribe_by_card

_TABLES = (
    "processed_stripe_events",
    "stripe_customers",
    "stripe_subscriptions",
    "payments",
    "user_plans",
)


async def _counts(db) -> dict[str, int]:
    return {table: await db.fetchval(f"SELECT count(*) FROM {table}") for table in _TABLES}


async def _plan(db, user) -> dict | None:
    row = await db.fetchrow(
        "SELECT plan_code, source, expires_at, renews FROM user_plans WHERE user_id = $1", user.id
    )
    return dict(row) if row else None


def _period_end(subscription: dict) -> int:
    return subscription["items"]["data"][0]["current_period_end"]


async def _alices_subscription(tg: FakeTelegram, stripe_api: FakeStripe, **fields):
    """Alice opened checkout once, so Stripe knows her as a customer, and Stripe has made a
    subscription of hers (with `fields`) that no event has announced yet."""
    alice = tg.user("Alice")
    customer = (await open_card_checkout(tg, stripe_api, alice))["customer"]
    metadata = {"user_id": str(alice.id)}
    return alice, stripe_api.subscription(customer=customer, metadata=metadata, **fields)


async def _alices_renewal_a_month_later(tg, stripe_api: FakeStripe, clock):
    """Alice subscribes by card; a month on, Stripe's renewal events, not yet delivered."""
    alice = tg.user("Alice")
    subscription = await subscribe_by_card(tg, stripe_api, alice)
    clock.advance(days=30)
    return alice, stripe_api.renew(subscription["id"])


async def test_subscription_created_starts_the_plan_and_its_first_invoice_is_stored(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db
) -> None:
    alice, subscription = await _alices_subscription(tg, stripe_api)
    invoice = stripe_api.invoice(
        subscription["id"], paid=True, billing_reason="subscription_create"
    )

    assert (
        await stripe_api.deliver(stripe_api.event("customer.subscription.created", subscription))
        == 200
    )
    assert await stripe_api.deliver(stripe_api.event("invoice.paid", invoice)) == 200

    stored = await db.fetchrow(
        "SELECT user_id, plan_code, status, cancel_at_period_end, "
        "extract(epoch FROM current_period_end)::bigint AS period_end "
        "FROM stripe_subscriptions WHERE id = $1",
        subscription["id"],
    )
    assert dict(stored) == {
        "user_id": alice.id,
        "plan_code": "pro",
        "status": "active",
        "cancel_at_period_end": False,
        "period_end": _period_end(subscription),
    }
    plan = await _plan(db, alice)
    assert (plan["plan_code"], plan["source"], plan["renews"]) == ("pro", "stripe", True)
    assert int(plan["expires_at"].timestamp()) == _period_end(subscription)
    payment = await db.fetchrow("SELECT rail, external_id, amount, currency, status FROM payments")
    assert dict(payment) == {
        "rail": "stripe",
        "external_id": invoice["id"],
        "amount": 900,
        "currency": "usd",
        "status": "paid",
    }
    texts = tg.texts_to(alice)
    assert "Welcome to <b>Pro</b>" in texts[-1]
    assert not any("renewed" in text for text in texts)


async def test_paid_renewal_moves_the_plan_on_and_says_so(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db, clock
) -> None:
    alice, (updated, paid) = await _alices_renewal_a_month_later(tg, stripe_api, clock)

    # The invoice alone moves the period on, even before the subscription's own event.
    assert await stripe_api.deliver(paid) == 200

    new_end = _period_end(updated["data"]["object"])
    plan = await _plan(db, alice)
    assert int(plan["expires_at"].timestamp()) == new_end
    assert await db.fetchval("SELECT count(*) FROM payments WHERE status = 'paid'") == 2
    renewed = tg.texts_to(alice)[-1]
    assert "🔁 <b>Pro</b> renewed" in renewed
    assert f"Next renewal on {english_day(plan['expires_at'])}" in renewed

    assert await stripe_api.deliver(updated) == 200
    assert int((await _plan(db, alice))["expires_at"].timestamp()) == new_end
    assert tg.texts_to(alice)[-1] == renewed


async def test_failed_renewal_warns_keeps_the_plan_and_the_end_is_announced(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db, clock
) -> None:
    alice = tg.user("Alice")
    subscription = await subscribe_by_card(tg, stripe_api, alice)
    clock.advance(days=30)

    assert await stripe_api.deliver_all(stripe_api.fail_renewal(subscription["id"])) == [200, 200]

    warning = tg.texts_to(alice)[-1]
    assert "I couldn't renew <b>Pro</b>: the card payment failed" in warning
    assert "/billing" in warning
    failed = await db.fetchrow("SELECT amount, status FROM payments WHERE status = 'failed'")
    assert dict(failed) == {"amount": 900, "status": "failed"}
    assert (
        await db.fetchval(
            "SELECT status FROM stripe_subscriptions WHERE id = $1", subscription["id"]
        )
        == "past_due"
    )
    assert (await _plan(db, alice))["plan_code"] == "pro"  # while Stripe retries

    assert await stripe_api.deliver_all(
        stripe_api.end(subscription["id"], reason="payment_failed")
    ) == [200]

    assert "Your <b>Pro</b> plan has ended" in tg.texts_to(alice)[-1]
    assert await _plan(db, alice) is None
    assert (
        await db.fetchval(
            "SELECT status FROM stripe_subscriptions WHERE id = $1", subscription["id"]
        )
        == "canceled"
    )
    assert "<b>Your plan: Free</b>" in await tg.ask(alice, "/plan")


@pytest.mark.parametrize(
    ("change", "plan_code", "renews", "told"),
    [
        pytest.param(
            lambda s: s["items"]["data"][0]["price"].update(id=PRICE_BUSINESS),
            "business",
            True,
            "Welcome to <b>Business</b>",
            id="plan-changed",
        ),
        pytest.param(
            lambda s: s.update(cancel_at_period_end=True, cancel_at=_period_end(s)),
            "pro",
            False,
            "<b>Pro</b> won't renew: it stays active until",
            id="cancelled",
        ),
    ],
)
async def test_changes_made_in_the_billing_portal_reach_the_plan(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db, clock, change, plan_code, renews, told
) -> None:
    alice = tg.user("Alice")
    subscription = await subscribe_by_card(tg, stripe_api, alice)
    clock.advance(minutes=5)
    stored = stripe_api.subscriptions[subscription["id"]]
    change(stored)

    event = stripe_api.event("customer.subscription.updated", stored)
    assert await stripe_api.deliver(event) == 200

    plan = await _plan(db, alice)
    assert (plan["plan_code"], plan["renews"]) == (plan_code, renews)
    assert told in tg.texts_to(alice)[-1]


def _signed(payload: str, secret: str = WEBHOOK_SECRET, age: int = 0) -> dict[str, str]:
    return {
        "Stripe-Signature": FakeStripe.signature(
            payload, secret=secret, timestamp=int(time.time()) - age
        )
    }


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda payload: {}, id="no-signature"),
        pytest.param(
            lambda payload: {"Stripe-Signature": f"t={int(time.time())},v1={'0' * 64}"},
            id="forged-signature",
        ),
        pytest.param(
            lambda payload: _signed(payload, secret="whsec_someone_else"), id="wrong-secret"
        ),
        pytest.param(lambda payload: _signed(payload, age=301), id="stale-timestamp"),
        pytest.param(lambda payload: {"Stripe-Signature": "garbage"}, id="unreadable-header"),
    ],
)
async def test_unverifiable_webhooks_are_refused_and_change_nothing(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db, mangle
) -> None:
    alice, subscription = await _alices_subscription(tg, stripe_api)
    before, told = await _counts(db), len(tg.texts_to(alice))
    payload = json.dumps(stripe_api.event("customer.subscription.created", subscription))

    assert await stripe_api.post_webhook(payload.encode(), mangle(payload)) == 400

    assert await _counts(db) == before
    assert len(tg.texts_to(alice)) == told


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('{"object": "event"}', id="not-an-event"),
        pytest.param('{"id": "evt_1", "type": "x", "created": 1, "data": []}', id="no-object"),
        pytest.param("\udcff", id="not-utf8"),
    ],
)
async def test_malformed_bodies_are_refused_even_when_signed(
    app, stripe_api: FakeStripe, db, payload: str
) -> None:
    body = payload.encode("utf-8", "surrogateescape")
    signature = FakeStripe.signature(body.decode("utf-8", "replace"))

    assert await stripe_api.post_webhook(body, {"Stripe-Signature": signature}) == 400

    assert set((await _counts(db)).values()) == {0}


async def test_a_signed_event_of_an_unexpected_shape_is_refused_whole(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db
) -> None:
    _, subscription = await _alices_subscription(tg, stripe_api)
    del subscription["items"]
    before = await _counts(db)

    event = stripe_api.event("customer.subscription.created", subscription)
    assert await stripe_api.deliver(event) == 400
    assert await _counts(db) == before


async def test_the_same_event_twice_is_processed_once(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db, clock
) -> None:
    alice, (_, paid) = await _alices_renewal_a_month_later(tg, stripe_api, clock)

    assert await stripe_api.deliver(paid) == 200
    assert await stripe_api.deliver(paid) == 200  # Stripe retries when it missed our answer

    assert sum("renewed" in text for text in tg.texts_to(alice)) == 1
    assert await db.fetchval("SELECT count(*) FROM payments") == 2
    assert (
        await db.fetchval("SELECT count(*) FROM processed_stripe_events WHERE id = $1", paid["id"])
        == 1
    )


async def test_events_out_of_order_end_in_stripes_latest_state(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db, clock
) -> None:
    alice, subscription = await _alices_subscription(tg, stripe_api)
    created = stripe_api.event("customer.subscription.created", subscription)
    clock.advance(seconds=40)
    stored = stripe_api.subscriptions[subscription["id"]]
    stored.update(cancel_at_period_end=True, cancel_at=_period_end(stored))
    updated = stripe_api.event("customer.subscription.updated", stored)

    assert await stripe_api.deliver(updated) == 200
    assert await stripe_api.deliver(created) == 200  # older: must not undo the cancellation

    row = await db.fetchrow(
        "SELECT status, cancel_at_period_end FROM stripe_subscriptions WHERE id = $1",
        subscription["id"],
    )
    assert dict(row) == {"status": "active", "cancel_at_period_end": True}
    plan = await _plan(db, alice)
    assert (plan["plan_code"], plan["renews"]) == ("pro", False)
    assert sum("Welcome to <b>Pro</b>" in text for text in tg.texts_to(alice)) == 1

    clock.advance(days=30)
    [deleted] = stripe_api.end(subscription["id"])
    assert await stripe_api.deliver(deleted) == 200
    assert await stripe_api.deliver(updated) == 200  # a late retry of the older update
    assert await _plan(db, alice) is None
    assert (
        await db.fetchval(
            "SELECT status FROM stripe_subscriptions WHERE id = $1", subscription["id"]
        )
        == "canceled"
    )


async def test_updated_and_created_in_the_same_second_keep_the_update(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db
) -> None:
    alice, subscription = await _alices_subscription(tg, stripe_api, status="incomplete")
    created = stripe_api.event("customer.subscription.created", subscription)
    stripe_api.subscriptions[subscription["id"]]["status"] = "active"
    updated = stripe_api.event(
        "customer.subscription.updated", stripe_api.subscriptions[subscription["id"]]
    )
    assert created["created"] == updated["created"]

    assert await stripe_api.deliver(updated) == 200
    assert await stripe_api.deliver(created) == 200

    assert (await _plan(db, alice))["plan_code"] == "pro"
    assert "Welcome to <b>Pro</b>" in tg.texts_to(alice)[-1]


async def test_unknown_event_types_are_acknowledged_and_ignored(
    app, stripe_api: FakeStripe, db
) -> None:
    event = stripe_api.event("customer.created", {"id": "cus_1", "object": "customer"})
    assert await stripe_api.deliver(event) == 200
    assert set((await _counts(db)).values()) == {0}


async def test_a_better_plan_from_elsewhere_is_not_replaced_by_stripe(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db, clock
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    until = clock.now() + timedelta(days=90)
    await db.execute(
        "INSERT INTO user_plans (user_id, plan_code, source, expires_at) "
        "VALUES ($1, 'business', 'admin', $2)",
        alice.id,
        until,
    )

    subscription = await subscribe_by_card(tg, stripe_api, alice)
    assert (await _plan(db, alice))["plan_code"] == "business"

    assert await stripe_api.deliver_all(stripe_api.end(subscription["id"])) == [200]
    assert (await _plan(db, alice))["plan_code"] == "business"
    # Pro neither started nor ended for Alice: she had Business all along.
    texts = tg.texts_to(alice)
    assert not any("Welcome to" in text or "has ended" in text for text in texts)
