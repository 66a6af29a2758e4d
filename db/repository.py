"""What every repository is built on: the pool its SQL runs on."""

import asyncpg


class Repository:
    def __init__(self, pool: asyncpg.Pool | asyncpg.Connection) -> None:
        """A pool, or a connection inside a transaction that spans other tables (billing's)."""
        self._pool = pool
