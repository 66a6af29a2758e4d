"""/links: where subscribers come from, through the fake Telegram."""

from datetime import timedelta

import pytest
from fake_telegram import FakeTelegram
from stories import on_plan, owner_with_channel, tracked_channel

from services.domain.alerts import AlertKind, AlertThresholds
from services.sources import LinkDraft

# Making a link is a short dialog: an owner making several answers faster than the throttle.
pytestmark = pytest.mark.settings(throttle_burst=100)


async def make_link(tg: FakeTelegram, owner, name: str, kind: str = "Anyone", **answers) -> str:
    """The owner makes a link with /links → New link; returns its URL."""
    await tg.send_text(owner, "/links")
    await tg.press_button(owner, tg.last_to(owner, "sendMessage"), "New link")
    await tg.send_text(owner, name)
    await tg.press_button(owner, tg.last_to(owner, "sendMessage"), kind)
    lifetime = answers.get("lifetime", "No expiry")
    await tg.press_button(owner, tg.last_to(owner, "sendMessage"), lifetime)
    if kind == "Anyone":
        if "limit" in answers:
            await tg.send_text(owner, str(answers["limit"]))
        else:
            await tg.press_button(owner, tg.last_to(owner, "sendMessage"), "No limit")
    elif "welcome" in answers:
        await tg.send_text(owner, answers["welcome"])
    elif "bot approves" in kind:
        await tg.press_button(owner, tg.last_to(owner, "sendMessage"), "No welcome")
    created = tg.texts_to(owner)[-1]
    assert created.startswith("✅"), created
    return next(line for line in created.split("\n") if line.startswith("<code>"))[6:-7]


async def test_every_join_is_counted_to_its_source_and_leaves_to_their_join(
    app, tg: FakeTelegram
) -> None:
    alice, channel = await owner_with_channel(tg)
    spring = await make_link(tg, alice, "Spring promo")
    await make_link(tg, alice, "Partner ad")
    approved = await make_link(tg, alice, "Club", "bot approves", welcome="Welcome to the club!")
    assert all(link["creator"]["is_bot"] for link in channel.invite_links.values())

    spring_people = await tg.join(channel, count=3, invite_link_name=spring)
    await tg.join(channel, count=2, invite_link_name="Partner ad")
    await tg.join(channel, count=2, invite_link_name="From Bob")  # another admin's, shortened
    member = await tg.request_join(channel, invite_link_name=approved)
    await tg.join(channel, count=4)  # no link: organic
    await tg.join(channel, via_folder=True)
    await tg.leave(channel, user=spring_people[0])
    await app.services.ingestion.flush()

    assert channel.members.get(member.id) is member  # the bot approved the request
    assert "Welcome to the club!" in tg.texts_to(member)

    await tg.send_text(alice, "/links")
    text = tg.texts_to(alice)[-1]
    lines = text.split("\n")

    def counts_of(name: str) -> str:
        at = next(i for i, line in enumerate(lines) if name in line)
        return lines[at + 1]

    assert "➕ 3 · ➖ 1 · net 2" in counts_of("Spring promo")
    assert "➕ 2 · ➖ 0 · net 2" in counts_of("Partner ad")
    assert "➕ 1 · ➖ 0 · net 1" in counts_of("Club")
    assert "➕ 2 · ➖ 0" in counts_of("From Bob")
    assert "another admin's link" in next(line for line in lines if "From Bob" in line)
    assert "➕ 4 · ➖ 0" in counts_of("No link")
    assert "➕ 1 · ➖ 0" in counts_of("Chat folder")


async def test_retention_and_cost_per_subscriber(app, tg: FakeTelegram, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    promo = await make_link(tg, alice, "Promo")
    joined_at = clock.now()
    people = await tg.join(channel, count=3, invite_link_name=promo, date=joined_at)
    # One leaves after 2 days, one after 10 days; the third stays.
    await tg.leave(channel, user=people[0], date=joined_at + timedelta(days=2))
    await tg.leave(channel, user=people[1], date=joined_at + timedelta(days=10))
    await app.services.ingestion.flush()

    assert "stayed 7 days: not yet · 30 days: not yet" in await tg.ask(alice, "/links")

    clock.advance(days=31)
    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "1. Promo")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Campaign cost")
    await tg.send_text(alice, "100 USD")
    card = tg.texts_to(alice)[-1]
    assert "stayed 7 days: 67% · 30 days: 33%" in card
    # $100 for 3 subscribers is $33.333… a subscriber; 1 stayed: $100.00.
    assert "$100.00: $33.33 a subscriber, $100.00 one who stayed" in card


async def test_a_link_shows_its_member_limit_and_expiry(app, tg: FakeTelegram) -> None:
    alice, channel = await owner_with_channel(tg)
    await make_link(tg, alice, "Limited", lifetime="7 days", limit=100)
    created = tg.texts_to(alice)[-1]
    assert "up to 100 members" in created and "expires" in created
    (link,) = channel.invite_links.values()
    assert link["member_limit"] == 100 and link["expire_date"]


async def test_revoking_another_admins_link_is_explained(app, tg: FakeTelegram) -> None:
    alice, channel = await owner_with_channel(tg)
    await tg.join(channel, invite_link_name="From Bob")
    own = await make_link(tg, alice, "Mine")
    await app.services.ingestion.flush()

    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "From Bob")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Revoke")
    assert "made by another admin" in tg.texts_to(alice)[-1]

    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Mine")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Revoke")
    assert "is revoked" in tg.texts_to(alice)[-1]
    assert channel.invite_links[own]["is_revoked"]


async def test_without_the_invite_right_the_reply_names_it(app, tg: FakeTelegram) -> None:
    alice, channel = await owner_with_channel(tg)
    channel.bot_rights["can_invite_users"] = False
    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "New link")
    await tg.send_text(alice, "Spring")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "admins approve")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "No expiry")
    reply = tg.texts_to(alice)[-1]
    assert "Invite users via link" in reply and "can_invite_users" in reply


async def test_a_bad_cost_gets_a_short_answer(app, tg: FakeTelegram) -> None:
    alice, _ = await owner_with_channel(tg)
    await make_link(tg, alice, "Promo")
    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "1. Promo")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Campaign cost")
    assert "three-letter currency code" in await tg.ask(alice, "a lot")


async def source_rule(app, owner, channel, factor: float = 5) -> None:
    await app.services.alerts.create_rule(
        user_id=owner.id,
        channel_id=channel.id,
        kind=AlertKind.SOURCE_BURST,
        thresholds=AlertThresholds(factor=factor),
    )


def alerts_to(tg: FakeTelegram, user) -> list[str]:
    return [text for text in tg.texts_to(user) if "🔔" in text]


async def test_a_burst_of_joins_through_one_link_raises_an_alert(app, tg, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    bought = await make_link(tg, alice, "Cheap ad")
    await tg.join(channel, count=2, date=clock.now() - timedelta(days=2))  # the usual: a trickle
    await app.services.ingestion.flush()
    await source_rule(app, alice, channel)

    await tg.join(channel, count=5, invite_link_name=bought, date=clock.now())
    await app.services.ingestion.flush()
    await app.services.alert_delivery.deliver_due()
    assert alerts_to(tg, alice) == []  # 5 is not more than 5× the usual of at least 1 an hour

    await tg.join(channel, count=1, invite_link_name=bought, date=clock.now())
    await app.services.ingestion.flush()
    await app.services.alert_delivery.deliver_due()
    (alert,) = alerts_to(tg, alice)
    assert "<b>6</b> subscribers joined through <b>Cheap ad</b> in the last hour" in alert


async def test_a_campaign_whose_subscribers_leave_fast_raises_an_alert(app, tg, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    promo = await make_link(tg, alice, "Giveaway")
    joined_at = clock.now() - timedelta(days=10)
    came = await tg.join(channel, count=20, invite_link_name=promo, date=joined_at)
    await tg.join(channel, count=80, date=joined_at)  # organic subscribers who stay
    for person in came[:12]:  # 12 of the campaign's 20 leave within two days
        await tg.leave(channel, user=person, date=joined_at + timedelta(days=2))
    await app.services.ingestion.flush()
    await source_rule(app, alice, channel, factor=3)

    await app.services.alerts.evaluate()
    await app.services.alert_delivery.deliver_due()
    (alert,) = alerts_to(tg, alice)
    # The channel: 12 of 100 (12%) left within 7 days; the campaign: 60%, over 3× that.
    assert "Of those who joined through <b>Giveaway</b>, 60% left within 7 days (12 of 20)" in alert
    assert "across the channel, 12%" in alert


async def test_join_requests_count_to_their_link_or_as_requests(app, tg, db) -> None:
    alice, channel = await owner_with_channel(tg)
    vip = await make_link(tg, alice, "VIP", "admins approve")
    asking = await tg.request_join(channel, invite_link_name=vip)
    assert asking.id not in channel.members  # the bot leaves these to the admins
    await tg.approve_join_request(channel, asking, by=alice)
    anonymous = await tg.request_join(channel)  # through no link the bot knows
    await tg.approve_join_request(channel, anonymous, by=alice)
    await app.services.ingestion.flush()

    await tg.send_text(alice, "/links")
    lines = tg.texts_to(alice)[-1].split("\n")
    vip_at = next(i for i, line in enumerate(lines) if "VIP" in line)
    assert "join requests" in lines[vip_at] and "➕ 1 · ➖ 0" in lines[vip_at + 1]
    requests_at = next(i for i, line in enumerate(lines) if "Join requests" in line)
    assert "➕ 1 · ➖ 0" in lines[requests_at + 1]


async def test_no_telegram_id_of_a_subscriber_is_stored(app, tg, db) -> None:
    _, channel = await owner_with_channel(tg)
    (person,) = await tg.join(channel, invite_link_name="Bob's ad")
    await tg.leave(channel, user=person)
    await app.services.ingestion.flush()

    rows = await db.fetch("SELECT * FROM subscriber_events WHERE channel_id = $1", channel.id)
    assert len(rows) == 2
    id_text = str(person.id)
    for row in rows:
        assert all(id_text not in str(value) for value in row.values())
        assert len(row["subscriber_hash"]) == 32
    join, leave = sorted(rows, key=lambda row: row["id"])
    assert leave["joined_event_id"] == join["id"] and leave["source"] == "link"


async def test_the_plan_caps_live_links_and_names_the_limit(app, tg) -> None:
    alice, channel = await owner_with_channel(tg)
    for number in range(5):  # the Free plan's live links
        await app.services.sources.create_link(
            user_id=alice.id, channel_id=channel.id, draft=LinkDraft(name=f"Ad {number}")
        )
    await tg.send_text(alice, "/links")
    assert tg.sent("sendChatAction", chat_id=alice)[-1].params["action"] == "typing"
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "New link")
    assert "allows 5 live invite links" in tg.texts_to(alice)[-1]


async def test_a_link_the_plan_no_longer_allows_at_the_last_step_names_the_limit(app, tg) -> None:
    alice, channel = await owner_with_channel(tg)
    for number in range(4):
        await app.services.sources.create_link(
            user_id=alice.id, channel_id=channel.id, draft=LinkDraft(name=f"Ad {number}")
        )
    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "New link")
    await tg.send_text(alice, "Last one")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Anyone")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "No expiry")
    # Meanwhile another dialog takes the plan's fifth live link.
    await app.services.sources.create_link(
        user_id=alice.id, channel_id=channel.id, draft=LinkDraft(name="Ad 4")
    )
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "No limit")

    assert "allows 5 live invite links" in tg.texts_to(alice)[-1]
    assert "Last one" not in {link["name"] for link in channel.invite_links.values()}


async def test_links_asks_which_channel_when_there_are_several(app, tg) -> None:
    alice, _ = await owner_with_channel(tg)
    await tracked_channel(tg, alice, "Baking", "bakingdaily")
    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "bakingdaily")
    assert "Where subscribers of Baking come from" in tg.texts_to(alice)[-1]


async def test_a_long_list_of_sources_pages(app, tg) -> None:
    alice, channel = await owner_with_channel(tg)
    await on_plan(app, alice, "pro")
    for number in range(1, 12):
        await app.services.sources.create_link(
            user_id=alice.id, channel_id=channel.id, draft=LinkDraft(name=f"Ad {number}")
        )
    first = await tg.reply_to(alice, "/links")
    assert "Page 1 of 2" in first.text and "Ad 11" in first.text and "Ad 1<" not in first.text
    await tg.press_button(alice, first, "▶")
    second = tg.message(alice, first.response["message_id"])
    assert "Page 2 of 2" in second["text"] and "11. Ad 1" in second["text"]


async def test_wrong_answers_in_the_dialog_get_short_replies_and_cancel_works(app, tg) -> None:
    alice, channel = await owner_with_channel(tg)
    await tg.send_text(alice, "/links")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "New link")
    assert "1 to 32 characters" in await tg.ask(alice, "x" * 33)
    await tg.send_text(alice, "Promo")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Anyone")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "30 days")
    question = tg.last_to(alice, "sendMessage")  # asked the kind, then (edited) the rest
    assert "from 1 to 99,999" in await tg.ask(alice, "lots")
    await tg.press_button(alice, question, "Cancel")
    assert tg.texts_to(alice)[-1] == "No link made."
    assert channel.invite_links == {}


async def test_a_welcome_takes_its_turn_in_the_send_budget_every_process_shares(
    app, tg: FakeTelegram, db
) -> None:
    alice, channel = await owner_with_channel(tg)
    club = await make_link(tg, alice, "Club", "bot approves", welcome="Welcome to the club!")

    member = await tg.request_join(channel, invite_link_name=club)

    assert "Welcome to the club!" in tg.texts_to(member)
    # Its slot was taken where alerts and digests take theirs: 30/s in all, 1/s to a chat.
    assert await db.fetchval("SELECT count(*) FROM send_slots WHERE chat_id = $1", member.id) == 1
