"""Webhooks: sustained deliveries a second from the PostgreSQL outbox to a local receiver
across 1,000 endpoints, against POSTing the same signed bodies straight to it (no outbox) in
the same process; and the delay from event to delivery (p50, p99) under a steady stream of
events at half the measured rate.

Uses DATABASE_URL's server (in a database of its own, dropped after) or an embedded PostgreSQL
in a temporary folder.
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import bench_pool

from db.webhooks import WebhookOutboxRepository, publish
from services.clock import SystemClock
from services.domain.webhooks import WebhookEvent, WebhookEventType
from services.outgoing import OutgoingQueue
from services.webhook_delivery import WebhookDeliveryService
from services.webhooks import new_secret, sign

ENDPOINTS = 1_000
MESSAGES_PER_ENDPOINT = 10  # the backlog the rate is measured on
STEADY_SECONDS = 10
CONCURRENCY = 64


class Receiver:
    """Answers 200 at once; notes when each event arrived and how long after it happened."""

    def __init__(self) -> None:
        self.arrivals = 0
        self.delays: list[float] = []
        self.done = asyncio.Event()
        self.expected = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def _receive(self, request: web.Request) -> web.Response:
        payload = json.loads(await request.read())
        self.delays.append(time.time() - payload["data"]["published"])
        self.arrivals += 1
        if self.arrivals >= self.expected:
            self.done.set()
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/e/{endpoint}", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    def expect(self, count: int) -> None:
        self.arrivals, self.delays, self.expected = 0, [], count
        self.done.clear()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def events(user_ids: range) -> list[WebhookEvent]:
    now = datetime.now(UTC)
    return [
        WebhookEvent(
            type=WebhookEventType.POST_PUBLISHED,
            at=now,
            user_id=user_id,
            data={"published": time.time(), "message_id": user_id},
        )
        for user_id in user_ids
    ]


async def populate(pool, receiver: Receiver) -> None:
    await pool.execute(
        "INSERT INTO users (id, first_name) SELECT g, 'Owner' FROM generate_series(1, $1) g",
        ENDPOINTS,
    )
    await pool.executemany(
        "INSERT INTO webhook_endpoints (owner_id, url, events, secret) VALUES ($1, $2, $3, $4)",
        [
            (user_id, f"{receiver.base_url}/e/{user_id}", ["post.published"], new_secret())
            for user_id in range(1, ENDPOINTS + 1)
        ],
    )


async def bench_direct(receiver: Receiver) -> float:
    """The baseline: the same number of signed POSTs, straight from memory."""
    secret = new_secret()
    bodies = [
        (f"{receiver.base_url}/e/{user_id}", event.body())
        for _ in range(MESSAGES_PER_ENDPOINT)
        for user_id, event in zip(
            range(1, ENDPOINTS + 1), events(range(1, ENDPOINTS + 1)), strict=True
        )
    ]
    receiver.expect(len(bodies))
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as http:

        async def post(url: str, body: str) -> None:
            async with semaphore:
                stamp = int(time.time())
                headers = {
                    "webhook-id": "msg_direct",
                    "webhook-timestamp": str(stamp),
                    "webhook-signature": sign(
                        secret, webhook_id="msg_direct", timestamp=stamp, body=body
                    ),
                }
                async with http.post(url, data=body.encode(), headers=headers) as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(post(url, body) for url, body in bodies))
        return len(bodies) / (time.perf_counter() - started)


async def bench_outbox(pool, receiver: Receiver) -> tuple[float, list[float]]:
    clock = SystemClock()
    delivery = WebhookDeliveryService(
        WebhookOutboxRepository(pool),
        notifier=None,  # type: ignore[arg-type]  # nothing fails here, so nobody is told
        queue=OutgoingQueue(clock, overall_per_second=30, per_chat_per_second=1),
        clock=clock,
        timeout_seconds=10,
        retry_first=timedelta(seconds=10),
        retry_window=timedelta(hours=72),
        allow_private_addresses=True,
        concurrency=CONCURRENCY,
        poll_seconds=1,
    )
    delivery.start()
    try:
        # The rate: a backlog of ten events for each endpoint, drained.
        backlog = ENDPOINTS * MESSAGES_PER_ENDPOINT
        receiver.expect(backlog)
        started = time.perf_counter()
        async with pool.acquire() as conn:
            for _ in range(MESSAGES_PER_ENDPOINT):
                await publish(conn, events(range(1, ENDPOINTS + 1)))
        await asyncio.wait_for(receiver.done.wait(), 600)
        rate = backlog / (time.perf_counter() - started)

        # The delay: a steady stream at half that rate, events spread over the endpoints.
        per_tick = max(1, round(rate / 2 / 10))
        ticks = STEADY_SECONDS * 10
        receiver.expect(per_tick * ticks)
        for tick in range(ticks):
            first = (tick * per_tick) % ENDPOINTS + 1
            users = [(first + i - 1) % ENDPOINTS + 1 for i in range(per_tick)]
            await publish(pool, [e for u in users for e in events(range(u, u + 1))])
            await asyncio.sleep(0.1)
        await asyncio.wait_for(receiver.done.wait(), 120)
        return rate, list(receiver.delays)
    finally:
        await delivery.stop()


async def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    receiver = Receiver()
    await receiver.start()
    try:
        direct = await bench_direct(receiver)
        async with bench_pool("analyticbot_bench_webhooks", max_size=CONCURRENCY + 4) as pool:
            await populate(pool, receiver)
            rate, delays = await bench_outbox(pool, receiver)
    finally:
        await receiver.stop()
    delays.sort()
    p50 = statistics.median(delays)
    p99 = delays[min(len(delays) - 1, round(len(delays) * 0.99))]
    print(f"{ENDPOINTS:,} endpoints, {ENDPOINTS * MESSAGES_PER_ENDPOINT:,} messages")
    print(f"{'POSTed straight from memory':38} {direct:8.0f} deliveries/s   1.00x")
    print(
        f"{'through the outbox (in order, logged)':38} {rate:8.0f} deliveries/s   "
        f"{rate / direct:.2f}x"
    )
    print(
        f"steady stream of {len(delays) / STEADY_SECONDS:.0f} events/s: delay from event to "
        f"delivery p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
