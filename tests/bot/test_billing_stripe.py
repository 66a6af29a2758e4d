"""Paying by card: /subscribe, Stripe Checkout, /cancel and /billing against a fake Stripe API
that the real `stripe` library talks to."""

from datetime import timedelta

import pytest
from fake_stripe import PRICE_BUSINESS, PRICE_PRO, FakeStripe
from fake_telegram import BOT_USERNAME, FakeTelegram
from helpers import english_day, subscribe_by_card
from pydantic import SecretStr


async def test_card_upgrade_opens_checkout_with_the_right_price_customer_and_reference(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db
) -> None:
    alice = tg.user("Alice")
    offer = await tg.reply_to(alice, "/subscribe")
    assert "<b>Pro</b>: $9 a month by card, or 450 ⭐ for 30 days" in offer.text
    assert "<b>Business</b>: $29 a month by card, or 1,450 ⭐ for 30 days" in offer.text

    await tg.press_button(alice, offer, "💳 Pro")

    reply = tg.last_to(alice, "sendMessage")
    assert "Subscribe to <b>Pro</b> for $9 a month" in reply.text
    url = reply.button("Pay $9 a month")["url"]
    [created] = stripe_api.requests_to("POST", "/v1/customers")
    customer_id = next(iter(stripe_api.customers))
    assert created.params["metadata"] == {"user_id": str(alice.id)}
    [checkout] = stripe_api.requests_to("POST", "/v1/checkout/sessions")
    assert checkout.params["mode"] == "subscription"
    assert checkout.params["customer"] == customer_id
    assert checkout.params["client_reference_id"] == str(alice.id)
    assert checkout.params["line_items"] == [{"price": PRICE_PRO, "quantity": "1"}]
    assert checkout.params["metadata"] == {"user_id": str(alice.id), "plan": "pro"}
    assert checkout.params["subscription_data"]["metadata"]["user_id"] == str(alice.id)
    assert checkout.params["success_url"] == f"https://t.me/{BOT_USERNAME}"
    assert stripe_api.session_by_url(url)["customer"] == customer_id
    stored = await db.fetchval(
        "SELECT customer_id FROM stripe_customers WHERE user_id = $1", alice.id
    )
    assert stored == customer_id

    await tg.press_button(alice, offer, "💳 Business")

    assert len(stripe_api.requests_to("POST", "/v1/customers")) == 1
    second = stripe_api.requests_to("POST", "/v1/checkout/sessions")[-1]
    assert second.params["customer"] == customer_id
    assert second.params["line_items"][0]["price"] == PRICE_BUSINESS


async def test_upgrade_button_over_a_limit_leads_to_checkout_and_the_limit_lifts_at_once(
    app, tg: FakeTelegram, stripe_api: FakeStripe, clock
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    for number in range(3):
        await tg.add_bot_to_channel(
            tg.channel(f"C{number}", f"chan{number}", owner=alice), by=alice
        )
    tg.channel("Fourth", "fourthchan", owner=alice).bot_status = "administrator"
    refusal = await tg.reply_to(alice, "/add @fourthchan")
    assert "allows 3 channels tracked" in refusal.text

    offer = await tg.choose(alice, refusal, "Upgrade")
    assert "you're on Free now" in offer.text
    await tg.press_button(alice, offer, "💳 Pro")
    url = tg.last_to(alice, "sendMessage").button("Pay")["url"]
    subscription_created, _invoice_paid, checkout_completed = stripe_api.complete_checkout(
        stripe_api.session_by_url(url)["id"]
    )
    assert await stripe_api.deliver(checkout_completed) == 200
    assert await stripe_api.deliver(subscription_created) == 200

    welcome = [t for t in tg.texts_to(alice) if "Welcome to <b>Pro</b>" in t]
    renewal = english_day(clock.now() + timedelta(days=30))
    assert len(welcome) == 1
    assert f"Next renewal on {renewal}" in welcome[0]
    assert "Now tracking <b>Fourth</b>" in await tg.ask(alice, "/add @fourthchan")
    await tg.send_text(alice, "/plan")
    status = tg.texts_to(alice)[-1]
    assert "<b>Your plan: Pro</b>" in status
    assert f"Renews on {renewal} (paid by card)" in status
    assert "channels tracked: 4 of 10" in status


async def test_cancel_asks_first_then_cancels_at_the_end_of_the_period(
    app, tg: FakeTelegram, stripe_api: FakeStripe, db
) -> None:
    alice = tg.user("Alice")
    subscription = await subscribe_by_card(tg, stripe_api, alice)
    period_end = subscription["items"]["data"][0]["current_period_end"]
    end_date = english_day(await db.fetchval("SELECT to_timestamp($1)::date", period_end))

    confirm = await tg.reply_to(alice, "/cancel")
    assert f"Stop renewing <b>Pro</b>?\n\nIt stays active until {end_date}" in confirm.text
    await tg.press_button(alice, confirm, "Keep my plan")
    assert "Nothing changed" in tg.texts_to(alice)[-1]
    assert stripe_api.requests_to("POST", f"/v1/subscriptions/{subscription['id']}") == []

    await tg.send_text(alice, "/cancel")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Yes, stop renewing")

    [update] = stripe_api.requests_to("POST", f"/v1/subscriptions/{subscription['id']}")
    assert update.params == {"cancel_at_period_end": "true"}
    assert f"<b>Pro</b> won't renew: it stays active until {end_date}" in tg.texts_to(alice)[-1]
    row = await db.fetchrow(
        "SELECT s.cancel_at_period_end, p.renews, p.plan_code FROM stripe_subscriptions s "
        "JOIN user_plans p USING (user_id) WHERE s.id = $1",
        subscription["id"],
    )
    assert dict(row) == {"cancel_at_period_end": True, "renews": False, "plan_code": "pro"}
    assert f"Ends on {end_date} (paid by card)" in await tg.ask(alice, "/plan")

    # Stripe's own event about it follows; the user was told already.
    told = len(tg.texts_to(alice))
    assert await stripe_api.deliver_all(stripe_api.outbox) == [200]
    assert len(tg.texts_to(alice)) == told
    assert f"<b>Pro</b> is already set to end on {end_date}" in await tg.ask(alice, "/cancel")


async def test_paying_by_card_again_leads_to_the_billing_portal(
    app, tg: FakeTelegram, stripe_api: FakeStripe
) -> None:
    alice = tg.user("Alice")
    await subscribe_by_card(tg, stripe_api, alice)

    await tg.send_text(alice, "/subscribe")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "💳 Business")

    assert "You already pay for <b>Pro</b> by card" in tg.texts_to(alice)[-1]
    assert len(stripe_api.requests_to("POST", "/v1/checkout/sessions")) == 1


async def test_cancel_without_a_card_subscription(app, tg: FakeTelegram, stripe_api) -> None:
    alice = tg.user("Alice")
    assert "You have no card subscription to cancel" in await tg.ask(alice, "/cancel")


async def test_billing_answers_with_a_portal_link(
    app, tg: FakeTelegram, stripe_api: FakeStripe
) -> None:
    alice = tg.user("Alice")
    assert "haven't paid by card yet" in await tg.ask(alice, "/billing")
    assert stripe_api.requests_to("POST", "/v1/billing_portal/sessions") == []

    subscription = await subscribe_by_card(tg, stripe_api, alice)
    await tg.send_text(alice, "/billing")

    url = tg.last_to(alice, "sendMessage").button("Open billing portal")["url"]
    [portal] = stripe_api.portal_sessions.values()
    assert url == portal["url"]
    assert url.startswith("https://billing.stripe.com/p/session/")
    [request] = stripe_api.requests_to("POST", "/v1/billing_portal/sessions")
    assert request.params == {
        "customer": subscription["customer"],
        "return_url": f"https://t.me/{BOT_USERNAME}",
    }


@pytest.mark.settings(stripe_secret_key=SecretStr("sk_test_revoked"))
async def test_stripe_refusing_the_bot_gets_a_short_apology(
    app, tg: FakeTelegram, stripe_api: FakeStripe
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/subscribe")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "💳 Pro")
    assert "Card payments are unavailable right now" in tg.texts_to(alice)[-1]


async def test_without_stripe_settings_only_stars_are_offered(
    app, tg: FakeTelegram, stripe_server: FakeStripe
) -> None:
    stripe_server.webhook_url = f"{app.app.web_url}/stripe/webhook"
    assert await stripe_server.post_webhook(b"{}", {}) == 404
    alice = tg.user("Alice")
    offer = await tg.reply_to(alice, "/subscribe")
    assert offer.labels() == ["⭐ Pro · 450 Stars", "⭐ Business · 1,450 Stars"]
    assert "Card payments are not set up" in await tg.ask(alice, "/billing")
