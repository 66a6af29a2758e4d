"""One queue for the messages the bot sends on its own, paced to Telegram's limits."""

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from services.clock import Clock
from services.domain.outgoing import SendSlot

log = logging.getLogger(__name__)

# The clock's datetimes count microseconds: a slot closer than that is due now.
_RESOLUTION = 1e-6
# How far behind its schedule a busy dispatcher may catch up; after longer, it starts afresh.
_CATCH_UP_SECONDS = 0.25


class FloodWait(Exception):
    """Telegram answered 429: nothing more may go out for retry_after seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"flood limit: retry after {retry_after} s")
        self.retry_after = retry_after


class RecipientBlocked(Exception):
    """Telegram answered 403: the user blocked the bot, or never started it."""


class MessageRejected(Exception):
    """Telegram refused the message for another reason; sending it again soon will not help."""


class QueueClosed(Exception):
    """The queue closed before the message's turn came; it was not sent."""


class SharedSendBudget(Protocol):
    """The send slots every bot process takes from (db.send_slots gives the real one)."""

    async def take(
        self, *, chat_id: int, overall_interval: timedelta, per_chat_interval: timedelta
    ) -> SendSlot: ...

    async def hold(self, *, seconds: float) -> None:
        """Nothing may go out for `seconds`: Telegram's flood limits are the bot's."""
        ...


@dataclass(eq=False)
class _Message:
    chat_id: int
    send: Callable[[], Awaitable[Any]]
    done: asyncio.Future[Any]


class OutgoingQueue:
    """Sends at most `overall_per_second` messages in all and `per_chat_per_second` to a chat.

    One dispatcher task hands out the slots, evenly spaced: a chat's messages go in order, and a
    chat waiting for its next second does not hold up the others. The sends themselves run
    concurrently, so a slow answer from Telegram does not slow the pace. A 429 stops everything
    for its retry_after (flood limits are the bot's, not a chat's) and the message goes first
    once the wait is over. The bot's session leaves these 429s to the queue
    (bot.session.flood_waits_left_to_caller), so the two never wait out the same 429 twice.
    Time comes from the clock: tests move it instead of sleeping.

    With a `shared` budget the limits hold for all processes together: each send first takes
    its slot there, and waits for it in real time, since the slots are the database's clock's.
    A budget that cannot be reached leaves each process to its own pacing.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        overall_per_second: float,
        per_chat_per_second: float,
        shared: SharedSendBudget | None = None,
    ) -> None:
        self._clock = clock
        self._shared = shared
        self._shared_unreachable = False
        self._overall_interval = 1 / overall_per_second
        self._chat_interval = 1 / per_chat_per_second
        self._overall_next = float("-inf")
        # The last sends' times: never more of them than the limit within a second.
        self._recent: deque[float] = deque(maxlen=max(1, round(overall_per_second)))
        self._window = self._recent.maxlen / overall_per_second
        self._chat_next: dict[int, float] = {}
        self._resume_at = float("-inf")
        self._waiting: dict[int, deque[_Message]] = {}
        # Chats with waiting messages, by the earliest moment their next one may go.
        self._turns: list[tuple[float, int, int]] = []
        self._order = itertools.count()
        self._wakeup = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self._closed = False
        self.flood_waits = 0

    @property
    def waiting(self) -> int:
        """Messages waiting for their turn, not counting the sends under way."""
        return sum(len(waiting) for waiting in self._waiting.values())

    async def send(self, chat_id: int, send: Callable[[], Awaitable[Any]]) -> Any:
        """Call `send` in the chat's next free slot (again after a 429); return its result.

        Raises QueueClosed if the queue closes first, and whatever `send` raises but FloodWait.
        """
        if self._closed:
            raise QueueClosed()
        message = _Message(chat_id, send, asyncio.get_running_loop().create_future())
        self._enqueue(message)
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch())
        # If the caller is cancelled, so is `done`, and the dispatcher skips the message.
        return await message.done

    async def close(self) -> None:
        """Fail the waiting messages with QueueClosed; the sends already made run to their end."""
        self._closed = True
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
        for waiting in self._waiting.values():
            for message in waiting:
                _settle(message, error=QueueClosed())
        self._waiting.clear()
        self._turns.clear()

    def _enqueue(self, message: _Message, *, first: bool = False) -> None:
        waiting = self._waiting.setdefault(message.chat_id, deque())
        if not waiting:
            slot = self._chat_next.get(message.chat_id, float("-inf"))
            heapq.heappush(self._turns, (slot, next(self._order), message.chat_id))
        if first:
            waiting.appendleft(message)
        else:
            waiting.append(message)
        self._wakeup.set()

    async def _dispatch(self) -> None:
        while True:
            if not self._turns:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            slot, _, chat_id = self._turns[0]
            now = self._seconds()
            window_opens = (
                self._recent[0] + self._window
                if len(self._recent) == self._recent.maxlen
                else float("-inf")
            )
            at = max(slot, self._overall_next, self._resume_at, window_opens)
            if at - now > _RESOLUTION:
                self._wakeup.clear()  # a new message, or a 429, may change what goes next
                await self._sleep_unless_woken(at - now)
                continue
            # Woken late (a busy loop): keep to the schedule, so lateness does not lower the
            # rate (the window above caps the catching up); after an idle spell start afresh.
            if now - at > _CATCH_UP_SECONDS:
                at = now
            heapq.heappop(self._turns)
            waiting = self._waiting[chat_id]
            message = waiting.popleft()
            # A message whose sender gave up waiting (cancelled) is skipped; its slot stays free.
            if not message.done.done():
                self._overall_next = at + self._overall_interval
                self._chat_next[chat_id] = now + self._chat_interval
                self._recent.append(now)
                self._forget_idle_chats(now)
                task = asyncio.create_task(self._perform(message))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)
            if waiting:
                next_slot = self._chat_next.get(chat_id, float("-inf"))
                heapq.heappush(self._turns, (next_slot, next(self._order), chat_id))
            else:
                del self._waiting[chat_id]

    async def _take_shared_slot(self, chat_id: int) -> None:
        """Wait for this send's slot in the budget all processes share."""
        if self._shared is None:
            return
        while True:
            try:
                slot = await self._shared.take(
                    chat_id=chat_id,
                    overall_interval=timedelta(seconds=self._overall_interval),
                    per_chat_interval=timedelta(seconds=self._chat_interval),
                )
            except Exception as error:
                if not self._shared_unreachable:
                    log.warning("shared send budget unreachable, pacing alone: %r", error)
                self._shared_unreachable = True
                return
            self._shared_unreachable = False
            if slot.wait > 0:
                await asyncio.sleep(slot.wait)
            if slot.reserved:
                return

    async def _hold_shared(self, seconds: float) -> None:
        """Every other process waits out the 429 too."""
        if self._shared is None:
            return
        try:
            await self._shared.hold(seconds=seconds)
        except Exception as error:
            log.warning("shared send budget unreachable, the 429 held here only: %r", error)

    async def _perform(self, message: _Message) -> None:
        try:
            await self._take_shared_slot(message.chat_id)
            result = await message.send()
        except FloodWait as error:
            self.flood_waits += 1
            self._resume_at = max(self._resume_at, self._seconds() + error.retry_after)
            log.warning("flood limit: every send waits %s s", error.retry_after)
            await self._hold_shared(error.retry_after)
            if self._closed:
                _settle(message, error=QueueClosed())
            else:
                self._enqueue(message, first=True)
        except Exception as error:
            _settle(message, error=error)
        else:
            _settle(message, result=result)

    async def _sleep_unless_woken(self, seconds: float) -> None:
        sleeping = asyncio.ensure_future(self._clock.sleep(seconds))
        woken = asyncio.ensure_future(self._wakeup.wait())
        try:
            await asyncio.wait((sleeping, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeping, woken):
                task.cancel()
            await asyncio.gather(sleeping, woken, return_exceptions=True)

    def _forget_idle_chats(self, now: float) -> None:
        if len(self._chat_next) > 10_000:
            self._chat_next = {
                chat_id: at
                for chat_id, at in self._chat_next.items()
                if at > now or chat_id in self._waiting
            }

    def _seconds(self) -> float:
        return self._clock.now().timestamp()


def _settle(message: _Message, *, result: Any = None, error: BaseException | None = None) -> None:
    if message.done.done():
        return
    if error is not None:
        message.done.set_exception(error)
    else:
        message.done.set_result(result)
