"""/plan, and a limit met in chat: the limit named, an Upgrade button, lifted at once.

Buying through the Upgrade button: tests/bot/test_billing_stripe.py and test_billing_stars.py.
"""

import pytest
from fake_telegram import FakeTelegram
from stories import on_plan, owner_of


async def test_plan_shows_usage_against_each_limit(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    await tg.add_bot_to_channel(tg.channel("One", "onechan", owner=alice), by=alice)

    await tg.send_text(alice, "/plan")

    reply = tg.last_to(alice, "sendMessage")
    assert "<b>Your plan: Free</b>" in reply.text
    assert "channels tracked: 1 of 3" in reply.text
    assert "CSV exports a day: 0 of 3" in reply.text
    offer = await tg.choose(alice, reply, "Upgrade")
    assert "<b>Pro</b>: 450 ⭐ for 30 days" in offer.text
    assert "<b>Business</b>: 1,450 ⭐ for 30 days" in offer.text
    offer.button("⭐ Pro")


async def test_plans_offer_only_what_the_bot_does(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/plan")
    await tg.send_text(alice, "/subscribe")

    status, offer = tg.texts_to(alice)[-2:]
    assert "CSV exports a day" in status
    assert "watermarks a day" in offer
    # What /insights counts, each plan's allowance of it.
    assert "AI insights a month: 0 of 10" in status
    assert "200 AI insights a month" in offer


@pytest.mark.settings(feature_billing=False)
async def test_without_billing_the_upgrade_button_shows_the_plans(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/plan")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Upgrade")
    overview = tg.texts_to(alice)[-1]
    assert "<b>Pro</b> ($9 a month)" in overview
    assert "<b>Business</b>" in overview
    assert "I don't know the command /subscribe" in await tg.ask(alice, "/subscribe")


async def test_channel_limit_is_named_and_lifted_by_an_upgrade(app, tg, db) -> None:
    alice = await owner_of(tg, "chan0", "chan1", "chan2")
    fourth = tg.channel("Fourth", "fourthchan", owner=alice)
    fourth.bot_status = "administrator"

    await tg.send_text(alice, "/add @fourthchan")

    refusal = tg.last_to(alice, "sendMessage")
    assert refusal.text == "🔒 Your Free plan allows 3 channels tracked. Upgrade to get more."
    refusal.button("Upgrade")
    assert await db.fetchval("SELECT count(*) FROM channels WHERE id = $1", fourth.id) == 0

    await on_plan(app, alice, "pro")
    assert "Now tracking <b>Fourth</b>" in await tg.ask(alice, "/add @fourthchan")


async def test_adding_the_bot_past_the_limit_tells_the_owner(app, tg, db) -> None:
    alice = await owner_of(tg, "chan0", "chan1", "chan2")

    fourth = tg.channel("Fourth", "fourthchan", owner=alice)
    await tg.add_bot_to_channel(fourth, by=alice)

    assert "allows 3 channels tracked" in tg.texts_to(alice)[-1]
    assert await db.fetchval("SELECT count(*) FROM channels WHERE id = $1", fourth.id) == 0
