"""The connection pool, started against DATABASE_URL or an embedded PostgreSQL."""

import asyncio
import json
import logging
from types import TracebackType
from typing import Any, Self

import asyncpg

from db.config import DatabaseSettings
from db.embedded import EmbeddedPostgres
from db.migrate import migrate

log = logging.getLogger(__name__)


# jsonb's binary form is a version byte (1) and the JSON text.
_JSONB_VERSION = b"\x01"


def _encode_jsonb(value: Any) -> bytes:
    return _JSONB_VERSION + json.dumps(value, ensure_ascii=False).encode()


def _decode_jsonb(data: bytes) -> Any:
    return json.loads(data[1:])


async def _init_connection(conn: asyncpg.Connection) -> None:
    # In binary format, so COPY (copy_records_to_table, which is binary only) can write jsonb.
    await conn.set_type_codec(
        "jsonb",
        encoder=_encode_jsonb,
        decoder=_decode_jsonb,
        schema="pg_catalog",
        format="binary",
    )


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections decode jsonb to Python values."""
    return await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection
    )


class Database:
    """Owns the pool and, when no DATABASE_URL is set, the embedded server behind it."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self._settings = settings
        self._embedded: EmbeddedPostgres | None = None
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("Database.open() has not been awaited")
        return self._pool

    async def open(self, *, run_migrations: bool = True) -> Self:
        if self._settings.database_url is not None:
            dsn = self._settings.database_url.get_secret_value()
        else:
            self._embedded = EmbeddedPostgres(self._settings.data_dir)
            dsn = await asyncio.to_thread(self._embedded.start)
        self._pool = await create_pool(
            dsn,
            min_size=self._settings.db_pool_min_size,
            max_size=self._settings.db_pool_max_size,
        )
        if run_migrations:
            async with self._pool.acquire() as conn:
                await migrate(conn)
        return self

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._embedded is not None:
            await asyncio.to_thread(self._embedded.stop)
            self._embedded = None

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
