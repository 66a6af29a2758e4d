"""The migration runner: each file once, in order, and never a silently edited one."""

import os
import shutil
from pathlib import Path

import asyncpg
import pytest
from helpers import create_database, drop_database

from db.errors import MigrationError
from db.migrate import MIGRATIONS_DIR, migrate

# One per test process: runs in other checkouts share the PostgreSQL server.
SCRATCH_DATABASE = f"analyticbot_migrations_test_{os.getpid()}"


@pytest.fixture
async def scratch_conn(server_dsn: str):
    dsn = await create_database(server_dsn, SCRATCH_DATABASE)
    conn = await asyncpg.connect(dsn)
    yield conn
    await conn.close()
    await drop_database(server_dsn, SCRATCH_DATABASE)


async def test_applying_twice_is_a_no_op(scratch_conn: asyncpg.Connection) -> None:
    first = await migrate(scratch_conn)
    assert first == sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
    tables_before = await scratch_conn.fetchval("SELECT count(*) FROM pg_tables")

    assert await migrate(scratch_conn) == []
    assert await scratch_conn.fetchval("SELECT count(*) FROM pg_tables") == tables_before
    applied = await scratch_conn.fetchval("SELECT count(*) FROM schema_migrations")
    assert applied == len(first)


@pytest.fixture
def copied_migrations(tmp_path: Path) -> Path:
    """A copy of the project's migrations, for a test to add to or edit."""
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    return copy


@pytest.fixture
async def applied_migrations(scratch_conn: asyncpg.Connection, copied_migrations: Path) -> Path:
    """The copy, all applied to the scratch database."""
    await migrate(scratch_conn, copied_migrations)
    return copied_migrations


async def test_edited_applied_migration_is_refused(
    scratch_conn: asyncpg.Connection, applied_migrations
) -> None:
    first = sorted(applied_migrations.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after it was applied\n")

    with pytest.raises(MigrationError, match=f"{first.name} was changed after it was applied"):
        await migrate(scratch_conn, applied_migrations)


async def test_new_migration_is_applied_in_order(
    scratch_conn: asyncpg.Connection, applied_migrations
) -> None:
    (applied_migrations / "9998_first.sql").write_text("CREATE TABLE ordering (step int);")
    (applied_migrations / "9999_second.sql").write_text("INSERT INTO ordering VALUES (2);")

    newly_applied = await migrate(scratch_conn, applied_migrations)
    assert newly_applied == ["9998_first.sql", "9999_second.sql"]
    assert await scratch_conn.fetchval("SELECT step FROM ordering") == 2


async def test_failed_migration_leaves_nothing_half_applied(
    scratch_conn: asyncpg.Connection, applied_migrations
) -> None:
    (applied_migrations / "9999_broken.sql").write_text(
        "CREATE TABLE half (id int); SELECT no_such_function();"
    )

    with pytest.raises(asyncpg.UndefinedFunctionError):
        await migrate(scratch_conn, applied_migrations)
    assert await scratch_conn.fetchval("SELECT to_regclass('half')") is None
    assert not await scratch_conn.fetchval(
        "SELECT exists(SELECT 1 FROM schema_migrations WHERE name = '9999_broken.sql')"
    )


async def test_migration_landing_before_the_newest_applied_is_refused(
    scratch_conn: asyncpg.Connection, applied_migrations
) -> None:
    newest = sorted(applied_migrations.glob("*.sql"))[-1].name
    # An old-numbered file from a long-lived branch, merged after newer ones were applied.
    (applied_migrations / "0005_late.sql").write_text("CREATE TABLE late (id int);")

    with pytest.raises(MigrationError, match=f"0005_late.sql sorts before {newest}"):
        await migrate(scratch_conn, applied_migrations)
    assert await scratch_conn.fetchval("SELECT to_regclass('late')") is None


async def test_two_migrations_with_one_number_are_refused(
    scratch_conn: asyncpg.Connection, copied_migrations
) -> None:
    taken = sorted(copied_migrations.glob("*.sql"))[-1].name
    number = taken[:4]
    (copied_migrations / f"{number}_same_number.sql").write_text("CREATE TABLE twin (id int);")

    with pytest.raises(MigrationError, match="have the same number") as refusal:
        await migrate(scratch_conn, copied_migrations)
    assert f"{number}_same_number.sql" in str(refusal.value)
    assert taken in str(refusal.value)
    assert await scratch_conn.fetchval("SELECT to_regclass('twin')") is None
