"""What the services' background tasks share."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

# How long stopping waits for a round under way (sends already on their way, say).
STOP_GRACE_SECONDS = 10.0


async def finish_or_cancel(task: asyncio.Task[None], *, grace: float) -> None:
    """Let a stopping background task finish its round for `grace` seconds, then cancel it."""
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class PollingWorker:
    """Runs `round_` in one background task when woken and every `poll_seconds`.

    A round that raises is logged to `log` as `name` failing, and the next round tries again.
    The work can read `stopping` to cut a long round short.
    """

    def __init__(
        self,
        round_: Callable[[], Awaitable[object]],
        *,
        poll_seconds: float,
        name: str,
        log: logging.Logger,
    ) -> None:
        self._round = round_
        self._poll_seconds = poll_seconds
        self._name = name
        self._log = log
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stopping = False

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
        while not self.stopping:
            self._wake.clear()
            try:
                await self._round()
            except Exception:
                self._log.exception("%s failed; retrying on the next round", self._name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
