"""The alert firings outbox: leased by delivery, sent, postponed, retried or dropped."""

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from db.alerts.rules import RULE_COLUMNS, rule_record
from db.repository import Repository, record_from
from db.webhooks import publish
from services.domain.alerts import AlertFiring, ClaimedFiring
from services.domain.webhooks import alert_fired

_FIRING_COLUMNS = """
    f.id, f.fired_at, f.details, f.deliver_after, f.sent_at, f.dropped_at, f.drop_reason
"""


def _firing(row: asyncpg.Record) -> AlertFiring:
    return record_from(AlertFiring, row, rule=rule_record(row))


class AlertOutboxRepository(Repository):
    async def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedFiring]:
        """Lease up to `limit` firings that are due and not leased by a live process.

        FOR UPDATE SKIP LOCKED lets several processes claim at once, each taking rows the others
        have not locked, instead of queueing behind one another (plain FOR UPDATE) or funnelling
        all delivery through one process (an advisory lock). The lease is committed at once, so
        no transaction stays open while Telegram is called; if a process dies mid-delivery its
        lease runs out and another process sends what it left.
        """
        rows = await self._pool.fetch(
            f"""
            WITH due AS (
                SELECT f.id FROM alert_firings f
                 WHERE f.sent_at IS NULL AND f.dropped_at IS NULL AND f.deliver_after <= $1
                   AND (f.claimed_until IS NULL OR f.claimed_until <= $1)
                 ORDER BY f.deliver_after, f.id
                 LIMIT $3
                 FOR UPDATE SKIP LOCKED
            ),
            claimed AS (
                UPDATE alert_firings f SET claimed_until = $2 FROM due WHERE f.id = due.id
                RETURNING f.*
            )
            SELECT {_FIRING_COLUMNS}, {RULE_COLUMNS}, u.time_zone,
                   u.language_code, u.chosen_language,
                   q.starts AS quiet_starts, q.ends AS quiet_ends
              FROM claimed f
              JOIN alert_rules r ON r.id = f.rule_id
              JOIN channels c ON c.id = r.channel_id
              JOIN users u ON u.id = r.owner_id
              LEFT JOIN quiet_hours q ON q.user_id = r.owner_id
             ORDER BY f.deliver_after, f.id
            """,
            now,
            lease_until,
            limit,
        )
        return [
            ClaimedFiring(
                firing=_firing(row),
                time_zone=row["time_zone"],
                quiet_hours=(
                    (row["quiet_starts"], row["quiet_ends"])
                    if row["quiet_starts"] is not None
                    else None
                ),
                language_code=row["language_code"],
                chosen_language=row["chosen_language"],
            )
            for row in rows
        ]

    async def mark_sent(self, *, firing_id: int, at: datetime) -> None:
        """The alert reached its owner: it is published to webhooks (alert.fired) as well."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                """
                UPDATE alert_firings f SET sent_at = $2, claimed_until = NULL
                  FROM alert_rules r
                 WHERE f.id = $1 AND r.id = f.rule_id AND f.sent_at IS NULL
                RETURNING r.id AS rule_id, r.channel_id, r.kind, f.details, f.fired_at
                """,
                firing_id,
                at,
            )
            if row is not None:
                await publish(conn, [record_from(alert_fired, row)])

    async def postpone(self, *, firing_ids: Sequence[int], until: Sequence[datetime]) -> None:
        """Hold firings (quiet hours) until the given moments, releasing this process's lease."""
        await self._pool.execute(
            """
            UPDATE alert_firings f SET deliver_after = t.until, claimed_until = NULL
              FROM unnest($1::bigint[], $2::timestamptz[]) AS t(id, until)
             WHERE f.id = t.id
            """,
            list(firing_ids),
            list(until),
        )

    async def release(self, *, firing_ids: Sequence[int]) -> None:
        """Give unsent firings back for any process to deliver (this one is stopping)."""
        await self._pool.execute(
            """
            UPDATE alert_firings SET claimed_until = NULL
             WHERE id = ANY($1::bigint[]) AND sent_at IS NULL
            """,
            list(firing_ids),
        )

    async def drop(self, *, firing_ids: Sequence[int], at: datetime, reason: str) -> None:
        await self._pool.execute(
            """
            UPDATE alert_firings SET dropped_at = $2, drop_reason = $3, claimed_until = NULL
             WHERE id = ANY($1::bigint[]) AND sent_at IS NULL
            """,
            list(firing_ids),
            at,
            reason,
        )

    async def record_failure(
        self, *, firing_id: int, retry_at: datetime, max_attempts: int, at: datetime
    ) -> None:
        """Count a failed attempt: retry later, or give up after max_attempts."""
        await self._pool.execute(
            """
            UPDATE alert_firings
               SET attempts = attempts + 1, claimed_until = NULL, deliver_after = $2,
                   dropped_at = CASE WHEN attempts + 1 >= $3 THEN $4 END,
                   drop_reason = CASE WHEN attempts + 1 >= $3 THEN 'failed' END
             WHERE id = $1
            """,
            firing_id,
            retry_at,
            max_attempts,
            at,
        )

    async def pause_owner(self, *, owner_id: int, at: datetime, reason: str) -> None:
        """Pause every rule of a user and drop what was waiting for them, in one transaction."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE alert_rules SET paused = true WHERE owner_id = $1", owner_id)
            await conn.execute(
                """
                UPDATE alert_firings f
                   SET dropped_at = $2, drop_reason = $3, claimed_until = NULL
                  FROM alert_rules r
                 WHERE r.id = f.rule_id AND r.owner_id = $1
                   AND f.sent_at IS NULL AND f.dropped_at IS NULL
                """,
                owner_id,
                at,
                reason,
            )

    async def history(self, *, owner_id: int, limit: int) -> list[AlertFiring]:
        """The user's latest firings, newest first."""
        rows = await self._pool.fetch(
            f"""
            SELECT {_FIRING_COLUMNS}, {RULE_COLUMNS}
              FROM alert_rules r
              JOIN alert_firings f ON f.rule_id = r.id
              JOIN channels c ON c.id = r.channel_id
             WHERE r.owner_id = $1
             ORDER BY f.fired_at DESC, f.id DESC
             LIMIT $2
            """,
            owner_id,
            limit,
        )
        return [_firing(row) for row in rows]
