"""`python -m bot` as a newcomer runs it: no token, then a clean start and stop."""

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest
from fake_telegram import BOT_TOKEN, FakeTelegram
from helpers import create_database, drop_database
from stories import owner_with_channel

from db.migrate import migrate

REPO = Path(__file__).resolve().parents[2]


async def _start_bot(cwd: Path, **settings: str) -> asyncio.subprocess.Process:
    """`python -m bot` in `cwd` with these settings (never this shell's BOT_TOKEN or
    DATABASE_URL), its output piped."""
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env={**env, "PYTHONPATH": str(REPO), **settings},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_without_token_it_explains_how_to_get_one(tmp_path: Path) -> None:
    process = await _start_bot(tmp_path)  # no .env here
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 2
    assert "@BotFather" in stderr.decode()
    assert "Traceback" not in stderr.decode() + stdout.decode()


async def test_starts_migrates_polls_and_stops_on_sigterm(
    tg: FakeTelegram, database_dsn: str, session_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    process = await _start_bot(
        tmp_path,
        BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE=tg.base_url,
        DATABASE_URL=database_dsn,
        WEB_PORT="0",
        DATA_DIR=str(tmp_path),
    )
    try:
        await tg.wait_for("getUpdates", after=0, timeout=60)
        alice = tg.user("Alice")
        mark = tg.mark()
        await tg.send_text(alice, "/help")
        # Production handles updates as tasks: the answer may come after the update is confirmed.
        reply = await tg.wait_for("sendMessage", chat_id=alice.id, after=mark, timeout=10)
        assert "<b>Commands</b>" in reply.text
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert "bot stopped" in log
    assert BOT_TOKEN not in log + stdout.decode()


async def test_a_database_whose_applied_migration_was_edited_is_refused(
    server_dsn: str, tmp_path: Path
) -> None:
    name = f"analyticbot_edited_{os.getpid()}"
    dsn = await create_database(server_dsn, name)
    try:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
            first = await conn.fetchval("SELECT min(name) FROM schema_migrations")
            await conn.execute("UPDATE schema_migrations SET checksum = 'edited'")
        finally:
            await conn.close()
        process = await _start_bot(tmp_path, BOT_TOKEN=BOT_TOKEN, DATABASE_URL=dsn)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await drop_database(server_dsn, name)

    assert process.returncode == 1
    assert f"Cannot start: migration {first} was changed after it was applied" in stderr.decode()
    assert "Traceback" not in stderr.decode() + stdout.decode()


@pytest.fixture
def short_data_dir() -> Iterator[Path]:
    """A data dir with a short path: the embedded server's unix socket lives in it."""
    path = Path(tempfile.mkdtemp(prefix="abt-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def test_sigterm_stops_the_bot_and_its_embedded_server_with_a_query_in_flight(
    tg: FakeTelegram, short_data_dir: Path
) -> None:
    process = await _start_bot(
        short_data_dir,
        BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE=tg.base_url,
        WEB_PORT="0",
        DATA_DIR=str(short_data_dir),
        # Far longer than the test waits: the statement timeout is not what ends the query.
        DB_STATEMENT_TIMEOUT_SECONDS="600",
    )
    holder: asyncpg.Connection | None = None
    postmaster: psutil.Process | None = None
    try:
        await tg.wait_for("getUpdates", after=0, timeout=120)
        postmaster, dsn = _embedded_server(short_data_dir / "pg")
        # A runaway query: /channels waits for a lock this connection holds.
        holder = await asyncpg.connect(dsn)
        await holder.execute("BEGIN; LOCK TABLE channels IN ACCESS EXCLUSIVE MODE")
        # Updates are handled as tasks: the update is confirmed while its handler still waits.
        await tg.send_text(tg.user("Alice"), "/channels")
        await _until_a_query_waits_for_a_lock(holder)

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        stopped_after = time.monotonic() - started
        server_left_running = _running(postmaster)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        if holder is not None:
            holder.terminate()
        if postmaster is not None and _running(postmaster):
            postmaster.terminate()  # a failed run must not leave the server behind

    assert process.returncode == 0, stderr.decode()
    assert stopped_after < 10, stderr.decode()
    assert not server_left_running, "the embedded PostgreSQL is still running"
    assert "bot stopped" in stderr.decode()
    assert "Traceback" not in stderr.decode()


def _embedded_server(pgdata: Path) -> tuple[psutil.Process, str]:
    """The postmaster and a DSN, from its postmaster.pid (pid, data dir, start, port, socket)."""
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    pid, port, socket_dir = int(lines[0]), lines[3], lines[4]
    return psutil.Process(pid), f"postgresql://postgres@/postgres?host={socket_dir}&port={port}"


async def _until_a_query_waits_for_a_lock(conn: asyncpg.Connection) -> None:
    for _ in range(100):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        )
        if waiting:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("no query started waiting for the lock")


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def test_a_bot_killed_right_after_a_burst_stores_each_post_and_join_once_after_a_restart(
    tg: FakeTelegram, database_dsn: str, db: asyncpg.Pool, tmp_path: Path
) -> None:
    settings = dict(
        BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE=tg.base_url,
        DATABASE_URL=database_dsn,
        WEB_PORT="0",
        DATA_DIR=str(tmp_path),
        # Far longer than the test: only what comes before confirming writes the burst.
        INGEST_FLUSH_SECONDS="600",
    )
    process = await _start_bot(tmp_path, **settings)
    holder: asyncpg.Connection | None = None
    try:
        await tg.wait_for("getUpdates", after=0, timeout=60)
        mark = tg.mark()
        alice, channel = await owner_with_channel(tg)
        await tg.wait_for("sendMessage", chat_id=alice.id, after=mark, timeout=10)  # tracked
        # The bot's first write of the burst waits for a lock, so it dies with nothing stored.
        holder = await asyncpg.connect(database_dsn)
        await holder.execute("BEGIN; LOCK TABLE posts IN ACCESS EXCLUSIVE MODE")
        with tg.without_waiting():
            for number in range(10):
                await tg.post(channel, f"Post {number}")
            await tg.join(channel, count=10)
        await _until_a_query_waits_for_a_lock(holder)
        process.kill()
        await process.wait()
        await holder.execute("ROLLBACK")

        mark = tg.mark()
        process = await _start_bot(tmp_path, **settings)
        await tg.wait_for("getUpdates", after=mark, timeout=60)
        await tg.until_confirmed()
    finally:
        if holder is not None:
            holder.terminate()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=30)

    posts = await db.fetch("SELECT text FROM posts ORDER BY message_id")
    assert [row["text"] for row in posts] == [f"Post {number}" for number in range(10)]
    assert await db.fetchval("SELECT count(*) FROM subscriber_events WHERE kind = 'join'") == 10
