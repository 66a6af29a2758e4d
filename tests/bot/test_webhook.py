"""Webhook mode: Telegram posts updates to the web app, with the secret set at start."""

from pathlib import Path

import pytest
from fake_telegram import FakeTelegram, Webhook
from stories import owner_with_channel

from bot.webhook import SECRET_FILE_NAME, webhook_secret
from services.config import Settings

PUBLIC_URL = "https://bot.example.org/telegram/webhook"
webhook_mode = pytest.mark.settings(bot_mode="webhook", webhook_url=PUBLIC_URL)


@webhook_mode
async def test_updates_posted_with_the_secret_are_handled(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")

    await tg.send_text(alice, "/help")

    assert "<b>Commands</b>" in tg.texts_to(alice)[-1]
    assert not [c for c in tg.calls if c.method == "getUpdates"]
    assert [status for _, _, status in tg.webhook_deliveries] == [200]


@webhook_mode
async def test_the_webhook_is_set_with_its_update_kinds_and_a_secret(app, tg: FakeTelegram) -> None:
    secret = (app.app.settings.data_dir / SECRET_FILE_NAME).read_text().strip()

    info = await app.app.bot.get_webhook_info()

    assert info.url == PUBLIC_URL
    assert {"message", "callback_query", "chat_member"} <= set(info.allowed_updates)
    assert tg.webhook.secret_token == secret


@webhook_mode
@pytest.mark.parametrize(
    "secret", [pytest.param(None, id="missing"), pytest.param("guessed", id="wrong")]
)
async def test_a_request_without_the_right_secret_gets_401_and_is_not_handled(
    app, tg: FakeTelegram, secret: str | None
) -> None:
    alice = tg.user("Alice")
    help_command = {"type": "bot_command", "offset": 0, "length": 5}
    message = {"message_id": 1, "date": 0, "chat": alice.chat(), "from": alice.api()}
    update = {"update_id": 1, "message": message | {"text": "/help", "entities": [help_command]}}
    mark = tg.mark()

    status = await tg.post_to_webhook(update, url=app.webhook_address, secret_token=secret or "")

    assert status == 401
    assert tg.calls[mark:] == []


@webhook_mode
async def test_a_join_that_could_not_be_stored_is_refused_and_stored_once_when_sent_again(
    app, tg: FakeTelegram, db
) -> None:
    _, channel = await owner_with_channel(tg)
    await db.execute("ALTER TABLE subscriber_events RENAME TO subscriber_events_away")
    try:
        with pytest.raises(AssertionError, match="answered 503"):
            await tg.join(channel)
    finally:
        await db.execute("ALTER TABLE subscriber_events_away RENAME TO subscriber_events")

    await tg.redeliver()

    assert [status for _, _, status in tg.webhook_deliveries[-2:]] == [503, 200]
    assert await db.fetchval("SELECT count(*) FROM subscriber_events") == 1


def test_an_unset_secret_is_made_once_and_kept_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)

    made = webhook_secret(settings)

    assert len(made) >= 32
    assert (tmp_path / SECRET_FILE_NAME).read_text().strip() == made
    assert webhook_secret(settings) == made
    assert (
        webhook_secret(Settings(_env_file=None, data_dir=tmp_path, webhook_secret="set")) == "set"
    )


def test_webhook_mode_without_its_url_is_refused() -> None:
    with pytest.raises(ValueError, match="WEBHOOK_URL"):
        Settings(_env_file=None, bot_mode="webhook")


@pytest.fixture
def leftover_webhook(tg: FakeTelegram) -> None:
    """A webhook an earlier run in webhook mode left; Telegram refuses getUpdates while set."""
    tg.webhook = Webhook(PUBLIC_URL, "secret", 40)


async def test_polling_after_webhook_mode_takes_the_webhook_down(
    leftover_webhook, app, tg: FakeTelegram
) -> None:
    alice = tg.user("Alice")

    await tg.send_text(alice, "/help")

    assert "<b>Commands</b>" in tg.texts_to(alice)[-1]
    assert tg.webhook is None
