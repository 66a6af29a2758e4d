"""What every repository is built on: the pool its SQL runs on."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


class Repository:
    def __init__(self, pool: asyncpg.Pool | asyncpg.Connection) -> None:
        """A pool, or a connection inside a transaction that spans other tables (billing's)."""
        self._pool = pool

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection in a transaction: the pool's, or a savepoint in the one given."""
        if isinstance(self._pool, asyncpg.Connection):
            async with self._pool.transaction():
                yield self._pool
            return
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn
