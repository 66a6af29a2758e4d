"""The pool's timeouts: no statement, no wait for a connection and no close runs forever."""

import asyncio
import os
import time

import asyncpg
import pytest
from helpers import create_database, drop_database

from db.config import DatabaseSettings
from db.migrate import MIGRATIONS_DIR
from db.pool import Database, create_pool
from services.errors import database_gave_up

# One per test process: parallel workers and runs in other checkouts share the server.
FRESH_DATABASE = f"analyticbot_pool_test_{os.getpid()}"


async def test_a_statement_past_the_timeout_is_cancelled_and_frees_its_connection(
    database_dsn: str,
) -> None:
    pool = await create_pool(database_dsn, max_size=1, statement_timeout=0.2)
    try:
        with pytest.raises(asyncpg.QueryCanceledError) as raised:
            await pool.fetchval("SELECT pg_sleep(5)")
        assert database_gave_up(raised.value)
        # The pool's only connection is back and usable.
        assert await pool.fetchval("SELECT 1", timeout=1) == 1
    finally:
        await pool.close()


async def test_waiting_for_a_free_connection_gives_up_after_the_acquire_timeout(
    database_dsn: str,
) -> None:
    pool = await create_pool(database_dsn, max_size=1, acquire_timeout=0.2)
    try:
        async with pool.acquire():
            started = time.monotonic()
            with pytest.raises(TimeoutError) as raised:
                await pool.fetchval("SELECT 1")
            assert time.monotonic() - started < 1
        assert database_gave_up(raised.value)
        assert await pool.fetchval("SELECT 1") == 1
    finally:
        await pool.close()


async def test_migrations_are_not_held_to_the_statement_timeout(server_dsn: str) -> None:
    dsn = await create_database(server_dsn, FRESH_DATABASE)
    settings = DatabaseSettings(
        _env_file=None, database_url=dsn, db_statement_timeout_seconds=0.001
    )
    try:
        database = await Database(settings).open()  # every migration, on a fresh database
        try:
            with pytest.raises(asyncpg.QueryCanceledError):
                await database.pool.fetchval("SELECT pg_sleep(0.1)")
        finally:
            await database.close()
        conn = await asyncpg.connect(dsn)
        try:
            applied = await conn.fetchval("SELECT count(*) FROM schema_migrations")
        finally:
            await conn.close()
        assert applied == len(list(MIGRATIONS_DIR.glob("*.sql")))
    finally:
        await drop_database(server_dsn, FRESH_DATABASE)


async def test_close_cuts_a_statement_still_running_after_the_close_timeout(
    database_dsn: str,
) -> None:
    settings = DatabaseSettings(
        _env_file=None, database_url=database_dsn, db_close_timeout_seconds=0.3
    )
    database = await Database(settings).open(run_migrations=False)
    runaway = asyncio.create_task(database.pool.fetchval("SELECT pg_sleep(3)"))
    await asyncio.sleep(0.2)

    started = time.monotonic()
    await database.close()

    assert time.monotonic() - started < 1
    with pytest.raises(asyncpg.ConnectionDoesNotExistError):
        await runaway
