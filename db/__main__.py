"""`python -m db migrate`: apply pending migrations to the configured database."""

import argparse
import asyncio
import logging
import sys

from db.config import DatabaseSettings
from db.errors import MigrationError
from db.pool import Database


async def _migrate() -> None:
    async with Database(DatabaseSettings()) as database:
        # Database.open has already migrated; say what the database now holds.
        count = await database.pool.fetchval("SELECT count(*) FROM schema_migrations")
        print(f"database is up to date ({count} migrations applied)")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m db")
    parser.add_argument("command", choices=["migrate"])
    parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(_migrate())
    except MigrationError as error:
        print(f"migration failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
