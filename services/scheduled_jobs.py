"""Scheduled jobs run once per tick however many bot processes share the database."""

from datetime import UTC, datetime, timedelta

from db.scheduled_jobs import ScheduledJobsRepository
from services.clock import Clock

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class ScheduledJobsService:
    def __init__(self, repository: ScheduledJobsRepository, clock: Clock) -> None:
        self._repository = repository
        self._clock = clock

    async def claim_tick(self, *, job: str, every: timedelta) -> bool:
        """Whether this process does the job now: the first to claim the current tick does.

        Ticks are the clock's time cut into `every`-long pieces, the same in every process, so
        the processes' schedulers need not fire together.
        """
        now = self._clock.now()
        tick = _EPOCH + (now - _EPOCH) // every * every
        return await self._repository.claim_tick(job=job, tick=tick)
