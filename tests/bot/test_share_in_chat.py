"""Share links in chat: /share with its buttons, /shares with Revoke, and the deep link."""

import re
from datetime import timedelta

import aiohttp
import pytest
from fake_telegram import BOT_USERNAME, FakeTelegram
from stories import channel_with_history, on_plan, share

from bot.callbacks import ShareCb, ShareStep
from services.entitlements import LimitReached


async def make_link(tg: FakeTelegram, user, *, period: str, lifetime: str) -> str:
    """Press through /share's buttons; returns the page URL the bot answered with."""
    prompt = await tg.reply_to(user, "/share")
    await tg.press_button(user, prompt, period)
    await tg.press_button(user, tg.last_to(user, "sendMessage"), lifetime)
    answer = tg.texts_to(user)[-1]
    return re.search(r"(http://\S+/r/[A-Za-z0-9_-]{32})\n", answer).group(1)


async def test_share_creates_a_link_for_the_chosen_period_and_lifetime(
    app, tg: FakeTelegram, db, clock
) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    alice = shared.owner

    prompt = await tg.reply_to(alice, "/share")
    assert "Share the report of <b>Cooking Daily</b>" in prompt.text
    assert prompt.labels() == ["7 days", "30 days", "🔒 90 days"]
    lifetimes = await tg.choose(alice, prompt, "30 days")
    assert "<b>Cooking Daily</b>, last 30 days" in lifetimes.text
    assert lifetimes.labels() == ["1 hour", "24 hours", "7 days", "🔒 30 days", "🔒 No expiry"]
    await tg.press_button(alice, lifetimes, "7 days")

    answer = tg.texts_to(alice)[-1]
    assert "Share link for <b>Cooking Daily</b>, last 30 days" in answer
    expires = clock.now() + timedelta(days=7)
    assert f"until {expires:%Y-%m-%d %H:%M} UTC" in answer
    url = re.search(r"(http://\S+/r/([A-Za-z0-9_-]{32}))\n", answer)
    assert f"https://t.me/{BOT_USERNAME}?start=r_{url.group(2)}" in answer
    row = await db.fetchrow("SELECT channel_id, days, expires_at FROM share_links")
    assert dict(row) == {"channel_id": shared.channel.id, "days": 30, "expires_at": expires}
    path = url.group(1).removeprefix(app.app.settings.public_base_url)
    async with aiohttp.ClientSession() as http, http.get(app.app.web_url + path) as page:
        assert page.status == 200
        assert "Cooking Daily" in await page.text()


async def test_locked_choices_name_the_limit_and_create_nothing(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    alice = shared.owner
    await tg.send_text(alice, "/share @cookingdaily")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "90 days")
    assert tg.texts_to(alice)[-1] == (
        "🔒 Your Free plan allows 30 days of history. Upgrade to get more."
    )

    await tg.send_text(alice, "/share")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "7 days")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "No expiry")

    refusal = tg.last_to(alice, "sendMessage")
    assert refusal.text == (
        "🔒 Your Free plan allows 168 hours a share link can live. Upgrade to get more."
    )
    refusal.button("Upgrade")
    assert await db.fetchval("SELECT count(*) FROM share_links") == 0


async def test_the_plan_caps_live_links_and_a_revoked_one_makes_room(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    alice = shared.owner
    links = [await share(app, shared) for _ in range(5)]

    await tg.send_text(alice, "/share")

    refusal = tg.last_to(alice, "sendMessage")
    assert refusal.text == "🔒 Your Free plan allows 5 live share links. Upgrade to get more."
    refusal.button("Upgrade")
    with pytest.raises(LimitReached):
        await share(app, shared)
    assert await db.fetchval("SELECT count(*) FROM share_links") == 5
    assert "live share links: 5 of 5" in await tg.ask(alice, "/plan")

    await app.services.share_links.revoke(user_id=alice.id, link_id=links[0].link.id)
    await make_link(tg, alice, period="7 days", lifetime="24 hours")
    assert await db.fetchval("SELECT count(*) FROM share_links WHERE revoked_at IS NULL") == 5


async def test_paid_plans_share_without_expiry(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    await on_plan(app, shared.owner, "pro")

    await make_link(tg, shared.owner, period="90 days", lifetime="No expiry")

    assert "never expires" in tg.texts_to(shared.owner)[-1]
    assert await db.fetchval("SELECT expires_at FROM share_links") is None


# Making two links through the buttons takes more updates than the flood guard's burst.
@pytest.mark.settings(throttle_burst=20)
async def test_shares_lists_live_links_and_revokes_them(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    alice = shared.owner
    first = await make_link(tg, alice, period="7 days", lifetime="1 hour")
    await make_link(tg, alice, period="30 days", lifetime="24 hours")
    clock.advance(minutes=1)
    await share(app, shared, hours=1)
    path = first.removeprefix(app.app.settings.public_base_url)
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.get(app.app.web_url + path) as page:
                assert page.status == 200
        clock.advance(minutes=59)  # the third link, made a minute later, is still live

        listing = await tg.reply_to(alice, "/shares")
        assert "#1 <b>Cooking Daily</b>, last 7 days" not in listing.text  # expired by now
        assert "#1 <b>Cooking Daily</b>, last 30 days" in listing.text
        assert "#2 <b>Cooking Daily</b>, last 7 days" in listing.text
        assert "not opened yet" in listing.text
        assert listing.labels() == ["🗑 Revoke #1", "🗑 Revoke #2"]

        await tg.press_button(alice, listing, "Revoke #1")
        relisted = tg.texts_to(alice)[-1]
        assert "last 30 days" not in relisted and "#1 <b>Cooking Daily</b>, last 7 days" in relisted
        assert await db.fetchval("SELECT days FROM share_links WHERE revoked_at IS NOT NULL") == 30

        await tg.press_button(alice, tg.last_to(alice, "editMessageText"), "Revoke #1")
        assert tg.texts_to(alice)[-1] == "You have no live share links. Make one with /share."


async def test_shares_counts_openings(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    url = await make_link(tg, shared.owner, period="7 days", lifetime="24 hours")
    path = url.removeprefix(app.app.settings.public_base_url)
    async with aiohttp.ClientSession() as http:
        for suffix in ("", ".json", "/charts/growth.png"):
            async with http.get(app.app.web_url + path + suffix) as response:
                assert response.status == 200

    await tg.send_text(shared.owner, "/shares")

    assert "opened 2 times" in tg.texts_to(shared.owner)[-1]


async def test_the_deep_link_answers_with_the_report_in_chat(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    link = await share(app, shared, hours=1)
    bob = tg.user("Bob")

    await tg.send_text(bob, f"/start r_{link.token}")

    report = tg.last_to(bob, "sendMessage").text
    assert "📊 <b>Cooking Daily</b> (@cookingdaily)" in report
    assert "Last 7 days" in report
    assert "Subscribers: <b>1,503</b>" in report
    assert "1. Sourdough, step by step\n    2,400 views · 130 reactions" in report
    assert link.url in report
    assert await db.fetchval("SELECT open_count FROM share_links") == 1

    clock.advance(hours=1)
    assert "has expired" in await tg.ask(bob, f"/start r_{link.token}")
    assert "does not work" in await tg.ask(bob, "/start r_" + "B" * 32)
    assert "AnalyticBot" in await tg.ask(bob, "/start")


async def test_share_button_under_stats_asks_only_the_lifetime(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    alice = shared.owner
    stats = await tg.reply_to(alice, "/stats 7d")

    lifetimes = await tg.choose(alice, stats, "Share")
    assert "<b>Cooking Daily</b>, last 7 days" in lifetimes.text
    await tg.press_button(alice, lifetimes, "24 hours")

    assert "Share link for <b>Cooking Daily</b>, last 7 days" in tg.texts_to(alice)[-1]
    assert await db.fetchval("SELECT days FROM share_links") == 7


async def test_share_asks_which_channel_and_refuses_strangers(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    alice, mallory = shared.owner, tg.user("Mallory")
    await tg.add_bot_to_channel(tg.channel("Baking", "bakingdaily", owner=alice), by=alice)

    choice = await tg.reply_to(alice, "/share")
    assert choice.text == "Which channel?"
    await tg.press_button(alice, choice, "@bakingdaily")
    assert "Share the report of <b>Baking</b>" in tg.texts_to(alice)[-1]

    assert "Only admins of a channel" in await tg.ask(mallory, "/share @cookingdaily")
    # A forged button press does not make Mallory a link either.
    forged = ShareCb(step=ShareStep.LIFETIME, channel_id=shared.channel.id, days=7, hours=24)
    await tg.send_text(mallory, "/help")
    await tg.press(mallory, tg.last_to(mallory, "sendMessage"), forged.pack(), strict=False)
    assert "Only admins of a channel" in str(tg.callback_answers)
    assert await db.fetchval("SELECT count(*) FROM share_links") == 0
