"""What every repository is built on: the pool its SQL runs on, and records from its rows."""

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg

from db.errors import NotFound

Record = TypeVar("Record")
Found = TypeVar("Found")


def found(value: Found | None, what: str) -> Found:
    """What a query returned, or NotFound naming `what` where it returned nothing."""
    if value is None:
        raise NotFound(what)
    return value


@functools.cache
def _parameter_names(make: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(make).parameters)


def record_from(make: Callable[..., Record], row: asyncpg.Record, **given: Any) -> Record:
    """What `make` (a record dataclass, or an event's factory) builds from the row's columns
    named as its parameters, but for those `given` (a nested record, say); the row may carry
    more columns."""
    names = _parameter_names(make)
    return make(**{name: row[name] for name in names if name not in given}, **given)


def columns(items: Iterable[Any], *names: str) -> list[list[Any]]:
    """One list per attribute named, for `unnest($1::type[], ...)` to read back as rows."""
    items = list(items)
    return [[getattr(item, name) for item in items] for name in names]


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

    async def _fetch_records(
        self, make: Callable[..., Record], query: str, *args: object
    ) -> list[Record]:
        """Each row the query returns, as what `make` builds from it (see record_from)."""
        return [record_from(make, row) for row in await self._pool.fetch(query, *args)]
