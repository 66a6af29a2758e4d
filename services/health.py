"""Whether the service can do its work, and what waits in its database: GET /healthz, /metrics."""

import asyncio
import logging

import asyncpg

from db.health import backlog, ping
from services.domain.health import Backlog

log = logging.getLogger(__name__)


class HealthService:
    def __init__(self, pool: asyncpg.Pool, *, timeout: float = 2.0) -> None:
        self._pool = pool
        self._timeout = timeout

    async def database_ok(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return await ping(self._pool)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            log.warning("health check: database unreachable", exc_info=True)
            return False

    async def backlog(self) -> Backlog:
        """Undelivered alerts and the views collector's last poll, across all processes."""
        return await backlog(self._pool)
