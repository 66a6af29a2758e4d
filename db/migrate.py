"""Applies migrations/NNNN_name.sql in order, each once, recorded with its checksum."""

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.errors import MigrationError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed number: two processes starting at once take turns instead of racing.
_ADVISORY_LOCK_KEY = 7_240_113_501


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def number(self) -> str:
        return self.name[:4]


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in name order; names must start with a four-digit number, each its own.

    Two files with one number would be ordered by the rest of their names, which nobody reads.
    """
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        if not path.name[:4].isdigit():
            raise MigrationError(f"migration file {path.name} must start with a number, e.g. 0001_")
        migration = Migration(name=path.name, sql=path.read_text(encoding="utf-8"))
        if migrations and migrations[-1].number == migration.number:
            raise MigrationError(
                f"migrations {migrations[-1].name} and {migration.name} have the same number; "
                "renumber the one not yet applied to the next free number"
            )
        migrations.append(migration)
    return migrations


def _pending(migrations: list[Migration], applied: dict[str, str]) -> list[Migration]:
    """The migrations not yet applied; refuses an edited applied one and one that landed late.

    A pending file that sorts before the newest applied one would run last here but in order on
    a new database, so the two would end up with different schemas.
    """
    for migration in migrations:
        recorded = applied.get(migration.name)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(
                f"migration {migration.name} was changed after it was applied; "
                "add a new migration instead of editing an applied one"
            )
    pending = [migration for migration in migrations if migration.name not in applied]
    newest_applied = max(applied, default="")
    for migration in pending:
        if migration.name < newest_applied:
            raise MigrationError(
                f"migration {migration.name} sorts before {newest_applied}, which is already "
                "applied; renumber it to come after the newest migration"
            )
    return pending


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the pending migrations and return their names; refuse edited or late ones."""
    await conn.execute("SELECT pg_advisory_lock($1)", _ADVISORY_LOCK_KEY)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name text PRIMARY KEY,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        applied = {
            row["name"]: row["checksum"]
            for row in await conn.fetch("SELECT name, checksum FROM schema_migrations")
        }
        newly_applied = []
        for migration in _pending(load_migrations(directory), applied):
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                    migration.name,
                    migration.checksum,
                )
            log.info("applied migration %s", migration.name)
            newly_applied.append(migration.name)
        return newly_applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _ADVISORY_LOCK_KEY)
