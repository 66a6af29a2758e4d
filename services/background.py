"""What the services' background tasks share."""

import asyncio
import contextlib
import logging
from dataclasses import KW_ONLY, dataclass, field

from services.errors import database_gave_up


async def finish_or_cancel(task: asyncio.Task[None], *, grace: float) -> None:
    """Let a stopping background task finish its round for `grace` seconds, then cancel it."""
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# How long stopping waits for a round under way (sends already on their way, say).
STOP_GRACE_SECONDS = 10.0


@dataclass(eq=False)
class PollingWorker:
    """The base of a service that runs `poll_round` in one background task, when woken and
    every `poll_seconds`.

    A round that raises is logged (a database that gave up, busy, as a warning without a
    traceback), and the next round tries again. A long round can read
    `stopping` to end early.
    """

    _: KW_ONLY
    poll_seconds: float
    stopping: bool = field(init=False, default=False)
    _wake: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = field(init=False, default=None)

    async def poll_round(self) -> object:
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self.stopping = False
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop; the round under way has STOP_GRACE_SECONDS to finish, then is cancelled."""
        self.stopping = True
        self._wake.set()
        if self._task is not None:
            await finish_or_cancel(self._task, grace=STOP_GRACE_SECONDS)
            self._task = None

    async def _run(self) -> None:
        # Logged as the service's own module, where a reader of the logs would look.
        log = logging.getLogger(type(self).__module__)
        while not self.stopping:
            self._wake.clear()
            try:
                await self.poll_round()
            except Exception as error:
                if database_gave_up(error):  # busy: nothing is lost, the next round tries again
                    log.warning("%s: the database gave up (%r)", type(self).__name__, error)
                else:
                    log.exception("%s failed; retrying on the next round", type(self).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
