"""The bot's Prometheus metrics, served as text at GET /metrics."""

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.middlewares import Handler
from services.clock import Clock
from services.domain.health import Backlog

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# aiogram raises one class per status; the classes tell the code back.
_ERROR_CODES: tuple[tuple[type[Exception], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramBadRequest, "400"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
)


@dataclass(frozen=True)
class LastUpdate:
    type: str
    handled_at: datetime


class BotMetrics:
    """One process's metrics, in a registry of its own (a test runs several bots at once).

    Counters and the latency histogram move as updates are handled and Telegram answers; the
    gauges are read when /metrics is asked: the backlog from the database (shared by all
    processes), the queues from this process.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        backlog: Callable[[], Awaitable[Backlog]],
        queue_depths: Callable[[], Mapping[str, int]],
    ) -> None:
        self._clock = clock
        self._backlog = backlog
        self._queue_depths = queue_depths
        self.last_update: LastUpdate | None = None
        self.registry = CollectorRegistry()
        metric: dict[str, Any] = {"namespace": "analyticbot", "registry": self.registry}
        self.updates = Counter("updates_handled", "Updates handled, by type", ["type"], **metric)
        self.handler_seconds = Histogram(
            "handler_seconds", "Time to handle an update, by type", ["type"], **metric
        )
        self.telegram_errors = Counter(
            "telegram_errors", "Bot API calls that failed, by status code", ["code"], **metric
        )
        self.outbox_depth = Gauge("alert_outbox_depth", "Alerts not yet delivered", **metric)
        self.oldest_undelivered_alert = Gauge(
            "oldest_undelivered_alert_seconds",
            "Age of the oldest alert not yet delivered (0: none waits)",
            **metric,
        )
        self.queue_depth = Gauge(
            "queue_depth", "Items waiting in this process, by queue", ["queue"], **metric
        )
        self.views_lag = Gauge(
            "views_collector_lag_seconds",
            "Time since any process last polled a channel's views (0: never polled)",
            **metric,
        )

    def handled(self, update_type: str, seconds: float) -> None:
        self.updates.labels(type=update_type).inc()
        self.handler_seconds.labels(type=update_type).observe(seconds)
        self.last_update = LastUpdate(type=update_type, handled_at=self._clock.now())

    def telegram_error(self, error: Exception) -> None:
        code = next((code for kind, code in _ERROR_CODES if isinstance(error, kind)), "other")
        self.telegram_errors.labels(code=code).inc()

    async def exposition(self) -> bytes:
        """The metrics in Prometheus' text format, the gauges read now."""
        backlog = await self._backlog()
        now = self._clock.now()
        self.outbox_depth.set(backlog.undelivered_alerts)
        oldest = backlog.oldest_undelivered_alert_at
        self.oldest_undelivered_alert.set((now - oldest).total_seconds() if oldest else 0)
        polled = backlog.last_views_poll_at
        self.views_lag.set((now - polled).total_seconds() if polled else 0)
        for queue, depth in self._queue_depths().items():
            self.queue_depth.labels(queue=queue).set(depth)
        return generate_latest(self.registry)


class UpdateMetricsMiddleware(BaseMiddleware):
    """Counts and times every update, whether its handler succeeded or not."""

    def __init__(self, metrics: BotMetrics) -> None:
        self._metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            update_type = event.event_type if isinstance(event, Update) else "unknown"
            self._metrics.handled(update_type, time.perf_counter() - started)


class TelegramErrorMetricsMiddleware(BaseRequestMiddleware):
    """Counts each failed Bot API call by its status, retries included."""

    def __init__(self, metrics: BotMetrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramAPIError as error:
            self._metrics.telegram_error(error)
            raise
