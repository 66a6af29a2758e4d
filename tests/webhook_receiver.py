"""A webhook receiver on 127.0.0.1, as a customer would run one: every delivery is verified
with the `standardwebhooks` library, and the test says how it answers (or that it is down).

Its clock is the test's: the library refuses timestamps five minutes away from "now", and the
bot stamps deliveries with the clock the test moves.
"""

import asyncio
import socket
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import standardwebhooks.webhooks as standard
from aiohttp import web
from helpers import LocalServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Delivery:
    """A delivery the receiver verified: the path it came to, its id, stamp and payload."""

    path: str
    webhook_id: str
    timestamp: int
    payload: dict[str, Any]

    @property
    def type(self) -> str:
        return self.payload["type"]


class WebhookReceiver(LocalServer):
    def __init__(self, clock) -> None:
        self._clock = clock
        self.secrets: dict[str, str] = {}  # path: the endpoint's signing secret
        self.deliveries: list[Delivery] = []  # verified ones, in arrival order
        self.refused: list[str] = []  # why a request failed verification
        self.answers: deque[int] = deque()  # statuses to answer next, then 200
        self.delay = 0.0  # seconds each answer takes
        self.arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._held_port: socket.socket | None = None  # while down: bound, not listening
        self.port = 0

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def expect(self, path: str, secret: str) -> None:
        self.secrets[path] = secret

    def of_type(self, event_type: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.type == event_type]

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.text()
        secret = self.secrets.get(request.path)
        if secret is None:
            self.refused.append(f"no endpoint at {request.path}")
            return web.Response(status=404)
        try:
            payload = _verify(Webhook(secret), body, dict(request.headers), self._clock.now())
        except WebhookVerificationError as error:
            self.refused.append(str(error))
            return web.Response(status=400)
        self.deliveries.append(
            Delivery(
                path=request.path,
                webhook_id=request.headers["webhook-id"],
                timestamp=int(request.headers["webhook-timestamp"]),
                payload=payload,
            )
        )
        self.arrived.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.answers.popleft() if self.answers else 200
        return web.Response(status=status, text="ok")

    async def start(self) -> None:
        await self.up()

    async def up(self) -> None:
        """Listen (again, on the same port after `down`)."""
        app = web.Application()
        app.router.add_post("/{path:.*}", self._receive)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        # reuse_port: it binds beside the socket that `down` left holding the port.
        site = web.TCPSite(
            self._runner, "127.0.0.1", self.port, reuse_address=True, reuse_port=True
        )
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._release_port()

    async def down(self) -> None:
        """Stop, kept-alive connections too: every delivery is refused until `up`. The port stays
        bound meanwhile, so no other server (another test worker's, say) takes it."""
        # No SO_REUSEADDR: with it, a server binding the port outright would be let in.
        held = socket.socket()
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind(("127.0.0.1", self.port))
        self._held_port = held
        await self._close_runner()

    async def stop(self) -> None:
        await self._close_runner()
        self._release_port()

    async def _close_runner(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _release_port(self) -> None:
        if self._held_port is not None:
            self._held_port.close()
            self._held_port = None


def _verify(webhook: Webhook, body: str, headers: dict[str, str], now: datetime) -> Any:
    """The library's verify, its "now" being the test clock's."""

    class TestNow(datetime):
        @classmethod
        def now(cls, tz: timezone | None = None) -> datetime:  # type: ignore[override]
            return now.astimezone(tz)

    real = standard.datetime
    standard.datetime = TestNow  # type: ignore[misc]
    try:
        return webhook.verify(body, headers)
    finally:
        standard.datetime = real  # type: ignore[misc]
