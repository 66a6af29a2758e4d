"""Long polling that confirms updates to Telegram only once what they brought is stored.

Telegram takes an update as delivered when a later getUpdates asks for an offset past it; an
update confirmed before its rows are written is lost if the process dies or the database is
away. So before each next getUpdates the channel updates of the batch are handled and the
ingestion buffer is written. While the write fails, the bot keeps polling from the last
confirmed offset: updates it has handled already are skipped, new ones are handled (users hear
that the database is away), and Telegram keeps everything unconfirmed for the next process.
"""

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from aiogram.utils.backoff import Backoff, BackoffConfig

log = logging.getLogger(__name__)

# The updates whose handlers only buffer rows for ingestion, written before confirming.
INGESTED_UPDATES = frozenset(
    {"channel_post", "edited_channel_post", "message_reaction_count", "chat_member"}
)
_STORE_RETRY = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.5, jitter=0.1)


class ConfirmingDispatcher(Dispatcher):
    """aiogram's Dispatcher whose polling confirms a batch once `store` says it is stored.

    `store` writes what the handled updates buffered and says whether that worked.
    """

    def __init__(self, *, store: Callable[[], Awaitable[bool]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._store = store
        self._ingesting: set[asyncio.Future[None]] = set()

    def _process_update(  # type: ignore[override]
        self, bot: Bot, update: Update, call_answer: bool = True, **kwargs: Any
    ) -> Coroutine[Any, Any, bool]:
        handling = super()._process_update(bot, update, call_answer, **kwargs)
        try:
            kind = update.event_type
        except UpdateTypeLookupError:
            return handling
        if kind not in INGESTED_UPDATES:
            return handling
        # Known from now, before the polling loop makes a task of it and asks for more.
        done = asyncio.get_running_loop().create_future()
        self._ingesting.add(done)

        async def handle() -> bool:
            try:
                return await handling
            finally:
                self._ingesting.discard(done)
                done.set_result(None)

        return handle()

    async def _stored(self) -> bool:
        """Wait for the batch's channel updates to be handled; write what they buffered."""
        if self._ingesting:
            await asyncio.wait(list(self._ingesting))
        return await self._store()

    async def _listen_updates(  # type: ignore[override]
        self,
        bot: Bot,
        polling_timeout: int = 30,
        backoff_config: BackoffConfig = DEFAULT_BACKOFF_CONFIG,
        allowed_updates: list[str] | None = None,
    ) -> AsyncGenerator[Update, None]:
        """aiogram's reader of updates, confirming each batch only once it is stored."""
        fetch_backoff = Backoff(config=backoff_config)
        store_backoff = Backoff(config=_STORE_RETRY)
        get_updates = GetUpdates(timeout=polling_timeout, allowed_updates=allowed_updates)
        kwargs = {}
        if bot.session.timeout:
            kwargs["request_timeout"] = int(bot.session.timeout + polling_timeout)
        handled: set[int] = set()  # handled, not yet confirmed
        while True:
            try:
                updates = await bot(get_updates, **kwargs)
            except Exception as error:  # Telegram away: try again, as aiogram does
                log.error("failed to fetch updates - %s: %s", type(error).__name__, error)
                await fetch_backoff.asleep()
                continue
            fetch_backoff.reset()
            fresh = [update for update in updates if update.update_id not in handled]
            for update in fresh:
                handled.add(update.update_id)
                yield update
            if not updates:
                continue
            if await self._stored():
                get_updates.offset = updates[-1].update_id + 1
                handled.clear()
                store_backoff.reset()
            elif not fresh:
                # Telegram hands back what is not confirmed at once: wait before asking again.
                await store_backoff.asleep()
