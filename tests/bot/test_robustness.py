"""Bad input, flaky Telegram, a database hiccup: the bot answers briefly and keeps going."""

import logging

import aiohttp
import pytest
from fake_telegram import BOT_TOKEN, FakeTelegram

from bot.logs import RedactSecrets


async def test_unknown_command_and_free_text_get_a_hint(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/frobnicate now")
    assert "I don't know the command /frobnicate" in tg.texts_to(alice)[-1]
    await tg.send_text(alice, "hello there")
    assert "Send /channels" in tg.texts_to(alice)[-1]


async def test_malformed_update_is_skipped_and_polling_goes_on(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    # A channel post without its required date and chat: aiogram cannot parse it.
    await tg.send_update({"channel_post": {"message_id": 1, "text": "broken"}})
    await tg.send_update({"some_future_update_kind": {"x": 1}})

    await tg.send_text(alice, "/help")
    assert "<b>Commands</b>" in tg.texts_to(alice)[-1]


async def test_flood_limit_is_waited_out(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    tg.fail_next("sendMessage", error_code=429, retry_after=1)

    await tg.send_text(alice, "/help")

    attempts = tg.sent("sendMessage", chat_id=alice.id)
    assert [c.error is not None for c in attempts] == [True, False]
    assert "<b>Commands</b>" in attempts[-1].text


async def test_server_errors_are_retried(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    tg.fail_next("sendMessage", error_code=502, times=2)

    await tg.send_text(alice, "/help")

    attempts = tg.sent("sendMessage", chat_id=alice.id)
    assert len(attempts) == 3
    assert attempts[-1].error is None


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

    await tg.send_text(alice, "/channels")
    assert "You have no channels yet" in tg.texts_to(alice)[-1]


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
        assert await response.json() == {"status": "ok", "database": True}


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
