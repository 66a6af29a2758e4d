"""Which plan a user is on, and their per-period usage counters."""

from datetime import date, datetime

import asyncpg

from db.errors import NotFound
from db.repository import Repository, record_from
from db.webhooks import publish
from services.domain.plans import UserPlanRecord
from services.domain.webhooks import plan_changed

# The plan of a user without a row in user_plans (services.plans.FREE's code).
FREE_PLAN = "free"


class PlansRepository(Repository):
    async def active_plan(self, *, user_id: int, now: datetime) -> UserPlanRecord | None:
        row = await self._pool.fetchrow(
            """
            SELECT user_id, plan_code, source, expires_at, renews FROM user_plans
             WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > $2)
            """,
            user_id,
            now,
        )
        return UserPlanRecord(**dict(row)) if row else None

    async def set_plan(
        self,
        *,
        user_id: int,
        plan_code: str,
        source: str,
        expires_at: datetime | None,
        renews: bool = False,
    ) -> None:
        """Raises NotFound when the user does not exist. Another plan than before is
        published to webhooks (plan.changed), in the same transaction."""
        try:
            async with self._transaction() as conn:
                previous = await conn.fetchval(
                    "SELECT plan_code FROM user_plans WHERE user_id = $1 FOR UPDATE", user_id
                )
                at = await conn.fetchval(
                    """
                    INSERT INTO user_plans (user_id, plan_code, source, expires_at, renews)
                    VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (user_id) DO UPDATE
                       SET plan_code = EXCLUDED.plan_code, source = EXCLUDED.source,
                           expires_at = EXCLUDED.expires_at, renews = EXCLUDED.renews,
                           updated_at = now()
                    RETURNING now()
                    """,
                    user_id,
                    plan_code,
                    source,
                    expires_at,
                    renews,
                )
                if previous != plan_code:
                    event = plan_changed(
                        user_id=user_id,
                        plan=plan_code,
                        previous_plan=previous or FREE_PLAN,
                        expires_at=expires_at,
                        at=at,
                    )
                    await publish(conn, [event])
        except asyncpg.ForeignKeyViolationError as error:
            raise NotFound(f"user {user_id}") from error

    async def end_plan(self, *, user_id: int, source: str) -> bool:
        """Back to Free, if the current plan came from source (another source's plan stays)."""
        ended = await self._end(
            "DELETE FROM user_plans WHERE user_id = $1 AND source = $2", user_id, source
        )
        return bool(ended)

    async def end_expired(self, *, now: datetime, sources: list[str]) -> list[UserPlanRecord]:
        """Remove the plans from these sources that have run out, and return them."""
        return await self._end(
            "DELETE FROM user_plans WHERE expires_at <= $1 AND source = ANY($2::text[])",
            now,
            sources,
        )

    async def _end(self, delete: str, *args: object) -> list[UserPlanRecord]:
        """Delete plans, publishing each user's move back to Free (plan.changed)."""
        async with self._transaction() as conn:
            rows = await conn.fetch(
                f"{delete} RETURNING user_id, plan_code, source, expires_at, renews, now() AS at",
                *args,
            )
            await publish(
                conn,
                [
                    plan_changed(
                        user_id=row["user_id"],
                        plan=FREE_PLAN,
                        previous_plan=row["plan_code"],
                        expires_at=None,
                        at=row["at"],
                    )
                    for row in rows
                ],
            )
        return [record_from(UserPlanRecord, row) for row in rows]

    async def consume(
        self, *, user_id: int, allowance: str, period_start: date, amount: int, limit: int | None
    ) -> bool:
        """Add amount to the counter unless that would pass limit; True if counted."""
        counted = await self._pool.fetchval(
            """
            INSERT INTO usage_counters AS u (user_id, allowance, period_start, used)
            SELECT $1, $2, $3, $4 WHERE $5::int IS NULL OR $4 <= $5
            ON CONFLICT (user_id, allowance, period_start) DO UPDATE
               SET used = u.used + EXCLUDED.used
             WHERE $5::int IS NULL OR u.used + EXCLUDED.used <= $5
            RETURNING used
            """,
            user_id,
            allowance,
            period_start,
            amount,
            limit,
        )
        return counted is not None

    async def refund(self, *, user_id: int, allowance: str, period_start: date, amount: int):
        await self._pool.execute(
            """
            UPDATE usage_counters SET used = greatest(0, used - $4)
             WHERE user_id = $1 AND allowance = $2 AND period_start = $3
            """,
            user_id,
            allowance,
            period_start,
            amount,
        )

    async def usage(self, *, user_id: int, periods: dict[str, date]) -> dict[str, int]:
        """Used amounts of the given allowances, each in its current period."""
        rows = await self._pool.fetch(
            """
            SELECT u.allowance, u.used
              FROM usage_counters u
              JOIN unnest($2::text[], $3::date[]) AS p(allowance, period_start)
                ON p.allowance = u.allowance AND p.period_start = u.period_start
             WHERE u.user_id = $1
            """,
            user_id,
            list(periods),
            list(periods.values()),
        )
        return {row["allowance"]: row["used"] for row in rows}
