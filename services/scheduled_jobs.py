"""Scheduled jobs run once per tick however many bot processes share the database."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from db.scheduled_jobs import ScheduledJobsRepository
from services.clock import Clock

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ScheduledJobsService:
    repository: ScheduledJobsRepository
    clock: Clock

    async def claim_tick(self, *, job: str, every: timedelta) -> bool:
        """Whether this process does the job now: the first to claim the current tick does.

        Ticks are the clock's time cut into `every`-long pieces, the same in every process, so
        the processes' schedulers need not fire together.
        """
        now = self.clock.now()
        tick = _EPOCH + (now - _EPOCH) // every * every
        return await self.repository.claim_tick(job=job, tick=tick)
