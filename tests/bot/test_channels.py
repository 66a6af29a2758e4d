"""A channel owner's first minutes: /start, adding the bot, /add, /channels, /remove."""

import aiohttp
import pytest
from fake_telegram import BOT_USERNAME, FakeChannel, FakeTelegram, FakeUser
from stories import owner_with_channel


async def test_start_offers_the_add_to_channel_button(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")

    reply = tg.last_to(alice, "sendMessage")
    assert "AnalyticBot" in reply.text
    button = reply.button("Add to my channel")
    assert button["url"] == f"https://t.me/{BOT_USERNAME}?startchannel&admin=manage_chat"


async def test_commands_are_registered_and_updates_asked_for(app, tg: FakeTelegram) -> None:
    commands = tg.commands()
    assert {c["command"] for c in commands} >= {"start", "help", "channels", "add", "remove"}
    assert set(tg.allowed_updates) >= {
        "message",
        "callback_query",
        "channel_post",
        "edited_channel_post",
        "message_reaction_count",
        "chat_member",
        "my_chat_member",
    }


@pytest.mark.settings(
    feature_analytics=False,
    feature_share_links=False,
    feature_billing=False,
    feature_alerts=False,
    feature_watermark=False,
    feature_webhooks=False,
    feature_insights=False,
    feature_api=False,
    feature_copies=False,
)
async def test_switched_off_features_leave_the_command_menu(app, tg: FakeTelegram) -> None:
    commands = {c["command"] for c in tg.commands()}
    assert {c["command"] for c in tg.commands(language_code="ru")} == commands
    # /settings stays: the language can always be chosen.
    assert commands == {"start", "channels", "add", "remove", "plan", "settings", "help"}


async def test_bot_made_admin_registers_channel_and_tells_the_owner(app, tg, db) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    channel = tg.channel("Cooking Daily", "cookingdaily", owner=alice, subscribers=1500)

    await tg.add_bot_to_channel(channel, by=alice)

    row = await db.fetchrow(
        "SELECT title, username, is_tracked FROM channels WHERE id = $1", channel.id
    )
    assert dict(row) == {"title": "Cooking Daily", "username": "cookingdaily", "is_tracked": True}
    admins = await db.fetch("SELECT user_id FROM channel_admins WHERE channel_id = $1", channel.id)
    assert [r["user_id"] for r in admins] == [alice.id]
    assert "Now tracking <b>Cooking Daily</b>" in tg.texts_to(alice)[-1]


async def test_owner_who_never_started_the_bot_is_still_linked(app, tg, db) -> None:
    bob = tg.user("Bob")
    channel = tg.channel("Quiet", "quietchannel", owner=bob)

    await tg.add_bot_to_channel(channel, by=bob)

    # Telegram refuses to let the bot write first; the channel is tracked all the same.
    assert await db.fetchval("SELECT count(*) FROM channel_admins WHERE user_id = $1", bob.id) == 1
    assert "Quiet" in await tg.ask(bob, "/channels")


async def test_add_by_command_checks_both_admin_rights(app, tg: FakeTelegram, db) -> None:
    alice, mallory = tg.user("Alice"), tg.user("Mallory")
    channel = tg.channel("News", "newsroom", owner=alice)

    assert "not an admin of <b>News</b> yet" in await tg.ask(alice, "/add @newsroom")

    channel.bot_status = "administrator"
    assert "Only admins of a channel" in await tg.ask(mallory, "/add @newsroom")
    assert await db.fetchval("SELECT count(*) FROM channels") == 0

    assert "Now tracking <b>News</b>" in await tg.ask(alice, "/add https://t.me/newsroom")
    assert await db.fetchval("SELECT is_tracked FROM channels WHERE id = $1", channel.id)


async def test_add_explains_bad_arguments(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    assert "Send the channel's @username" in await tg.ask(alice, "/add")
    assert "doesn't look like a channel" in await tg.ask(alice, "/add hello world!")
    assert "can't find that channel" in await tg.ask(alice, "/add @nosuchchannel")


async def test_channels_lists_subscribers_and_last_post(app, tg: FakeTelegram) -> None:
    alice, channel = await owner_with_channel(tg)
    await tg.post(channel, "Soup of the day")
    await app.services.ingestion.flush()
    await app.services.subscribers.snapshot_all()

    await tg.send_text(alice, "/channels")

    reply = tg.last_to(alice, "sendMessage")
    assert "Cooking Daily" in reply.text
    assert "1,500 subscribers" in reply.text
    assert "last post just now" in reply.text
    reply.button("Remove Cooking Daily")


async def test_channels_without_any(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    assert "You have no channels yet" in await tg.ask(alice, "/channels")


async def test_remove_keeping_data_stops_tracking(app, tg: FakeTelegram, db) -> None:
    alice, channel = await owner_with_channel(tg)
    await tg.post(channel, "Kept")
    await app.services.ingestion.flush()

    confirm = await tg.reply_to(alice, "/remove")
    assert "Stop tracking <b>Cooking Daily</b>?" in confirm.text
    await tg.press_button(alice, confirm, "Stop, keep data")

    assert "Its data is kept" in tg.texts_to(alice)[-1]
    assert not await db.fetchval("SELECT is_tracked FROM channels WHERE id = $1", channel.id)
    assert await db.fetchval("SELECT count(*) FROM posts") == 1
    await tg.post(channel, "Not recorded any more")
    await app.services.ingestion.flush()
    assert await db.fetchval("SELECT count(*) FROM posts") == 1

    listing = await tg.reply_to(alice, "/channels")
    assert "not tracked" in listing.text
    await tg.press_button(alice, listing, "Resume Cooking Daily")
    assert await db.fetchval("SELECT is_tracked FROM channels WHERE id = $1", channel.id)


async def test_remove_deleting_data(app, tg: FakeTelegram, db) -> None:
    alice, channel = await owner_with_channel(tg)
    await tg.post(channel, "Gone soon")
    await app.services.ingestion.flush()

    await tg.send_text(alice, "/remove @cookingdaily")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Stop and delete data")

    assert "deleted its data" in tg.texts_to(alice)[-1]
    assert await db.fetchval("SELECT count(*) FROM channels") == 0
    assert await db.fetchval("SELECT count(*) FROM posts") == 0


async def test_remove_cancel_changes_nothing(app, tg: FakeTelegram, db) -> None:
    alice, channel = await owner_with_channel(tg)

    await tg.send_text(alice, "/remove")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Cancel")

    assert tg.texts_to(alice)[-1] == "Nothing changed."
    assert await db.fetchval("SELECT is_tracked FROM channels WHERE id = $1", channel.id)


async def test_cancel_tapped_twice_is_answered_quietly(app, tg: FakeTelegram, caplog) -> None:
    alice = tg.user("Alice")
    channel = tg.channel("Cooking Daily", "cookingdaily", owner=alice)
    await tg.add_bot_to_channel(channel, by=alice)
    confirm = await tg.reply_to(alice, "/remove")
    cancel = confirm.button("Cancel")["callback_data"]
    await tg.press(alice, confirm, cancel)

    # The second tap left the client before the first one's edit arrived.
    query_id = await tg.press(alice, confirm, cancel, strict=False)

    assert tg.callback_answer(query_id) == {}
    assert tg.texts_to(alice)[-1] == "Nothing changed."
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


async def test_remove_with_several_channels_asks_which(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    for title, username in (("First", "firstchan"), ("Second", "secondchan")):
        await tg.add_bot_to_channel(tg.channel(title, username, owner=alice), by=alice)

    choice = await tg.reply_to(alice, "/remove")
    assert choice.text == "Which channel?"
    await tg.press_button(alice, choice, "@secondchan")
    assert "Stop tracking <b>Second</b>?" in tg.texts_to(alice)[-1]


async def test_someone_elses_channel_cannot_be_removed(app, tg: FakeTelegram, db) -> None:
    alice, mallory = tg.user("Alice"), tg.user("Mallory")
    channel = tg.channel("Cooking Daily", "cookingdaily", owner=alice)
    await tg.add_bot_to_channel(channel, by=alice)

    await tg.send_text(mallory, "/remove @cookingdaily")

    assert "Only admins of a channel" in tg.texts_to(mallory)[-1]
    assert await db.fetchval("SELECT is_tracked FROM channels WHERE id = $1", channel.id)


async def test_bot_removed_from_channel_stops_tracking_and_keeps_data(app, tg, db) -> None:
    alice, channel = await owner_with_channel(tg)
    await tg.post(channel, "Before removal")
    await app.services.ingestion.flush()

    await tg.remove_bot_from_channel(channel, by=alice)

    row = await db.fetchrow(
        "SELECT is_tracked, tracking_stopped_at FROM channels WHERE id = $1", channel.id
    )
    assert row["is_tracked"] is False and row["tracking_stopped_at"] is not None
    assert await db.fetchval("SELECT count(*) FROM posts") == 1
    assert "stopped tracking it" in tg.texts_to(alice)[-1]


async def test_admin_who_lost_rights_loses_access(app, tg: FakeTelegram, clock, db) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    await tg.send_text(bob, "/start")
    channel = tg.channel("Team", "teamchannel", owner=alice, admins=[bob])
    await tg.add_bot_to_channel(channel, by=alice)
    assert await db.fetchval("SELECT count(*) FROM channel_admins") == 2

    tg.set_admin(channel, bob, False)
    # Within the trust window the stored check stands; after it, Telegram is asked again.
    clock.advance(minutes=11)
    assert "Only admins of a channel" in await tg.ask(bob, "/remove @teamchannel")
    assert "You have no channels yet" in await tg.ask(bob, "/channels")


async def test_periodic_admin_recheck_unlinks_former_admins(app, tg: FakeTelegram, db) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    await tg.send_text(bob, "/start")
    channel = tg.channel("Team", "teamchannel", owner=alice, admins=[bob])
    await tg.add_bot_to_channel(channel, by=alice)

    tg.set_admin(channel, bob, False)
    await app.services.channels.recheck_all_admins()

    linked = await db.fetch("SELECT user_id FROM channel_admins WHERE channel_id = $1", channel.id)
    assert [r["user_id"] for r in linked] == [alice.id]
    assert app.app.scheduler.get_job("admin_recheck") is not None


async def share_page_status(app, link) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{app.app.web_url}/r/{link.token}") as page,
    ):
        return page.status


async def weekly_link(app, user, channel):
    return await app.services.share_links.create(
        user_id=user.id, channel_id=channel.id, days=7, lifetime_hours=24
    )


@pytest.mark.parametrize("to", ["member", "left", "kicked"])
async def test_a_demoted_admin_loses_access_and_share_links_at_once(
    app, tg: FakeTelegram, db, to
) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    await tg.send_text(alice, "/start")
    await tg.send_text(bob, "/start")
    channel = tg.channel("Team", "teamchannel", owner=alice, admins=[bob])
    await tg.add_bot_to_channel(channel, by=alice)
    bobs_link = await weekly_link(app, bob, channel)
    alices_link = await weekly_link(app, alice, channel)

    # Within the ten minutes a stored admin check is trusted: only the update can tell.
    await tg.demote_admin(channel, bob, by=bob if to == "left" else alice, to=to)

    assert await share_page_status(app, bobs_link) == 404
    assert await share_page_status(app, alices_link) == 200
    assert "Only admins of a channel" in await tg.ask(bob, "/stats @teamchannel")
    assert "Team" in await tg.ask(alice, "/stats @teamchannel")
    await app.services.ingestion.flush()
    leaves = await db.fetchval("SELECT count(*) FROM subscriber_events WHERE kind = 'leave'")
    assert leaves == (0 if to == "member" else 1)


async def test_the_bot_losing_admin_rights_ends_access_and_share_links(
    app, tg: FakeTelegram, db
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    channel = tg.channel("Team", "teamchannel", owner=alice)
    await tg.add_bot_to_channel(channel, by=alice)
    link = await weekly_link(app, alice, channel)

    # Nobody's rights can be seen from outside the channel, so no old check stands.
    await tg.remove_bot_from_channel(channel, by=alice)

    assert "its stats and share links are closed" in tg.texts_to(alice)[-1]
    assert await share_page_status(app, link) == 404
    assert "Only admins of a channel" in await tg.ask(alice, "/stats @teamchannel")

    await tg.add_bot_to_channel(channel, by=alice)
    assert await share_page_status(app, link) == 200


async def made_admin(tg: FakeTelegram, owner: FakeUser, channel: FakeChannel) -> None:
    await tg.add_bot_to_channel(channel, by=owner)


async def added_by_command(tg: FakeTelegram, owner: FakeUser, channel: FakeChannel) -> None:
    channel.bot_status = "administrator"
    await tg.send_text(owner, f"/add @{channel.username}")


@pytest.mark.parametrize(
    "add",
    [pytest.param(made_admin, id="bot-made-admin"), pytest.param(added_by_command, id="add")],
)
async def test_a_channel_shows_its_subscribers_from_the_moment_it_is_added(
    app, tg: FakeTelegram, add
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    channel = tg.channel("Cooking Daily", "cookingdaily", owner=alice, subscribers=1500)

    await add(tg, alice, channel)  # no scheduled snapshot has run

    assert "1,500 subscribers" in await tg.ask(alice, "/channels")
    await tg.send_text(alice, "/stats")
    assert "Subscribers: 1,500" in tg.last_to(alice, "sendMessage").plain_text
