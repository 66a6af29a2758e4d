"""The web app against what anyone on the internet can send: malformed requests get a 400 and one
warning line, bodies are bounded in size and time, and every answer carries the same headers."""

import asyncio
import logging
import time
from dataclasses import dataclass

import aiohttp
import pytest
from fake_stripe import FakeStripe
from yarl import URL

from bot.web import SERVER_NAME


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    # From the end of sending until the server closed the connection.
    closed_after: float


async def _send_raw(app, request: bytes) -> RawResponse:
    """Send bytes that aiohttp's client would refuse to, and read until the server hangs up."""
    url = URL(app.app.web_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        writer.write(request)
        await writer.drain()
        sent = time.monotonic()
        async with asyncio.timeout(10):
            answer = await reader.read()
        closed_after = time.monotonic() - sent
    finally:
        writer.close()
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return RawResponse(int(head[0].split()[1]), headers, closed_after)


def _request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _warnings_and_worse(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


def _assert_one_warning_line(caplog: pytest.LogCaptureFixture) -> None:
    logged = _warnings_and_worse(caplog)
    assert [record.levelno for record in logged] == [logging.WARNING], logged
    assert logged[0].exc_info is None
    assert "\n" not in logged[0].getMessage()
    assert len(logged[0].getMessage()) < 400


_SIGNATURE_ENTRY = "v1=" + "0" * 64
MALFORMED = [
    pytest.param(_request("GET", "/healthz", "X-Padding: " + "a" * 9 * 1024), id="9 KB header"),
    pytest.param(
        _request("GET", "/r/favicon.ico", "Cookie: a=" + "b" * 100_000), id="100 KB cookie"
    ),
    pytest.param(
        _request(
            "POST",
            "/stripe/webhook",
            "Stripe-Signature: t=1," + ",".join([_SIGNATURE_ENTRY] * 300),
            "Content-Length: 2",
            body=b"{}",
        ),
        id="300 signatures",
    ),
    pytest.param(
        _request(
            "POST",
            "/stripe/webhook",
            "Stripe-Signature: t=1," + ",".join(["v1=0"] * 300),
            "Content-Length: 2",
            "Connection: close",  # well-formed, so it would be kept alive
            body=b"{}",
        ),
        id="300 short signatures within the header limit",
    ),
    pytest.param(
        _request(
            "POST",
            "/stripe/webhook",
            "Content-Length: 5",
            "Transfer-Encoding: chunked",
            body=b"0\r\n\r\n",
        ),
        id="Content-Length with Transfer-Encoding",
    ),
]


@pytest.mark.parametrize("request_bytes", MALFORMED)
async def test_malformed_request_gets_400_and_one_warning_line(
    app, stripe_api: FakeStripe, caplog: pytest.LogCaptureFixture, request_bytes: bytes
) -> None:
    caplog.clear()
    response = await _send_raw(app, request_bytes)

    assert response.status == 400
    assert response.headers["Server"] == SERVER_NAME
    _assert_one_warning_line(caplog)


@pytest.mark.settings(web_body_timeout_seconds=0.5)
@pytest.mark.parametrize(
    ("announced", "status", "closed_after"),
    [
        # Too big to wait for: refused before any of it arrives.
        pytest.param(10 * 1024**3, 413, (0, 3), id="10 GB refused at once"),
        # It announces 100 bytes and sends 2: a client that lies, or one on a dead line.
        pytest.param(100, 408, (0.4, 3), id="slower than the timeout"),
    ],
)
async def test_a_webhook_body_that_cannot_arrive_is_answered_and_its_connection_closed(
    app,
    stripe_api: FakeStripe,
    caplog: pytest.LogCaptureFixture,
    announced: int,
    status: int,
    closed_after: tuple[float, float],
) -> None:
    caplog.clear()
    response = await _send_raw(
        app, _request("POST", "/stripe/webhook", f"Content-Length: {announced}", body=b"{}")
    )

    assert response.status == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    earliest, latest = closed_after
    assert earliest < response.closed_after < latest
    _assert_one_warning_line(caplog)


async def test_webhook_body_over_its_bound_without_a_length_gets_413(
    app, stripe_api: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    async def flood():
        for _ in range(64):
            yield b"x" * 16 * 1024  # 1 MB in all, sent chunked

    caplog.clear()
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{app.app.web_url}/stripe/webhook", data=flood()) as response,
    ):
        assert response.status == 413
    _assert_one_warning_line(caplog)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", "/healthz", 200, id="health"),
        pytest.param("POST", "/stripe/webhook", 400, id="unsigned webhook"),
        pytest.param("GET", "/r/favicon.ico", 200, id="share favicon"),
        pytest.param("GET", "/r/no-such-link", 404, id="dead share link"),
        pytest.param("GET", "/no/such/page", 404, id="unknown path"),
    ],
)
async def test_every_answer_forbids_sniffing_and_names_no_versions(
    app, stripe_api: FakeStripe, method: str, path: str, status: int
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, app.app.web_url + path, data=b"{}") as response,
    ):
        assert response.status == status
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Server"] == SERVER_NAME


async def test_webhook_failing_on_our_side_still_logs_its_traceback(
    app, stripe_api: FakeStripe, db, caplog: pytest.LogCaptureFixture
) -> None:
    subscription = stripe_api.subscription(customer="cus_ours", metadata={"user_id": "1"})
    await db.execute("ALTER TABLE processed_stripe_events RENAME TO processed_away")
    try:
        status = await stripe_api.deliver(
            stripe_api.event("customer.subscription.deleted", subscription)
        )
    finally:
        await db.execute("ALTER TABLE processed_away RENAME TO processed_stripe_events")

    assert status == 500  # Stripe retries it later
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
