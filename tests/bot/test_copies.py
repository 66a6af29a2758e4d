"""Copies and competitors through the fake Telegram and a fake web preview: /watch, copy alerts
and their buttons, /check and /compare."""

import random
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import pytest
from copies_corpus import copied_picture, picture
from fake_preview import Preview, PreviewItem
from fake_telegram import FakeTelegram, FakeUser
from stories import owner_with_channel, webhook_endpoint
from yarl import URL

# Every test's bot reads the fake preview (pages and photos).
pytestmark = pytest.mark.usefixtures("preview")

ORIGINAL = (
    "Сегодня печём хлеб на закваске: мука, вода, соль и немного терпения. Тесто отдыхает "
    "двенадцать часов в холодильнике, потом духовка на максимум и пар первые двадцать минут. "
    "Корочка получается хрустящей, мякиш влажным и ноздреватым. Рецепт на сайте"
)
# A tenth of the words changed, an emoji and a link added: what a copier posts.
COPY = (
    "Сегодня печём хлеб на закваске: мука, вода, соль и чуть-чуть терпения 🔥 Тесто отдыхает "
    "двенадцать часов в холодильнике, затем духовка на максимум и пар первые двадцать минут. "
    "Корочка выходит хрустящей, мякиш влажным и ноздреватым. https://t.me/thief"
)
UNRELATED = (
    "Final score tonight: the home team won three to one after a late goal, and the coach "
    "said the new season starts with a long trip to the mountains next week."
)


def _is_copy_alert(call) -> bool:
    return call.ok and any(
        words in (call.text or "") for words in ("posted a copy of your post", "опубликовал копию")
    )


def copy_alerts(tg: FakeTelegram, user: FakeUser) -> list:
    return [call for call in tg.sent("sendMessage", chat_id=user) if _is_copy_alert(call)]


async def delivered(app, tg: FakeTelegram, user: FakeUser, count: int = 1) -> list:
    """The copy alerts the user has, once the count-th has arrived (the delivery task that the
    firing woke may be sending it while deliver_due finds nothing left to claim)."""
    await app.services.alert_delivery.deliver_due()
    after = 0
    for _ in range(count):
        call = await tg.wait_for("sendMessage", chat_id=user, predicate=_is_copy_alert, after=after)
        after = tg.calls.index(call) + 1
    return copy_alerts(tg, user)


@dataclass
class Original:
    owner: FakeUser
    photo: bytes
    message_id: int


async def alice_with_original(app, tg, clock) -> Original:
    """Alice's Cooking Daily posted a photo with ORIGINAL as its caption two hours ago."""
    alice, channel = await owner_with_channel(tg)
    photo = picture(random.Random(1))
    original_id = await tg.post(
        channel, ORIGINAL, photo_data=photo, date=clock.now() - timedelta(hours=2)
    )
    await app.services.ingestion.flush()
    return Original(alice, photo, original_id)


async def _watch_thief(tg: FakeTelegram, owner: FakeUser, reply: str) -> None:
    """/watch @thief, answered with `reply`; a copy found at once may be announced before the
    reply or after it (alerts are sent by the delivery worker)."""
    said_before = len(tg.texts_to(owner))
    await tg.send_text(owner, "/watch @thief")
    assert any(reply in text for text in tg.texts_to(owner)[said_before:])


async def test_a_copy_with_edits_is_announced_once_and_forwards_and_unrelated_posts_are_not(
    app, tg, clock, preview
) -> None:
    original = await alice_with_original(app, tg, clock)
    alice = original.owner
    copied = copied_picture(original.photo, random.Random(2))
    preview.publish(
        "thief",
        PreviewItem(10, clock.now() - timedelta(minutes=30), COPY, photos=(copied,)),
        PreviewItem(11, clock.now() - timedelta(minutes=20), ORIGINAL, forwarded_from="Cooking"),
        PreviewItem(12, clock.now() - timedelta(minutes=10), UNRELATED),
        title="Thief",
    )

    await _watch_thief(tg, alice, "Watching <b>@thief</b>")
    (alert,) = await delivered(app, tg, alice)
    assert "https://t.me/thief/10" in alert.text
    assert f"https://t.me/cookingdaily/{original.message_id}" in alert.text
    assert "1 h after it" in alert.text
    # Read again, the same posts announce nothing new.
    assert await app.services.copies.read_watched() == 0
    await app.services.alert_delivery.deliver_due()
    assert len(copy_alerts(tg, alice)) == 1

    assert "Copy of your post" in await tg.ask(alice, "/alerts history")


_SECOND_COPY_RULE = """
    INSERT INTO alert_rules (owner_id, channel_id, kind, cooldown, created_at)
    SELECT owner_id, channel_id, kind, cooldown, created_at + interval '1 second'
      FROM alert_rules WHERE kind = 'copy'
"""


async def test_a_copy_is_announced_once_even_if_the_channel_had_two_copy_rules(
    app, tg, clock, preview, db
) -> None:
    original = await alice_with_original(app, tg, clock)
    alice = original.owner
    await tg.send_text(alice, "/watch")  # the list makes sure of the copy rule
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(_SECOND_COPY_RULE)
    # A database that got two before the unique index still announces a copy once.
    await db.execute("DROP INDEX alert_rules_one_copy_rule")
    try:
        await db.execute(_SECOND_COPY_RULE)
        preview.publish("thief", PreviewItem(10, clock.now() - timedelta(minutes=30), COPY))
        await tg.send_text(alice, "/watch @thief")
        assert len(await delivered(app, tg, alice)) == 1
        assert await db.fetchval("SELECT count(*) FROM alert_firings") == 1
    finally:
        await db.execute(
            "DELETE FROM alert_rules WHERE kind = 'copy'"
            " AND id <> (SELECT min(id) FROM alert_rules)"
        )
        await db.execute(
            "CREATE UNIQUE INDEX alert_rules_one_copy_rule ON alert_rules (owner_id, channel_id)"
            " WHERE kind = 'copy'"
        )


async def test_after_not_a_copy_the_pair_is_never_reported_again(app, tg, clock, preview) -> None:
    original = await alice_with_original(app, tg, clock)
    alice = original.owner
    preview.publish("thief", PreviewItem(10, clock.now() - timedelta(minutes=30), COPY))
    await tg.send_text(alice, "/watch @thief")
    (alert,) = await delivered(app, tg, alice)

    query = await tg.press_button(alice, alert, "Not a copy")
    assert "won't report this pair again" in tg.callback_answer(query)["text"]
    # A second press (a double tap, or later) gets the same answer.
    query = await tg.press_button(alice, alert, "Not a copy")
    assert "won't report this pair again" in tg.callback_answer(query)["text"]
    # Even with the copy alert deleted and made anew, and the channel's posts compared again.
    await tg.send_text(alice, "/alerts")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Delete 1")
    assert "already watch" in await tg.ask(alice, "/watch @thief")
    await app.services.alert_delivery.deliver_due()
    assert len(copy_alerts(tg, alice)) == 1


async def test_a_copy_posted_later_is_found_by_the_next_read_unless_the_channel_is_ignored(
    app, tg, clock, preview
) -> None:
    original = await alice_with_original(app, tg, clock)
    alice = original.owner
    preview.publish("thief", PreviewItem(5, clock.now() - timedelta(minutes=90), UNRELATED))
    await tg.send_text(alice, "/watch @thief")
    assert copy_alerts(tg, alice) == []

    clock.advance(minutes=5)
    preview.publish("thief", PreviewItem(6, clock.now(), COPY))
    await app.services.copies.read_watched()
    (alert,) = await delivered(app, tg, alice)
    assert "https://t.me/thief/6" in alert.text

    query = await tg.press_button(alice, alert, "Ignore this channel")
    assert "@thief is ignored" in tg.callback_answer(query)["text"]
    preview.publish("thief", PreviewItem(7, clock.now(), COPY + " Повтор."))
    assert await app.services.copies.read_watched() == 0
    await app.services.alert_delivery.deliver_due()
    assert len(copy_alerts(tg, alice)) == 1


@pytest.mark.settings(watch_photo_max_bytes=20_000)
async def test_photos_over_the_limit_or_not_images_are_skipped_without_stopping_the_read(
    app, tg, clock, preview
) -> None:
    original = await alice_with_original(app, tg, clock)
    alice = original.owner
    big = picture(random.Random(3))
    assert len(big) > 20_000
    preview.publish(
        "thief",
        PreviewItem(20, clock.now() - timedelta(minutes=40), "", photos=(b"not an image",)),
        PreviewItem(21, clock.now() - timedelta(minutes=35), "", photos=(big,)),
        PreviewItem(22, clock.now() - timedelta(minutes=30), COPY),
    )
    await tg.send_text(alice, "/watch @thief")
    (alert,) = await delivered(app, tg, alice)
    assert "https://t.me/thief/22" in alert.text
    assert preview.requests["/file/thief_20_0.jpg"] == 1


async def test_a_photo_redirected_to_another_host_is_skipped_not_followed(
    app, tg, clock, preview
) -> None:
    original = await alice_with_original(app, tg, clock)
    alice = original.owner
    preview.publish(
        "thief",
        PreviewItem(30, clock.now() - timedelta(minutes=40), "", photos=(b"elsewhere",)),
        PreviewItem(31, clock.now() - timedelta(minutes=30), COPY),
    )
    # The photo's address answers a redirect to another host that serves a copy of Alice's photo.
    preview.files["elsewhere.jpg"] = copied_picture(original.photo, random.Random(2))
    elsewhere = URL(preview.base_url).with_host("localhost") / "file" / "elsewhere.jpg"
    preview.redirects["thief_30_0.jpg"] = str(elsewhere)

    await tg.send_text(alice, "/watch @thief")
    (alert,) = await delivered(app, tg, alice)
    assert "https://t.me/thief/31" in alert.text
    assert preview.requests["/file/thief_30_0.jpg"] == 1
    assert preview.requests["/file/elsewhere.jpg"] == 0


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param(
            lambda p: p.channel("secret", Preview.HIDDEN), "no public posts", id="private"
        ),
        pytest.param(lambda p: None, "There is no public channel", id="missing"),
        pytest.param(lambda p: p.publish("secret"), "shows no posts", id="empty"),
    ],
)
async def test_watch_explains_a_channel_it_cannot_read(app, tg, preview, setup, expected) -> None:
    alice, _ = await owner_with_channel(tg)
    setup(preview)
    assert expected in await tg.ask(alice, "/watch @secret")
    assert "You watch no channel yet" in await tg.ask(alice, "/watch")


async def test_watch_lists_channels_with_their_numbers_removes_them_and_keeps_to_the_plan(
    app, tg, clock, preview
) -> None:
    alice, _ = await owner_with_channel(tg)
    for number, name in enumerate(("rival", "second", "third", "fourth")):
        preview.publish(
            name,
            PreviewItem(1, clock.now() - timedelta(days=1), UNRELATED, views=300 + number),
            subscribers=5000,
        )
    for name in ("rival", "second", "third"):
        await tg.send_text(alice, f"/watch @{name}")
    assert "allows 3 channels watched" in await tg.ask(alice, "/watch @fourth")

    listing = await tg.reply_to(alice, "/watch")
    assert "<b>@rival</b>" in listing.text and "5,000 subscribers" in listing.text
    assert "300 average views" in listing.text
    query = await tg.press_button(alice, listing, "Remove 1")
    assert tg.callback_answer(query)["text"] == "Removed."
    assert "@rival" not in tg.texts_to(alice)[-1]
    assert "channels watched: 2 of 3" in await tg.ask(alice, "/plan")


async def test_check_finds_a_forwarded_copy_and_says_no_match_for_an_unrelated_text(
    app, tg, clock
) -> None:
    original = await alice_with_original(app, tg, clock)
    alice = original.owner
    bob = tg.user("Bob")
    thief = tg.channel("Thief", "thief", owner=bob)
    copied_id = await tg.post(
        thief, COPY, photo_data=copied_picture(original.photo, random.Random(4))
    )

    assert "Forward me a post" in await tg.ask(alice, "/check")
    await tg.forward(alice, thief, copied_id)
    answer = tg.texts_to(alice)[-1]
    assert "This matches your post of" in answer and "<b>@cookingdaily</b>" in answer
    assert f"https://t.me/cookingdaily/{original.message_id}" in answer

    # A photo alone, saved and posted again: found by the photo's fingerprint.
    photo_only = await tg.post(
        thief, "", photo_data=copied_picture(original.photo, random.Random(5))
    )
    await tg.send_text(alice, "/check")
    await tg.forward(alice, thief, photo_only)
    assert "This matches your post of" in tg.texts_to(alice)[-1]

    await tg.send_text(alice, "/check")
    assert "No match among your 1 post." in await tg.ask(alice, UNRELATED)


async def test_check_names_no_post_of_a_channel_the_user_no_longer_administers(
    app, tg, clock
) -> None:
    original = await alice_with_original(app, tg, clock)
    cooking = tg.channels[next(iter(tg.channels))]
    carol = tg.user("Carol")
    tg.set_admin(cooking, carol, True)
    await tg.send_text(carol, "/add @cookingdaily")
    thief = tg.channel("Thief", "thief", owner=tg.user("Bob"))
    copied_id = await tg.post(thief, COPY)
    await tg.send_text(carol, "/check")
    await tg.forward(carol, thief, copied_id)
    assert "This matches your post of" in tg.texts_to(carol)[-1]

    tg.set_admin(cooking, carol, False)  # no update tells the bot
    clock.advance(hours=1)  # past the admin check's freshness: Telegram is asked again
    await tg.send_text(carol, "/check")
    await tg.forward(carol, thief, copied_id)

    answer = tg.texts_to(carol)[-1]
    assert "This matches" not in answer and "cookingdaily" not in answer
    assert f"/{original.message_id}" not in answer


async def test_compare_shows_the_channel_beside_watched_ones_with_a_chart(
    app, tg, clock, preview
) -> None:
    alice, _ = await owner_with_channel(tg, subscribers=1500)
    await app.services.subscribers.snapshot_all()
    preview.publish(
        "rival",
        PreviewItem(1, clock.now() - timedelta(days=2), UNRELATED, views=900),
        PreviewItem(2, clock.now() - timedelta(days=1), ORIGINAL, views=1100),
        subscribers=20_000,
    )
    assert "Watch a channel first" in await tg.ask(alice, "/compare")
    await tg.send_text(alice, "/watch @rival")

    await tg.send_text(alice, "/compare 7d")
    table = tg.texts_to(alice)[-1]
    assert "last 7 days" in table
    assert "⭐ @cookingdaily · 1,500" in table
    assert "• @rival · 20,000" in table and "1,000" in table and "5.0%" in table
    assert tg.last_to(alice, "sendPhoto").ok


async def test_the_history_read_from_the_preview_is_fingerprinted_too(
    app, tg, clock, preview
) -> None:
    """Posts from before the bot was added reach it only through the channel's public page."""
    alice, _ = await owner_with_channel(tg)
    photo = picture(random.Random(6))
    preview.publish(
        "cookingdaily",
        PreviewItem(3, clock.now() - timedelta(days=3), ORIGINAL),
        PreviewItem(4, clock.now() - timedelta(days=2), "", photos=(photo,)),
    )
    await app.app.views.collect_due()

    await tg.send_text(alice, "/check")
    assert "https://t.me/cookingdaily/3" in await tg.ask(alice, COPY)
    await tg.send_text(alice, "/check")
    await tg.send_photo(alice, copied_picture(photo, random.Random(7)))
    assert "https://t.me/cookingdaily/4" in tg.texts_to(alice)[-1]


async def test_a_russian_owner_hears_of_a_copy_in_russian(app, tg, clock, preview) -> None:
    alice, channel = await owner_with_channel(tg, language_code="ru")
    await tg.post(channel, ORIGINAL, date=clock.now() - timedelta(hours=3))
    await app.services.ingestion.flush()
    preview.publish("thief", PreviewItem(10, clock.now() - timedelta(minutes=30), COPY))

    await _watch_thief(tg, alice, "Слежу за <b>@thief</b>")
    (alert,) = await delivered(app, tg, alice)
    assert "опубликовал копию вашего поста через 2 ч" in alert.text
    await tg.press_button(alice, alert, "Это не копия")


@pytest.mark.settings(webhook_allow_private_addresses=True)
async def test_a_copy_found_reaches_the_owners_webhook(app, tg, clock, preview, receiver) -> None:
    original = await alice_with_original(app, tg, clock)
    await webhook_endpoint(app, receiver, original.owner, events=["copy.found", "alert.fired"])
    copied = copied_picture(original.photo, random.Random(2))
    preview.publish(
        "thief",
        PreviewItem(10, clock.now() - timedelta(minutes=30), COPY, photos=(copied,)),
        title="Thief",
    )

    await tg.send_text(original.owner, "/watch @thief")
    await delivered(app, tg, original.owner)
    await app.services.webhook_delivery.deliver_due()

    assert receiver.refused == []
    (found,) = [d.payload["data"] for d in receiver.of_type("copy.found")]
    assert found["message_id"] == original.message_id
    assert (found["watched_username"], found["watched_message_id"]) == ("thief", 10)
    assert [d.payload["data"]["kind"] for d in receiver.of_type("alert.fired")] == ["copy"]
