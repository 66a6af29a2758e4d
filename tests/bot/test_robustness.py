"""Bad input, flaky Telegram, a database hiccup: the bot answers briefly and keeps going."""

import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from channel_history import SAMPLE_NOW, SAMPLE_SUBSCRIBERS, write_sample_history
from fake_telegram import BOT_TOKEN, Call, FakeTelegram, FakeUser
from helpers import FreezableProxy, ManualClock
from stories import owner_of

from bot.logs import RedactSecrets

# What the user reads when the database gave up, and when Telegram would not take the answer.
TOOK_TOO_LONG = "⏳ That took too long to answer. Try a shorter period, or try again in a minute."
REPLY_FAILED = "😔 I couldn't send you that answer. Please try again in a minute."


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


@pytest.fixture
async def database_proxy(database_dsn: str) -> AsyncIterator[FreezableProxy]:
    async with FreezableProxy(database_dsn) as proxy:
        yield proxy


@pytest.fixture
def own_pool_dsn(database_proxy: FreezableProxy) -> str:
    """The bot under test here reaches its database through a proxy that can freeze it."""
    return database_proxy.dsn


def tracebacks_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What was logged at ERROR or with a traceback."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def owner_with_stats(tg: FakeTelegram, db) -> tuple[FakeUser, Call]:
    """Alice owns a tracked channel with history and has just asked for its /stats."""
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    channel = tg.channel("Test Channel", "testchannel", owner=alice, subscribers=SAMPLE_SUBSCRIBERS)
    await tg.add_bot_to_channel(channel, by=alice)
    await write_sample_history(db, channel.id)
    await tg.send_text(alice, "/stats 7d")
    return alice, tg.last_to(alice, "sendMessage")


async def test_unknown_command_and_free_text_get_a_hint(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    assert "I don't know the command /frobnicate" in await tg.ask(alice, "/frobnicate now")
    assert "Send /channels" in await tg.ask(alice, "hello there")


async def test_malformed_update_is_skipped_and_polling_goes_on(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    # A channel post without its required date and chat: aiogram cannot parse it.
    await tg.send_update({"channel_post": {"message_id": 1, "text": "broken"}})
    await tg.send_update({"some_future_update_kind": {"x": 1}})

    assert "<b>Commands</b>" in await tg.ask(alice, "/help")


async def test_seven_flood_limits_in_a_row_are_waited_out(app, tg, clock, caplog) -> None:
    alice = tg.user("Alice")
    tg.fail_next("sendMessage", error_code=429, retry_after=1, times=7)

    await tg.send_text(alice, "/help")

    attempts = tg.sent("sendMessage", chat_id=alice.id)
    assert [c.ok for c in attempts] == [False] * 7 + [True]
    assert "<b>Commands</b>" in attempts[-1].text
    assert clock.slept == [1] * 7
    assert tracebacks_logged(caplog) == []


async def test_a_long_flood_wait_gets_a_still_working_note_then_the_answer(
    app, tg, clock, caplog
) -> None:
    alice = tg.user("Alice")
    tg.fail_next("sendMessage", error_code=429, retry_after=300)

    await tg.send_text(alice, "/help")

    note, answer = [c.text for c in tg.sent("sendMessage", chat_id=alice.id) if c.ok]
    assert note == "⏳ Telegram asks me to wait 300 s before answering. Your answer is coming."
    assert "<b>Commands</b>" in answer
    assert clock.slept == [300]
    assert tracebacks_logged(caplog) == []


async def test_a_long_flood_wait_on_a_lookup_sends_no_note(app, tg, clock) -> None:
    alice = tg.user("Alice")
    tg.channel("News", "newsroom", owner=alice)
    tg.fail_next("getChat", error_code=429, retry_after=60)

    await tg.send_text(alice, "/add @newsroom")

    assert [c.chat_id for c in tg.sent("sendMessage")] == [alice.id]
    assert "not an admin of <b>News</b> yet" in tg.texts_to(alice)[-1]
    assert clock.slept == [60]


async def test_eight_server_errors_are_retried_with_backoff(app, tg, clock, caplog) -> None:
    alice = tg.user("Alice")
    tg.fail_next("sendMessage", error_code=500, times=8)

    await tg.send_text(alice, "/help")

    attempts = tg.sent("sendMessage", chat_id=alice.id)
    assert [c.ok for c in attempts] == [False] * 8 + [True]
    assert "<b>Commands</b>" in attempts[-1].text
    assert clock.slept == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert tracebacks_logged(caplog) == []


async def test_a_reply_to_a_user_who_blocked_the_bot_logs_one_line(app, tg, caplog) -> None:
    caplog.set_level(logging.INFO)
    alice = tg.user("Alice")
    tg.fail_next("sendMessage", error_code=403)

    await tg.send_text(alice, "/help")

    assert [c.ok for c in tg.sent("sendMessage", chat_id=alice.id)] == [False]
    assert tracebacks_logged(caplog) == []
    assert sum("blocked the bot" in r.getMessage() for r in caplog.records) == 1


async def test_a_refused_reply_is_a_warning_and_the_user_hears_of_it(app, tg, caplog) -> None:
    alice = tg.user("Alice")
    tg.fail_next("sendMessage", error_code=400, description="Bad Request: message is too long")

    await tg.send_text(alice, "/help")

    assert tg.texts_to(alice) == [REPLY_FAILED]
    assert tracebacks_logged(caplog) == []
    assert any(
        r.levelno == logging.WARNING and "message is too long" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize(
    "command",
    [
        pytest.param("/remove @nosuch", id="a channel not hers"),
        pytest.param("/stats", id="which channel?"),
    ],
)
async def test_a_refusal_telegram_does_not_take_is_a_warning_too(
    app, tg, caplog, command: str
) -> None:
    # With two channels, a bare /stats asks which one.
    alice = await owner_of(tg, "cookingdaily", "bakingdaily")
    tg.fail_next("sendMessage", error_code=400, description="Bad Request: message is too long")

    await tg.send_text(alice, command)

    assert tg.texts_to(alice)[-1] == REPLY_FAILED
    assert tracebacks_logged(caplog) == []


@pytest.mark.parametrize(
    ("failure", "attempts"),
    [
        pytest.param({"error_code": 502, "times": 5}, 3, id="502s: three tries"),
        pytest.param({"error_code": 429, "retry_after": 60}, 1, id="a long 429: no wait"),
    ],
)
async def test_a_failing_button_answer_does_not_lose_the_reply(
    app, tg, db, clock, caplog, failure: dict, attempts: int
) -> None:
    alice, summary = await owner_with_stats(tg, db)
    tg.fail_next("answerCallbackQuery", **failure)

    await tg.press_button(alice, summary, "30d")

    edit = tg.last_to(alice)
    assert edit.method == "editMessageText" and "(30 days)" in edit.text
    assert [c.ok for c in tg.sent("answerCallbackQuery")] == [False] * attempts
    assert sum(clock.slept) < 5
    assert tracebacks_logged(caplog) == []


@pytest.mark.parametrize(
    ("failures", "album_sent"),
    [
        pytest.param(6, True, id="six 500s, then the album"),
        pytest.param(50, False, id="failing on: told in a new message"),
    ],
)
async def test_charts_that_telegram_keeps_refusing_end_in_a_message(
    app, tg, db, caplog, failures: int, album_sent: bool
) -> None:
    alice, summary = await owner_with_stats(tg, db)
    tg.fail_next("sendMediaGroup", error_code=500, times=failures)

    query_id = await tg.press_button(alice, summary, "Charts")

    assert tg.callback_answer(query_id) == {}  # answered before the charts were drawn
    assert any(c.ok for c in tg.sent("sendMediaGroup")) is album_sent
    if not album_sent:
        assert tg.texts_to(alice)[-1] == REPLY_FAILED
    assert tracebacks_logged(caplog) == []


@pytest.mark.settings(db_statement_timeout_seconds=0.5)
async def test_a_hung_table_gets_a_took_too_long_reply_and_frees_the_connection(
    app, tg, db, own_pool, caplog
) -> None:
    alice = tg.user("Alice")
    async with db.acquire() as holder, holder.transaction():
        await holder.execute("LOCK TABLE channels IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        await tg.send_text(alice, "/channels")
        waited = time.monotonic() - started
        still_waiting = await holder.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )

    assert tg.texts_to(alice)[-1] == TOOK_TOO_LONG
    assert waited < 3
    assert still_waiting == 0
    assert own_pool.get_idle_size() == own_pool.get_size()
    assert tracebacks_logged(caplog) == []
    assert "You have no channels yet" in await tg.ask(alice, "/channels")


@pytest.mark.settings(db_statement_timeout_seconds=0.5, db_acquire_timeout_seconds=0.5)
@pytest.mark.usefixtures("own_pool")  # the bot's, through the proxy
async def test_a_frozen_database_gets_a_took_too_long_reply(
    app, tg, database_proxy: FreezableProxy, caplog
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/help")
    database_proxy.freeze()
    try:
        started = time.monotonic()
        await tg.send_text(alice, "/help")
        waited = time.monotonic() - started
    finally:
        database_proxy.thaw()

    assert tg.texts_to(alice)[-1] == TOOK_TOO_LONG
    assert waited < 5
    assert tracebacks_logged(caplog) == []
    assert "<b>Commands</b>" in await tg.ask(alice, "/help")


@pytest.mark.settings(db_statement_timeout_seconds=0.5)
@pytest.mark.usefixtures("own_pool")  # the bot's, with the statement timeout
async def test_a_button_the_database_gives_up_on_is_answered_in_a_new_message(
    app, tg, db, caplog
) -> None:
    alice, summary = await owner_with_stats(tg, db)
    async with db.acquire() as holder, holder.transaction():
        await holder.execute("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE")
        query_id = await tg.press_button(alice, summary, "Export CSV")

    assert tg.callback_answer(query_id) == {}  # answered at once, before the export ran
    assert tg.texts_to(alice)[-1] == TOOK_TOO_LONG
    assert tracebacks_logged(caplog) == []


@pytest.mark.settings(db_pool_max_size=1, db_acquire_timeout_seconds=0.5)
async def test_no_free_connection_gets_a_took_too_long_reply(app, tg, own_pool, caplog) -> None:
    alice = tg.user("Alice")
    async with own_pool.acquire():
        started = time.monotonic()
        await tg.send_text(alice, "/help")
        waited = time.monotonic() - started

    assert tg.texts_to(alice)[-1] == TOOK_TOO_LONG
    assert waited < 3
    assert tracebacks_logged(caplog) == []
    assert "<b>Commands</b>" in await tg.ask(alice, "/help")


async def test_database_hiccup_gets_an_apology_with_a_reference(app, tg, db, caplog) -> None:
    alice = tg.user("Alice")
    await db.execute("ALTER TABLE users RENAME TO users_away")
    try:
        await tg.send_text(alice, "/channels")
    finally:
        await db.execute("ALTER TABLE users_away RENAME TO users")

    reply = tg.texts_to(alice)[-1]
    assert reply.startswith("😔 Sorry, something went wrong")
    reference = reply.split("<code>")[1].split("</code>")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    assert "Traceback" not in reply

    assert "You have no channels yet" in await tg.ask(alice, "/channels")


@pytest.mark.settings(throttle_burst=3, throttle_rate=0.01)
async def test_a_flood_from_one_user_is_throttled(app, tg: FakeTelegram) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    for _ in range(6):
        await tg.send_text(alice, "/help")
    await tg.send_text(bob, "/help")

    alice_texts = tg.texts_to(alice)
    assert sum("<b>Commands</b>" in t for t in alice_texts) == 3
    assert sum("Too many requests" in t for t in alice_texts) == 1
    assert "<b>Commands</b>" in tg.texts_to(bob)[-1]


async def test_health_endpoint_checks_the_database(app) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{app.app.web_url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": True, "last_update": None}


def test_secrets_are_redacted_from_log_lines_and_tracebacks() -> None:
    redact = RedactSecrets([BOT_TOKEN])
    try:
        raise RuntimeError(f"request to /bot{BOT_TOKEN}/getMe failed")
    except RuntimeError as error:
        record = logging.LogRecord(
            "aiogram",
            logging.ERROR,
            __file__,
            1,
            "calling %s",
            (f"bot{BOT_TOKEN}",),
            (type(error), error, error.__traceback__),
        )
    redact.filter(record)
    formatted = logging.Formatter().format(record)
    assert BOT_TOKEN not in formatted
    assert "<redacted>" in formatted
    assert "RuntimeError" in formatted
