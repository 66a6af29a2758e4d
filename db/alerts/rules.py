"""Alert rules: what a user set, per channel and kind."""

from datetime import datetime

import asyncpg

from db.errors import NotFound
from db.repository import Repository, found, record_from
from services.domain.alerts import AlertKind, AlertRuleRecord, AlertThresholds

RULE_COLUMNS = """
    r.id AS rule_id, r.owner_id, r.channel_id, c.title AS channel_title,
    c.username AS channel_username, r.kind, r.amount, r.percent, r.hours, r.factor, r.cooldown,
    r.paused, r.muted_until, r.created_at, r.last_fired_at
"""


def rule_record(row: asyncpg.Record) -> AlertRuleRecord:
    """A rule from a row selected with RULE_COLUMNS (the outbox reads rules with its firings)."""
    return record_from(
        AlertRuleRecord,
        row,
        id=row["rule_id"],
        kind=AlertKind(row["kind"]),
        thresholds=AlertThresholds(
            amount=row["amount"],
            percent=float(row["percent"]) if row["percent"] is not None else None,
            hours=row["hours"],
            factor=float(row["factor"]) if row["factor"] is not None else None,
        ),
    )


class AlertRulesRepository(Repository):
    async def create_rule(
        self,
        *,
        owner_id: int,
        channel_id: int,
        kind: AlertKind,
        thresholds: AlertThresholds,
        created_at: datetime,
    ) -> AlertRuleRecord:
        row = await self._pool.fetchrow(
            f"""
            WITH r AS (
                INSERT INTO alert_rules (owner_id, channel_id, kind, amount, percent, hours,
                                         factor, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                RETURNING *
            )
            SELECT {RULE_COLUMNS} FROM r JOIN channels c ON c.id = r.channel_id
            """,
            owner_id,
            channel_id,
            kind.value,
            thresholds.amount,
            thresholds.percent,
            thresholds.hours,
            thresholds.factor,
            created_at,
        )
        return rule_record(row)

    async def count_rules_for_user(self, user_id: int) -> int:
        return await self._pool.fetchval(
            # Copy rules come with /watch (db/copies.py) and take none of the plan's rules.
            "SELECT count(*) FROM alert_rules WHERE owner_id = $1 AND kind <> 'copy'",
            user_id,
        )

    async def list_rules(self, *, owner_id: int) -> list[AlertRuleRecord]:
        """The user's rules, channel by channel, oldest first."""
        rows = await self._pool.fetch(
            f"""
            SELECT {RULE_COLUMNS}
              FROM alert_rules r JOIN channels c ON c.id = r.channel_id
             WHERE r.owner_id = $1
             ORDER BY lower(c.title), c.id, r.id
            """,
            owner_id,
        )
        return [rule_record(row) for row in rows]

    async def get_rule(self, *, rule_id: int, owner_id: int) -> AlertRuleRecord:
        row = await self._pool.fetchrow(
            f"""
            SELECT {RULE_COLUMNS}
              FROM alert_rules r JOIN channels c ON c.id = r.channel_id
             WHERE r.id = $1 AND r.owner_id = $2
            """,
            rule_id,
            owner_id,
        )
        return rule_record(found(row, f"alert rule {rule_id} of user {owner_id}"))

    async def update_rule(
        self,
        *,
        rule_id: int,
        owner_id: int,
        paused: bool | None = None,
        muted_until: datetime | None = None,
    ) -> AlertRuleRecord:
        """Pause or resume, and/or mute until a moment; unchanged where None."""
        row = await self._pool.fetchrow(
            f"""
            WITH r AS (
                UPDATE alert_rules
                   SET paused = coalesce($3, paused),
                       muted_until = coalesce($4, muted_until)
                 WHERE id = $1 AND owner_id = $2
                RETURNING *
            )
            SELECT {RULE_COLUMNS} FROM r JOIN channels c ON c.id = r.channel_id
            """,
            rule_id,
            owner_id,
            paused,
            muted_until,
        )
        return rule_record(found(row, f"alert rule {rule_id} of user {owner_id}"))

    async def delete_rule(self, *, rule_id: int, owner_id: int) -> None:
        deleted = await self._pool.fetchval(
            "DELETE FROM alert_rules WHERE id = $1 AND owner_id = $2 RETURNING id",
            rule_id,
            owner_id,
        )
        if deleted is None:
            raise NotFound(f"alert rule {rule_id} of user {owner_id}")

    async def latest_subscribers(self, *, channel_id: int) -> int | None:
        return await self._pool.fetchval(
            """
            SELECT subscribers FROM subscriber_snapshots
             WHERE channel_id = $1 ORDER BY taken_at DESC LIMIT 1
            """,
            channel_id,
        )
