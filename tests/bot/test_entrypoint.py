"""`python -m bot` as a newcomer runs it: no token, then a clean start and stop."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import asyncpg
from fake_telegram import BOT_TOKEN, FakeTelegram
from helpers import create_database, drop_database

from db.migrate import migrate

REPO = Path(__file__).resolve().parents[2]


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    env.update(values)
    return env


async def test_without_token_it_explains_how_to_get_one(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,  # no .env here
        env=_env(PYTHONPATH=str(REPO)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 2
    assert "@BotFather" in stderr.decode()
    assert "Traceback" not in stderr.decode() + stdout.decode()


async def test_starts_migrates_polls_and_stops_on_sigterm(
    tg: FakeTelegram, database_dsn: str, session_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=_env(
            PYTHONPATH=str(REPO),
            BOT_TOKEN=BOT_TOKEN,
            TELEGRAM_API_BASE=tg.base_url,
            DATABASE_URL=database_dsn,
            WEB_PORT="0",
            DATA_DIR=str(tmp_path),
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
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
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=_env(PYTHONPATH=str(REPO), BOT_TOKEN=BOT_TOKEN, DATABASE_URL=dsn),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await drop_database(server_dsn, name)

    assert process.returncode == 1
    assert f"Cannot start: migration {first} was changed after it was applied" in stderr.decode()
    assert "Traceback" not in stderr.decode() + stdout.decode()
