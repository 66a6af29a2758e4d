"""/stats in chat: the summary, its period buttons, charts as an album, and who may see them.

The channel's history is the sample of channel_history.write_sample_history, seen at SAMPLE_NOW
by an owner in Moscow.
"""

import io

import pytest
from channel_history import SAMPLE_NOW
from helpers import ManualClock
from PIL import Image
from stories import on_plan, owner_with_sample_history

from bot.callbacks import StatsAction, StatsCb


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


async def test_stats_answers_with_numbers_trends_and_the_keyboard(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)

    await tg.send_text(alice, "/stats 7d")

    reply = tg.last_to(alice, "sendMessage")
    text = reply.plain_text
    assert "Test Channel" in text and "25 Oct – 31 Oct 2026 (7 days)" in text
    assert "Subscribers: 1,100 (+100) ▲ 10%" in text
    assert "Joined 3 · ➖ Left 1 · net +2 ▲ 300%" in text
    assert "Posts: 5 ▲ 400%" in text
    assert "Average reach: 750 ▲ 25%" in text
    assert "ERR: 68.2% ▲ 14%" in text
    assert "Engagement: 2.00% ▲ 100%" in text
    assert "Views at 24 h: median 800 (+14% vs channel median)" in text
    assert "1. Пост номер 3 — 👁 1,500 · ❤️ 2.0% · 24 h: 1,200 (+71% vs channel median)" in text
    assert "3. Пост номер 2 — 👁 500 · ❤️ 1.0% · 24 h: 400 (−43% vs channel median)" in text
    assert "Most engaging: Пост номер 1 — ❤️ 2.8%" in text
    assert "Best time to post (Europe/Moscow): Fri 18:00–19:00, views +100% vs average" in text
    assert '<a href="https://t.me/testchannel/3">' in reply.text
    labels = reply.labels()
    assert labels == [
        "• 7d •",
        "30d",
        "90d",
        "📈 Charts",
        "📄 Export CSV",
        "📊 Excel (Russian)",
        "🔗 Share",
        "💡 Insights",
    ]


async def test_a_period_button_edits_the_message_in_place(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)
    summary = await tg.reply_to(alice, "/stats")
    assert "(30 days)" in summary.text

    await tg.press_button(alice, summary, "7d")

    edit = tg.last_to(alice)
    assert edit.method == "editMessageText"
    assert edit.message_id == summary.message_id
    assert "(7 days)" in edit.text and "Posts: 5" in edit.text
    assert edit.button("• 7d •")
    # The period already shown, pressed again, changes nothing and says nothing.
    await tg.press_button(alice, summary, "• 7d •")
    assert tg.last_to(alice) is edit


async def test_charts_arrive_as_an_album_of_png_images(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)
    await tg.send_text(alice, "/stats 7d")

    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Charts")

    album = tg.last_to(alice, "sendMediaGroup")
    assert album.ok
    action = tg.sent("sendChatAction", chat_id=alice)[0]
    assert action.params["action"] == "upload_photo" and action.index < album.index
    media = album.params["media"]
    # growth, views, posting times, top posts, sources
    assert [item["type"] for item in media] == ["photo"] * 5
    assert "Test Channel" in media[0]["caption"]
    for number in range(len(media)):
        upload = album.files[f"media[{number}]"]
        with Image.open(io.BytesIO(upload.data)) as image:
            assert image.format == "PNG"
            assert image.size == (1080, 1080)


async def test_a_custom_range_and_its_charts(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)

    await tg.send_text(alice, "/stats @testchannel 2026-10-25 2026-10-31")

    reply = tg.last_to(alice, "sendMessage")
    assert "25 Oct – 31 Oct 2026 (7 days)" in reply.text and "Posts: 5" in reply.text
    labels = reply.labels()
    assert labels == [
        "7d",
        "30d",
        "90d",
        "📈 Charts",
        "📄 Export CSV",
        "📊 Excel (Russian)",
        "💡 Insights",
    ]
    await tg.press_button(alice, reply, "Charts")
    album = tg.last_to(alice, "sendMediaGroup")
    assert "25 Oct – 31 Oct 2026" in album.params["media"][0]["caption"]


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        pytest.param("from 2026-10-09 to 2026-10-01", "ends before it starts", id="reversed"),
        pytest.param("2026-02-30 2026-03-01", "There is no such date: 2026-02-30", id="no-date"),
        pytest.param("from 2026-10-01", "A range needs two dates", id="one-date"),
        pytest.param("2026-10-01 2026-12-01", "ends in the future", id="future"),
    ],
)
async def test_bad_dates_get_a_clear_reply(app, tg, db, args: str, answer: str) -> None:
    alice = await owner_with_sample_history(tg, db)

    await tg.send_text(alice, f"/stats {args}")

    reply = tg.texts_to(alice)[-1]
    assert answer in reply and "/stats from 2026-10-01 to 2026-10-31" in reply


async def test_a_private_channel_says_views_are_not_available(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db, views_source="private")

    await tg.send_text(alice, "/stats 7d")

    text = tg.last_to(alice, "sendMessage").text
    assert "Views are not available for private channels" in text
    assert "Subscribers: 1,100" in text and "Posts: 5" in text
    assert "ERR" not in text and "Top posts" not in text and "Best time" not in text


async def test_someone_elses_channel_is_refused(app, tg, db) -> None:
    await owner_with_sample_history(tg, db)
    mallory = tg.user("Mallory")
    alices_channel = next(iter(tg.channels.values()))

    assert "Only admins of a channel" in await tg.ask(mallory, "/stats @testchannel")

    # A forged button for Alice's channel, pressed under Mallory's own stats, is refused too.
    own = tg.channel("Mallory's", "mallorys", owner=mallory)
    await tg.add_bot_to_channel(own, by=mallory)
    await tg.send_text(mallory, "/stats")
    forged = StatsCb(action=StatsAction.CHARTS, channel_id=alices_channel.id, days=7).pack()
    query = await tg.press(mallory, tg.last_to(mallory, "sendMessage"), forged, strict=False)
    assert "Only admins of a channel" in tg.callback_answer(query)["text"]
    assert not tg.sent("sendMediaGroup")


async def test_history_beyond_the_free_plan_offers_the_upgrade(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)
    await tg.send_text(alice, "/stats")

    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "90d")

    refusal = tg.last_to(alice, "sendMessage")
    assert "Your Free plan allows 30 days of history" in refusal.text
    refusal.button("Upgrade")

    await on_plan(app, alice, "pro")
    await tg.send_text(alice, "/stats 90d")
    assert "(90 days)" in tg.last_to(alice, "sendMessage").text


async def test_stats_from_the_channel_list_and_the_channel_choice(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)
    second = tg.channel("Second", "secondchan", owner=alice)
    await tg.add_bot_to_channel(second, by=alice)

    choice = await tg.reply_to(alice, "/stats")
    assert choice.text == "Which channel?"
    await tg.press_button(alice, choice, "@testchannel")
    assert "Test Channel" in tg.last_to(alice, "sendMessage").text

    await tg.send_text(alice, "/channels")
    summary = await tg.choose(alice, tg.last_to(alice, "sendMessage"), "📊 Stats Second")
    assert "Second" in summary.text and "No posts in this period." in summary.text


@pytest.mark.settings(feature_analytics=False)
async def test_switched_off_analytics_has_no_stats(app, tg) -> None:
    alice = tg.user("Alice")
    assert "I don't know the command /stats" in await tg.ask(alice, "/stats")
    assert "stats" not in {c["command"] for c in tg.sent("setMyCommands")[-1].params["commands"]}
