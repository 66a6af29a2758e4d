"""A cheap round trip to the database, and what is waiting in it."""

import asyncpg

from services.domain.health import Backlog


async def ping(pool: asyncpg.Pool) -> bool:
    return await pool.fetchval("SELECT 1") == 1


async def backlog(pool: asyncpg.Pool) -> Backlog:
    """The alerts outbox (alert_firings_due covers it) and the views collector's last poll."""
    row = await pool.fetchrow(
        """
        SELECT count(*) AS undelivered_alerts, min(f.fired_at) AS oldest_undelivered_alert_at,
               (SELECT max(last_polled_at) FROM channel_view_sources) AS last_views_poll_at
          FROM alert_firings f
         WHERE f.sent_at IS NULL AND f.dropped_at IS NULL
        """
    )
    return Backlog(**dict(row))
