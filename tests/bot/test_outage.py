"""PostgreSQL stops and comes back while updates keep arriving: nothing is lost, the bot
answers meanwhile and again afterwards, without a restart."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from fake_telegram import FakeTelegram
from helpers import ManualClock
from own_postgres import OwnPostgres
from stories import owner_with_channel

from db.migrate import migrate

DATABASE_AWAY = "⏳ I can't reach my database right now. Please try again in a minute."


@pytest.fixture
def own_server() -> Iterator[OwnPostgres]:
    """A server of this test's own: it is stopped and started, which the shared one must not be."""
    # A short path: the server's unix socket lives in it.
    data_dir = Path(tempfile.mkdtemp(prefix="abo-"))
    server = OwnPostgres(data_dir)
    server.start()
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
async def own_pool_dsn(own_server: OwnPostgres) -> str:
    """The bot's pool (conftest's own_pool) is on the server of this test's own, migrated."""
    conn = await asyncpg.connect(own_server.dsn)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return own_server.dsn


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def test_a_database_restart_loses_no_post_join_or_reaction_and_the_bot_answers_again(
    app, own_server: OwnPostgres, own_pool: asyncpg.Pool, tg: FakeTelegram
) -> None:
    alice, channel = await owner_with_channel(tg)
    first_post = await tg.post(channel, "Before the outage")

    await own_server.stop_server()
    try:
        with tg.without_waiting():
            mark = tg.mark()
            await tg.send_text(alice, "/channels")
            answer = await tg.wait_for("sendMessage", chat_id=alice.id, after=mark, timeout=15)
            await tg.post(channel, "During the outage")
            await tg.join(channel, count=3)
            await tg.leave(channel)
            await tg.react(channel, first_post, {"👍": 4})
            # The bot keeps polling, and Telegram keeps what it did not confirm.
            await tg.wait_for("getUpdates", after=tg.mark(), timeout=15)
            assert tg.unconfirmed
    finally:
        await own_server.start_server()
    await tg.until_confirmed()

    assert answer.text == DATABASE_AWAY
    texts = await own_pool.fetch("SELECT text FROM posts ORDER BY message_id")
    assert [row["text"] for row in texts] == ["Before the outage", "During the outage"]
    kinds = await own_pool.fetch("SELECT kind FROM subscriber_events ORDER BY id")
    assert [row["kind"] for row in kinds] == ["join", "join", "join", "leave"]
    assert await own_pool.fetchval("SELECT total FROM post_reaction_counts") == 4
    assert "Cooking Daily" in await tg.ask(alice, "/channels")
