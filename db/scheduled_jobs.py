"""Which process does a scheduled job's work in a tick: the one whose claim of it lands first."""

from datetime import datetime

from db.repository import Repository


class ScheduledJobsRepository(Repository):
    async def claim_tick(self, *, job: str, tick: datetime) -> bool:
        """Whether this call claimed the job's tick; False when any process (this one too) had.

        One atomic statement: of concurrent claims of a tick, the row lock lets exactly one in.
        """
        claimed = await self._pool.fetchval(
            """
            INSERT INTO scheduled_job_ticks AS t (job, tick) VALUES ($1, $2)
            ON CONFLICT (job) DO UPDATE SET tick = EXCLUDED.tick, claimed_at = now()
             WHERE t.tick < EXCLUDED.tick
            RETURNING true
            """,
            job,
            tick,
        )
        return claimed is True
