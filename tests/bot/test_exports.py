"""CSV exports in chat: /export and the Export CSV button under /stats."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fake_telegram import Call, FakeTelegram, FakeUser
from stories import on_plan, started, tracked_channel

from bot.callbacks import StatsAction, StatsCb
from bot.handlers.exports import ExportStatus
from services.exports import ExportKind
from services.i18n import ENGLISH

# The count Telegram reports when the channel is added, as the history below ends.
ADDED_WITH = 1450
BOM = "\ufeff"
POSTS_HEADER = [
    "Message ID",
    "Posted at (UTC)",
    "Text",
    "Media",
    "Views",
    "Views at 24 h",
    "Reactions",
    "Engagement, %",
    "Link",
]


def documents(call: Call) -> dict[str, list[list[str]]]:
    """The CSV files of a sendMediaGroup, by file name, parsed back after checking the BOM."""
    parsed = {}
    for index in range(len(call.params["media"])):
        upload = call.files[f"media[{index}]"]
        text = upload.data.decode("utf-8")
        assert text.startswith(BOM), "Excel needs the BOM to read UTF-8"
        parsed[upload.filename] = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    return parsed


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


async def export_and_get_files(tg: FakeTelegram, user: FakeUser, command: str):
    await tg.send_text(user, command)
    return documents(tg.last_to(user, "sendMediaGroup"))


async def test_export_sends_csv_files_that_parse_back_to_the_rows(
    app, tg: FakeTelegram, db, clock
) -> None:
    alice = await started(tg)
    channel = await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    today = clock.now().date()
    first_day = today - timedelta(days=6)

    await tg.post(channel, "Old news", date=at(today - timedelta(days=9), 9))
    soup = await tg.post(
        channel,
        "Борщ за 30 минут — recipe inside",
        photo=True,
        date=at(today - timedelta(days=3), 10),
    )
    fresh = await tg.post(channel, 'Quotes "and", commas\nand lines', date=at(today, 0, 5))
    await tg.react(channel, soup, {"👍": 30, "🔥": 15}, date=at(today - timedelta(days=2), 12))
    await tg.react(channel, soup, {"👍": 20}, date=at(today - timedelta(days=3), 12))
    await tg.join(channel, count=3, date=at(first_day, 9))
    await tg.leave(channel, count=1, date=at(first_day, 23, 59))
    await tg.join(channel, count=2, date=at(today - timedelta(days=2), 18))
    await tg.join(channel, count=5, date=at(first_day - timedelta(days=1), 12))  # before
    await app.services.ingestion.flush()
    soup_posted = at(today - timedelta(days=3), 10)
    await db.executemany(
        "INSERT INTO post_views VALUES ($1, $2, $3, $4)",
        [
            (channel.id, soup, soup_posted + timedelta(hours=1), 400),
            (channel.id, soup, soup_posted + timedelta(hours=23, minutes=10), 1150),
            (channel.id, soup, soup_posted + timedelta(hours=24, minutes=5), 1200),
            (channel.id, soup, soup_posted + timedelta(hours=48), 1500),
        ],
    )
    await db.executemany(
        "INSERT INTO subscriber_snapshots VALUES ($1, $2, $3)",
        [
            (channel.id, at(first_day - timedelta(days=3), 12), 1300),
            (channel.id, at(first_day + timedelta(days=1), 8), 1400),
            (channel.id, at(first_day + timedelta(days=1), 20), 1410),
            (channel.id, at(today - timedelta(days=2), 12), 1450),
        ],
    )

    files = await export_and_get_files(tg, alice, "/export @cookingdaily 7")

    period = f"{first_day}_{today}"
    assert list(files) == [
        f"cookingdaily_posts_{period}.csv",
        f"cookingdaily_subscribers_{period}.csv",
        f"cookingdaily_joins_leaves_{period}.csv",
        f"cookingdaily_sources_{period}.csv",
    ]
    assert files[f"cookingdaily_posts_{period}.csv"] == [
        POSTS_HEADER,
        [
            str(soup),
            f"{today - timedelta(days=3)} 10:00:00",
            "Борщ за 30 минут — recipe inside",
            "photo",
            "1500",
            "1150",  # the last count at or before 24 h, as /stats has it
            "45",
            "3.0",
            f"https://t.me/cookingdaily/{soup}",
        ],
        [
            str(fresh),
            f"{today} 00:05:00",
            'Quotes "and", commas\nand lines',
            "",
            "",
            "",
            "0",
            "",
            f"https://t.me/cookingdaily/{fresh}",
        ],
    ]
    days = [str(first_day + timedelta(days=n)) for n in range(7)]
    subscribers = ["1300", "1410", "1410", "1410", "1450", "1450", "1450"]
    assert files[f"cookingdaily_subscribers_{period}.csv"] == [
        ["Date", "Subscribers"],
        *([day, count] for day, count in zip(days, subscribers, strict=True)),
    ]
    joins_leaves = {days[0]: ["3", "1", "2"], days[4]: ["2", "0", "2"]}
    assert files[f"cookingdaily_joins_leaves_{period}.csv"] == [
        ["Date", "Joins", "Leaves", "Net"],
        *([day, *joins_leaves.get(day, ["0", "0", "0"])] for day in days),
    ]
    # The leave is of one who joined the same day with no link: it counts against "no link".
    organic = "🌱 No link (search, the username, forwarded posts)"
    assert files[f"cookingdaily_sources_{period}.csv"] == [
        ["Date", "Source", "Joins", "Leaves"],
        [days[0], organic, "3", "1"],
        [days[4], organic, "2", "0"],
    ]
    album = tg.last_to(alice, "sendMediaGroup")
    assert "<b>Cooking Daily</b>" in album.params["media"][-1]["caption"]
    assert "2 posts" in album.params["media"][-1]["caption"]
    actions = [c.params["action"] for c in tg.sent("sendChatAction", chat_id=alice)]
    assert actions and set(actions) == {"upload_document"}


async def test_export_uses_the_users_time_zone(app, tg: FakeTelegram, db, clock) -> None:
    alice = await started(tg)
    channel = await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    await db.execute("UPDATE users SET time_zone = 'Asia/Tokyo' WHERE id = $1", alice.id)
    three_days_ago = clock.now().date() - timedelta(days=3)
    # 20:30 UTC is 05:30 the next morning in Tokyo (UTC+9, no daylight saving).
    message_id = await tg.post(channel, "Late post", date=at(three_days_ago, 20, 30))
    await tg.join(channel, count=1, date=at(three_days_ago, 20, 30))
    await app.services.ingestion.flush()

    files = await export_and_get_files(tg, alice, "/export 7")

    tokyo_day = three_days_ago + timedelta(days=1)
    posts = next(rows for name, rows in files.items() if "_posts_" in name)
    assert posts[0][1] == "Posted at (Asia/Tokyo)"
    assert posts[1][:3] == [str(message_id), f"{tokyo_day} 05:30:00", "Late post"]
    joins = next(rows for name, rows in files.items() if "_joins_leaves_" in name)
    assert [row for row in joins[1:] if row[1] != "0"] == [[str(tokyo_day), "1", "0", "1"]]


async def test_private_channel_files_are_named_after_its_title_without_links(
    app, tg: FakeTelegram
) -> None:
    alice = await started(tg)
    channel = await tracked_channel(
        tg, alice, title="Семейный чат · Family", username=None, subscribers=ADDED_WITH
    )
    await tg.post(channel, "Hello")
    await app.services.ingestion.flush()

    files = await export_and_get_files(tg, alice, "/export")

    posts_name = next(name for name in files if "_posts_" in name)
    assert posts_name.startswith("семейный_чат_family_posts_")
    assert files[posts_name][1][-1] == ""


@pytest.mark.parametrize(
    ("stats_args", "days_back"),
    [pytest.param("7d", (6, 0), id="last-days"), pytest.param("range", (9, 3), id="range")],
)
async def test_export_csv_under_stats_exports_that_channel_and_period(
    app, tg: FakeTelegram, clock, stats_args: str, days_back: tuple[int, int]
) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    first, last = (clock.now().date() - timedelta(days=back) for back in days_back)
    if stats_args == "range":
        stats_args = f"{first} {last}"
    await tg.send_text(alice, f"/stats {stats_args}")

    query_id = await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Export CSV")

    assert tg.callback_answer(query_id) == {}
    files = documents(tg.last_to(alice, "sendMediaGroup"))
    assert f"cookingdaily_posts_{first}_{last}.csv" in files


async def test_a_channel_the_user_does_not_administer_is_refused(app, tg: FakeTelegram) -> None:
    alice, mallory = await started(tg), tg.user("Mallory")
    channel = await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    await tg.post(channel, "Secret recipe")
    await app.services.ingestion.flush()

    assert "Only admins of a channel" in await tg.ask(mallory, "/export @cookingdaily")

    button = StatsCb(action=StatsAction.EXPORT, channel_id=channel.id, days=7)
    query_id = await tg.press(
        mallory, tg.last_to(mallory, "sendMessage"), button.pack(), strict=False
    )
    answer = tg.callback_answer(query_id)
    assert answer["show_alert"] is True
    assert "Only admins of a channel" in answer["text"]
    assert tg.sent("sendMediaGroup") == []
    assert tg.sent("sendDocument") == []


async def test_several_channels_are_offered_to_choose_from(app, tg: FakeTelegram) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice, "First", "firstchan", subscribers=ADDED_WITH)
    await tracked_channel(tg, alice, "Second", "secondchan", subscribers=ADDED_WITH)

    choice = await tg.reply_to(alice, "/export 7")
    assert choice.text == "Which channel?"
    await tg.press_button(alice, choice, "@secondchan")

    files = documents(tg.last_to(alice, "sendMediaGroup"))
    assert all(name.startswith("secondchan_") for name in files)
    assert any("_subscribers_" in name for name in files)


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        pytest.param("@one @two", "I don't understand <code>@two</code>", id="two-channels"),
        pytest.param("0d", "A period has from 1 to 9,999 days", id="no-days"),
        pytest.param("from 2026-10-01", "A range needs two dates", id="one-date"),
    ],
)
async def test_unclear_arguments_get_examples(app, tg: FakeTelegram, args: str, answer: str):
    alice = await started(tg)
    await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    await tg.send_text(alice, f"/export {args}")
    reply = tg.texts_to(alice)[-1]
    assert answer in reply and "<code>/export @yourchannel 7d</code>" in reply


async def test_a_range_of_dates_exports_those_days(app, tg: FakeTelegram, clock) -> None:
    alice = await started(tg)
    channel = await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    today = clock.now().date()
    first, last = today - timedelta(days=6), today - timedelta(days=4)
    for back in range(8):
        await tg.post(channel, f"Day {back}", date=at(today - timedelta(days=back), 9))
    await app.services.ingestion.flush()

    files = await export_and_get_files(tg, alice, f"/export from {first} to {last}")

    posts = files[f"cookingdaily_posts_{first}_{last}.csv"]
    assert [row[2] for row in posts[1:]] == ["Day 6", "Day 5", "Day 4"]
    days = [row[0] for row in files[f"cookingdaily_joins_leaves_{first}_{last}.csv"][1:]]
    assert days == [str(first), str(first + timedelta(days=1)), str(last)]


async def test_daily_export_limit_answers_with_the_limit_and_an_upgrade(
    app, tg: FakeTelegram, db
) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    for _ in range(3):
        await tg.send_text(alice, "/export 7")
    assert len(tg.sent("sendMediaGroup", chat_id=alice)) == 3

    await tg.send_text(alice, "/export 7")

    refusal = tg.last_to(alice, "sendMessage")
    assert refusal.text == "🔒 Your Free plan allows 3 CSV exports a day. Upgrade to get more."
    refusal.button("Upgrade")
    assert len(tg.sent("sendMediaGroup", chat_id=alice)) == 3

    await on_plan(app, alice, "pro")
    await tg.send_text(alice, "/export 7")
    assert len(tg.sent("sendMediaGroup", chat_id=alice)) == 4


async def test_daily_export_limit_met_from_the_button_is_told_in_the_chat(
    app, tg: FakeTelegram, db
) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice)
    for _ in range(3):
        await tg.send_text(alice, "/export 7")
    await tg.send_text(alice, "/stats 7d")

    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Export CSV")

    refusal = tg.last_to(alice, "sendMessage")
    assert refusal.text == "🔒 Your Free plan allows 3 CSV exports a day. Upgrade to get more."
    refusal.button("Upgrade")
    # The button was answered once, when pressed: Telegram refuses a second answer.
    assert [call.ok for call in tg.sent("answerCallbackQuery")] == [True]


async def test_a_period_longer_than_the_plans_history_is_refused(app, tg, db) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice, subscribers=ADDED_WITH)

    await tg.send_text(alice, "/export 90")

    refusal = tg.last_to(alice, "sendMessage")
    assert refusal.text == "🔒 Your Free plan allows 30 days of history. Upgrade to get more."
    refusal.button("Upgrade")
    assert tg.sent("sendMediaGroup") == []
    assert await db.fetchval("SELECT coalesce(sum(used), 0) FROM usage_counters") == 0


@pytest.mark.settings(export_status_after_seconds=0)
async def test_a_slow_export_shows_a_status_that_is_edited_to_done(app, tg: FakeTelegram) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    mark = tg.mark()

    await tg.send_text(alice, "/export 7")

    status = next(c for c in tg.sent("sendMessage", chat_id=alice) if c.index >= mark)
    assert status.text == "⏳ Preparing posts… 0 rows"
    edits = [c for c in tg.sent("editMessageText", chat_id=alice) if c.index >= mark]
    assert edits[-1].params["message_id"] == status.message_id
    assert edits[-1].text == "✅ Done. Your files are below."
    assert status.index < tg.last_to(alice, "sendMediaGroup").index < edits[-1].index


async def test_the_status_counts_rows_without_editing_too_often(app, tg, clock) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    mark = tg.mark()
    status = ExportStatus(app.app.bot, alice.id, clock, ENGLISH, show_after=3)

    await status.on_progress(ExportKind.POSTS, 0)
    clock.advance(seconds=3)
    await status.on_progress(ExportKind.POSTS, 5_000)
    clock.advance(seconds=1)
    await status.on_progress(ExportKind.POSTS, 10_000)  # a second later: no edit yet
    clock.advance(seconds=1)
    await status.on_progress(ExportKind.POSTS, 120_000)
    clock.advance(seconds=2)
    await status.on_progress(ExportKind.SUBSCRIBERS, 0)
    await status.done()

    shown = [(c.method, c.text) for c in tg.sent(chat_id=alice) if c.index >= mark]
    assert shown == [
        ("sendMessage", "⏳ Preparing posts… 5,000 rows"),
        ("editMessageText", "⏳ Preparing posts… 120,000 rows"),
        ("editMessageText", "⏳ Preparing daily subscribers… 0 rows"),
        ("editMessageText", "✅ Done. Your files are below."),
    ]


async def test_a_quick_export_shows_no_status(app, tg: FakeTelegram) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    mark = tg.mark()

    await tg.send_text(alice, "/export 7")

    assert [c.method for c in tg.sent(chat_id=alice)[-1:]] == ["sendMediaGroup"]
    assert not [c for c in tg.sent("sendMessage", chat_id=alice) if c.index >= mark]


@pytest.mark.settings(export_max_file_bytes=200)
async def test_a_file_too_large_to_send_is_refused_and_not_counted(app, tg, db) -> None:
    alice = await started(tg)
    channel = await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    for number in range(5):
        await tg.post(channel, f"Post number {number} with a long enough text to fill the file")
    await app.services.ingestion.flush()

    await tg.send_text(alice, "/export 7")

    assert "posts file would be larger than 0 MB" in tg.texts_to(alice)[-1]
    assert tg.sent("sendMediaGroup") == []
    assert await db.fetchval("SELECT coalesce(sum(used), 0) FROM usage_counters") == 0


async def test_an_export_that_fails_to_send_is_not_counted(app, tg: FakeTelegram, db) -> None:
    alice = await started(tg)
    await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    tg.fail_next("sendMediaGroup", error_code=400, description="Bad Request: file is broken")

    await tg.send_text(alice, "/export 7")

    assert "I couldn't send you that answer" in tg.texts_to(alice)[-1]
    assert await db.fetchval("SELECT coalesce(sum(used), 0) FROM usage_counters") == 0


async def test_a_button_with_a_forged_period_is_stale(app, tg: FakeTelegram) -> None:
    alice = await started(tg)
    channel = await tracked_channel(tg, alice, subscribers=ADDED_WITH)

    # Callback data a StatsCb cannot be built with: a period of no days.
    forged = f"st:e:{channel.id}:0"
    query_id = await tg.press(alice, tg.last_to(alice, "sendMessage"), forged, strict=False)

    assert "no longer works" in tg.callback_answer(query_id)["text"]
    assert tg.sent("sendMediaGroup") == []


async def test_post_texts_that_look_like_formulas_stay_text(app, tg: FakeTelegram) -> None:
    alice = await started(tg)
    channel = await tracked_channel(tg, alice, subscribers=ADDED_WITH)
    await tg.post(channel, '=HYPERLINK("http://evil.example","win")')
    await tg.post(channel, "-5 degrees today")
    await tg.post(channel, "Plain text")
    await app.services.ingestion.flush()

    files = await export_and_get_files(tg, alice, "/export @cookingdaily 7")

    posts = next(rows for name, rows in files.items() if "_posts_" in name)
    assert [row[2] for row in posts[1:]] == [
        '\'=HYPERLINK("http://evil.example","win")',
        "'-5 degrees today",
        "Plain text",
    ]
