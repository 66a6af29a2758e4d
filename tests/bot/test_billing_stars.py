"""Paying in Telegram Stars: an XTR invoice, the pre-checkout answer, the plan starting on the
successful payment, and an admin's refund ending it."""

from datetime import timedelta

import pytest
from fake_telegram import FakeTelegram
from helpers import english_day


async def _buy_with_stars(tg: FakeTelegram, user, plan: str = "Pro") -> str:
    """Through the invoice and Telegram's payment sheet; returns the charge id."""
    await tg.send_text(user, "/subscribe")
    await tg.press_button(user, tg.last_to(user, "sendMessage"), f"⭐ {plan}")
    invoice = tg.last_to(user, "sendInvoice")
    payload, amount = invoice.params["payload"], invoice.params["prices"][0]["amount"]
    query_id = await tg.pre_checkout(user, payload=payload, total_amount=amount)
    assert tg.pre_checkout_answers[query_id] == {"ok": True}
    return await tg.successful_payment(user, payload=payload, total_amount=amount)


async def _plan(db, user) -> dict | None:
    row = await db.fetchrow(
        "SELECT plan_code, source, expires_at FROM user_plans WHERE user_id = $1", user.id
    )
    return dict(row) if row else None


async def test_stars_invoice_checkout_and_payment_start_the_plan(
    app, tg: FakeTelegram, db, clock
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/subscribe")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "⭐ Pro")

    invoice = tg.last_to(alice, "sendInvoice")
    assert invoice.params["currency"] == "XTR"
    assert invoice.params["prices"] == [{"label": "Pro, 30 days", "amount": 450}]
    assert invoice.params["title"] == "AnalyticBot Pro"
    assert not invoice.params.get("provider_token")
    payload = invoice.params["payload"]

    query_id = await tg.pre_checkout(alice, payload=payload, total_amount=450)
    assert tg.pre_checkout_answers[query_id] == {"ok": True}
    assert await _plan(db, alice) is None  # nothing starts before the money arrives

    charge_id = await tg.successful_payment(alice, payload=payload, total_amount=450)

    until = clock.now() + timedelta(days=30)
    assert await _plan(db, alice) == {"plan_code": "pro", "source": "stars", "expires_at": until}
    payment = await db.fetchrow(
        "SELECT user_id, rail, plan_code, amount, currency, status FROM payments "
        "WHERE external_id = $1",
        charge_id,
    )
    assert dict(payment) == {
        "user_id": alice.id,
        "rail": "stars",
        "plan_code": "pro",
        "amount": 450,
        "currency": "XTR",
        "status": "paid",
    }
    assert f"<b>Pro</b> is active until {english_day(until)}" in tg.texts_to(alice)[-1]
    plan = await tg.ask(alice, "/plan")
    assert f"Ends on {english_day(until)} (paid with Telegram Stars)" in plan


async def test_another_30_days_of_the_same_plan_add_up(app, tg: FakeTelegram, db, clock) -> None:
    alice = tg.user("Alice")
    await _buy_with_stars(tg, alice)
    clock.advance(days=10)

    await _buy_with_stars(tg, alice)

    expected = clock.now() + timedelta(days=50)
    assert (await _plan(db, alice))["expires_at"] == expected


# A genuine order of Pro: 30 days for 450 ⭐, paid by the user it names.
PRO_ORDER = {"payload": "plan:pro:{user}", "total_amount": 450, "currency": "XTR"}


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param({"payload": "plan:pro:{other}"}, id="another-users-order"),
        pytest.param({"payload": "plan:gold:{user}"}, id="unknown-plan"),
        pytest.param({"payload": "plan:free:{user}"}, id="free-plan"),
        pytest.param({"payload": "plan:business:{user}"}, id="wrong-amount"),
        pytest.param({"currency": "USD"}, id="wrong-currency"),
        pytest.param({"payload": "something else"}, id="not-our-payload"),
    ],
)
async def test_pre_checkout_refuses_orders_that_do_not_match(
    app, tg: FakeTelegram, db, wrong: dict[str, str]
) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    await tg.send_text(alice, "/start")
    order = PRO_ORDER | wrong

    query_id = await tg.pre_checkout(
        alice,
        payload=order["payload"].format(user=alice.id, other=bob.id),
        total_amount=order["total_amount"],
        currency=order["currency"],
    )

    answer = tg.pre_checkout_answers[query_id]
    assert answer["ok"] is False
    assert "out of date" in answer["error_message"]


@pytest.mark.settings(admin_ids=frozenset({1001}))
async def test_refund_by_an_admin_ends_the_plan(app, tg: FakeTelegram, db) -> None:
    admin, alice = tg.user("Admin"), tg.user("Alice")
    assert admin.id == 1001
    charge_id = await _buy_with_stars(tg, alice)

    await tg.send_text(admin, f"/refund {charge_id}")

    refund = tg.last_to(admin, "sendMessage")
    [call] = tg.sent("refundStarPayment")
    assert call.params == {"user_id": alice.id, "telegram_payment_charge_id": charge_id}
    assert f"Refunded 450 ⭐ to user <code>{alice.id}</code>" in refund.text
    assert await _plan(db, alice) is None
    assert await db.fetchval("SELECT status FROM payments WHERE external_id = $1", charge_id) == (
        "refunded"
    )
    assert "Stars payment for <b>Pro</b> was refunded" in tg.texts_to(alice)[-1]

    assert "refunded already" in await tg.ask(admin, f"/refund {charge_id}")
    assert "No Stars payment has the charge id" in await tg.ask(admin, "/refund stxNoSuchCharge")
    assert "Send <code>/refund" in await tg.ask(admin, "/refund")
    assert len(tg.sent("refundStarPayment")) == 1


async def test_refund_is_not_a_command_for_anyone_else(app, tg: FakeTelegram, db) -> None:
    alice = tg.user("Alice")
    charge_id = await _buy_with_stars(tg, alice)

    await tg.send_text(alice, f"/refund {charge_id}")

    assert "I don't know the command /refund" in tg.texts_to(alice)[-1]
    assert tg.sent("refundStarPayment") == []
    assert (await _plan(db, alice))["plan_code"] == "pro"


async def test_a_refund_telegram_made_itself_ends_the_plan_too(app, tg: FakeTelegram, db) -> None:
    alice = tg.user("Alice")
    charge_id = await _buy_with_stars(tg, alice)
    told = len(tg.texts_to(alice))

    await tg.refunded_payment(alice, charge_id)
    await tg.refunded_payment(alice, charge_id)  # told twice: recorded once

    assert await _plan(db, alice) is None
    assert await db.fetchval("SELECT status FROM payments WHERE external_id = $1", charge_id) == (
        "refunded"
    )
    assert tg.texts_to(alice)[told:] == [
        "↩️ Your Stars payment for <b>Pro</b> was refunded, so the plan has ended."
    ]


@pytest.mark.settings(throttle_burst=1, throttle_rate=0.001)
async def test_a_payment_gets_through_however_busy_the_user_is(app, tg: FakeTelegram, db) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/plan")
    await tg.send_text(alice, "/plan")  # over the burst: dropped with a warning
    assert "Too many requests" in tg.texts_to(alice)[-1]

    await tg.successful_payment(alice, payload=f"plan:pro:{alice.id}", total_amount=450)

    assert (await _plan(db, alice))["plan_code"] == "pro"
