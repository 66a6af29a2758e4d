"""What every repository is built on: the pool its SQL runs on, and records from its rows."""

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg

Record = TypeVar("Record")


def record_from(record_type: type[Record], row: asyncpg.Record, **given: Any) -> Record:
    """The record dataclass from the row's columns named as its fields, but for those `given`
    (a nested record, say); the row may carry more columns."""
    names = (field.name for field in dataclasses.fields(record_type))  # type: ignore[arg-type]
    return record_type(**{name: row[name] for name in names if name not in given}, **given)


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
