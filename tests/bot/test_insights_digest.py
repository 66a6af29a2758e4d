"""The weekly digest: off by default, switched on in /settings, sent every Monday at 9:00 in
the owner's time zone through the outgoing queue, once whichever process looks."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fake_telegram import FakeTelegram
from stories import owner_with_channel, owner_with_planted_history

MOSCOW = ZoneInfo("Europe/Moscow")


def until_monday(now: datetime, hour: int, minute: int = 0, zone: ZoneInfo = MOSCOW) -> timedelta:
    """From now to the coming Monday at hour:minute in the zone (Moscow unless said)."""
    local = now.astimezone(zone)
    monday = (local + timedelta(days=(7 - local.weekday()) % 7 or 7)).date()
    wanted = datetime(monday.year, monday.month, monday.day, hour, minute, tzinfo=zone)
    return wanted.astimezone(UTC) - now


def digests_to(tg: FakeTelegram, user) -> list[str]:
    return [text for text in tg.texts_to(user) if text.startswith("📬 <b>Weekly digest</b>")]


async def test_the_digest_is_off_until_switched_on_in_settings(app, tg: FakeTelegram, db, clock):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=120)
    settings = await tg.reply_to(alice, "/settings")
    assert "📬 Weekly digest: <b>off</b>" in settings.text

    clock.advance(seconds=until_monday(clock.now(), 9, 5).total_seconds())
    assert await app.services.insights.send_due_digests() == 0

    await tg.press_button(alice, settings, "Weekly digest")
    assert tg.texts_to(alice)[-1].startswith("✅ The weekly digest is on")
    assert "📬 Weekly digest: <b>on</b> (Mondays at 9:00 your time)" in await tg.ask(
        alice, "/settings"
    )


async def test_every_monday_at_nine_the_owner_gets_last_weeks_digest(
    app, tg: FakeTelegram, db, clock, another_bot
):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=120)
    await tg.send_text(alice, "/insights")  # the model the digest's insights come from
    await tg.send_text(alice, "/settings")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Weekly digest")

    job = app.app.scheduler.get_job("insights_digest").func
    clock.advance(seconds=until_monday(clock.now(), 8, 55).total_seconds())
    await job()
    assert digests_to(tg, alice) == []
    clock.advance(minutes=20)  # Monday 9:15 in Moscow
    await job()
    await job()  # the same tick: done once
    second = await another_bot()  # another process looks too: this week's is sent already
    assert await second.services.insights.send_due_digests() == 0

    [digest] = digests_to(tg, alice)
    assert "📊 <b>Cooking Daily</b>" in digest and "7 days" in digest
    assert "<b>What drives views</b> (see /insights)" in digest
    assert "Posts with a photo: ×1." in digest
    # Once a week: later that Monday nothing more comes, the next Monday the next digest.
    clock.advance(hours=5)
    await job()
    clock.advance(days=7)
    await job()
    assert len(digests_to(tg, alice)) == 2


async def test_switched_off_no_digest_comes(app, tg: FakeTelegram, clock):
    alice, _ = await owner_with_channel(tg)
    await tg.send_text(alice, "/settings")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Weekly digest")
    await tg.send_text(alice, "/settings")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Weekly digest")
    assert tg.texts_to(alice)[-1].startswith("✅ The weekly digest is off")

    clock.advance(days=7)
    assert await app.services.insights.send_due_digests() == 0
    assert digests_to(tg, alice) == []


async def test_a_channel_without_a_model_is_pointed_to_insights(app, tg: FakeTelegram, clock):
    alice, _ = await owner_with_channel(tg)
    await tg.send_text(alice, "/settings")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Weekly digest")

    # Alice's time zone is UTC: Monday 9:00 there.
    local = clock.now()
    days = (7 - local.weekday()) % 7 or 7
    monday = (local + timedelta(days=days)).replace(hour=9, minute=1, second=0)
    clock.advance(seconds=(monday - local).total_seconds())
    assert await app.services.insights.send_due_digests() == 1
    [digest] = digests_to(tg, alice)
    assert "Send /insights to learn what drives views in this channel." in digest


async def test_an_admin_telegram_no_longer_lists_gets_no_digest_of_the_channel(
    app, tg: FakeTelegram, db, clock
):
    _, channel = await owner_with_planted_history(tg, db, clock, posts=120)
    bob = tg.user("Bob")
    tg.set_admin(channel, bob, True)
    assert "is already tracked" in await tg.ask(bob, f"/add @{channel.username}")
    await tg.send_text(bob, "/settings")
    await tg.press_button(bob, tg.last_to(bob, "sendMessage"), "Weekly digest")
    tg.set_admin(channel, bob, False)  # no update tells the bot

    clock.advance(seconds=until_monday(clock.now(), 9, 5, ZoneInfo("UTC")).total_seconds())
    await app.services.insights.send_due_digests()

    assert digests_to(tg, bob) == []
