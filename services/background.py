"""What the services' background tasks share."""

import asyncio
import contextlib


async def finish_or_cancel(task: asyncio.Task[None], *, grace: float) -> None:
    """Let a stopping background task finish its round for `grace` seconds, then cancel it."""
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
