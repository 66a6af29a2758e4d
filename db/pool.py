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


# A frozen server never cancels anything itself: the client gives up a little after it would.
# (Then the connection's release waits up to the acquire timeout for the cancel to go through.)
_CLIENT_TIMEOUT_GRACE_SECONDS = 1.0


class _Pool(asyncpg.Pool):
    """A pool whose acquire() gives up after acquire_timeout unless the caller says otherwise.

    Pool.fetch, execute and the rest acquire through this too, so no query waits forever for a
    connection.
    """

    def __init__(self, *args: Any, acquire_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self._acquire_timeout if timeout is None else timeout)


async def create_pool(
    dsn: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    statement_timeout: float = 10.0,
    acquire_timeout: float = 5.0,
) -> asyncpg.Pool:
    """A pool whose connections decode jsonb to Python values and cancel slow statements.

    Work that needs longer says so itself: SET LOCAL statement_timeout, and timeout= on the call
    (the client's own timeout is statement_timeout plus a grace).
    """
    pool = _Pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        init=_init_connection,
        acquire_timeout=acquire_timeout,
        server_settings={"statement_timeout": str(round(statement_timeout * 1000))},
        command_timeout=statement_timeout + _CLIENT_TIMEOUT_GRACE_SECONDS,
    )
    return await pool


async def _migrate(dsn: str) -> None:
    """Migrations run on a connection of their own, with no timeout: they take what they take."""
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
    finally:
        await conn.close()


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
        settings = self._settings
        try:
            if settings.database_url is not None:
                dsn = settings.database_url.get_secret_value()
            else:
                self._embedded = EmbeddedPostgres(settings.data_dir)
                dsn = await asyncio.to_thread(self._embedded.start)
            if run_migrations:
                await _migrate(dsn)
            self._pool = await create_pool(
                dsn,
                min_size=settings.db_pool_min_size,
                max_size=settings.db_pool_max_size,
                statement_timeout=settings.db_statement_timeout_seconds,
                acquire_timeout=settings.db_acquire_timeout_seconds,
            )
        except BaseException:
            # A failed start must not leave an embedded server running.
            await self.close()
            raise
        return self

    async def close(self) -> None:
        """Close the pool, cutting statements still running after the close timeout."""
        try:
            if self._pool is not None:
                pool, self._pool = self._pool, None
                timeout = self._settings.db_close_timeout_seconds
                try:
                    await asyncio.wait_for(pool.close(), timeout)
                except TimeoutError:
                    log.warning("statements still running after %.0f s: connections cut", timeout)
                    pool.terminate()
        finally:
            if self._embedded is not None:
                embedded, self._embedded = self._embedded, None
                await asyncio.to_thread(embedded.stop)

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
