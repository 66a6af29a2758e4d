"""A user's time zone and quiet hours, the two things that decide when alerts may arrive."""

from datetime import time

import asyncpg

from db.errors import NotFound
from db.repository import Repository
from services.domain.preferences import PreferencesRecord


class PreferencesRepository(Repository):
    async def get(self, *, user_id: int) -> PreferencesRecord:
        row = await self._pool.fetchrow(
            """
            SELECT u.time_zone, q.starts, q.ends
              FROM users u LEFT JOIN quiet_hours q ON q.user_id = u.id
             WHERE u.id = $1
            """,
            user_id,
        )
        if row is None:
            raise NotFound(f"user {user_id}")
        quiet = (row["starts"], row["ends"]) if row["starts"] is not None else None
        return PreferencesRecord(time_zone=row["time_zone"], quiet_hours=quiet)

    async def set_time_zone(self, *, user_id: int, time_zone: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE users SET time_zone = $2 WHERE id = $1", user_id, time_zone)
            await _recheck_held_alerts(conn, user_id)

    async def set_quiet_hours(self, *, user_id: int, quiet_hours: tuple[time, time] | None) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if quiet_hours is None:
                await conn.execute("DELETE FROM quiet_hours WHERE user_id = $1", user_id)
            else:
                await conn.execute(
                    """
                    INSERT INTO quiet_hours (user_id, starts, ends) VALUES ($1, $2, $3)
                    ON CONFLICT (user_id) DO UPDATE SET starts = EXCLUDED.starts,
                                                        ends = EXCLUDED.ends
                    """,
                    user_id,
                    *quiet_hours,
                )
            await _recheck_held_alerts(conn, user_id)


async def _recheck_held_alerts(conn: asyncpg.Connection, user_id: int) -> None:
    """Alerts held for the old quiet hours are due now; delivery holds them again if needed."""
    await conn.execute(
        """
        UPDATE alert_firings f SET deliver_after = f.fired_at
          FROM alert_rules r
         WHERE r.id = f.rule_id AND r.owner_id = $1
           AND f.sent_at IS NULL AND f.dropped_at IS NULL AND f.deliver_after > f.fired_at
        """,
        user_id,
    )
