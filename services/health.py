"""Whether the service can do its work, and what waits in its database: GET /healthz, /metrics."""

import asyncio
import logging
from dataclasses import KW_ONLY, dataclass

import asyncpg

from db.health import backlog, ping
from services.domain.health import Backlog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthService:
    pool: asyncpg.Pool
    _: KW_ONLY
    timeout: float = 2.0

    async def database_ok(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout):
                return await ping(self.pool)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            log.warning("health check: database unreachable", exc_info=True)
            return False

    async def backlog(self) -> Backlog:
        """Undelivered alerts and the views collector's last poll, across all processes."""
        return await backlog(self.pool)
