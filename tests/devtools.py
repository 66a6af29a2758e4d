"""Headless Chromium driven over the DevTools protocol, for tests that need a real browser.

Chromium prints the DevTools WebSocket address on stderr once it listens; one page target
is attached in flat mode, and its console errors, uncaught exceptions and log entries (CSP
violations and failed loads among them) are collected as they arrive.
"""

import asyncio
import base64
import contextlib
import itertools
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium")
_LISTENING = re.compile(rb"DevTools listening on (ws://\S+)")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)


class BrowserPage:
    """One tab: send commands, await events, read what the page complained about."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, session_id: str) -> None:
        self._socket = socket
        self._session_id = session_id
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        command_id = next(self._ids)
        reply = asyncio.get_running_loop().create_future()
        self._replies[command_id] = reply
        await self._socket.send_json(
            {"id": command_id, "method": method, "params": params, "sessionId": self._session_id}
        )
        message = await reply
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message["result"]

    async def wait_for_event(self, method: str, *, after: int = 0, **params: Any) -> dict[str, Any]:
        """The first event `method` (with these params) at or after position `after`."""

        def found() -> dict[str, Any] | None:
            return next(
                (
                    event
                    for event in self._events[after:]
                    if event["method"] == method
                    and all(event["params"].get(k) == v for k, v in params.items())
                ),
                None,
            )

        async with self._arrived:
            await self._arrived.wait_for(lambda: found() is not None)
        return found()

    async def open(self, url: str) -> None:
        """Navigate, and return once the page loaded and its network went quiet (favicon too)."""
        mark = self.mark()
        await self.send("Page.navigate", url=url)
        await self.wait_for_event("Page.lifecycleEvent", after=mark, name="networkIdle")

    def mark(self) -> int:
        return len(self._events)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def wait_until(self, expression: str) -> Any:
        """The expression's value once it is truthy, checked in the page as it changes."""
        poll = (
            "new Promise(resolve => { const check = () => { const value = (" + expression + ");"
            " if (value) resolve(value); else setTimeout(check, 20); }; check(); })"
        )
        result = await self.send(
            "Runtime.evaluate", expression=poll, awaitPromise=True, returnByValue=True
        )
        return result["result"].get("value")

    async def screenshot(self) -> bytes:
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        return base64.b64decode(shot["data"])

    def errors(self) -> list[str]:
        """Everything the page's console would show in red."""
        found = []
        for event in self._events:
            params = event["params"]
            match event["method"]:
                case "Runtime.consoleAPICalled" if params["type"] in ("error", "assert"):
                    found.append(" ".join(str(a.get("value", a)) for a in params["args"]))
                case "Runtime.exceptionThrown":
                    found.append(params["exceptionDetails"]["text"])
                case "Log.entryAdded" if params["entry"]["level"] == "error":
                    entry = params["entry"]
                    found.append(f"{entry['text']} {entry.get('url', '')}".strip())
        return found

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("sessionId") != self._session_id:
            return  # the browser's own events, or another tab's
        if "id" in message:
            self._replies.pop(message["id"]).set_result(message)
            return
        async with self._arrived:
            self._events.append(message)
            self._arrived.notify_all()


@asynccontextmanager
async def chromium_page(*, width: int, height: int, mobile: bool) -> AsyncIterator[BrowserPage]:
    """A fresh headless Chromium with one page of the given viewport; closed on exit."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *_FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    drain: asyncio.Task[bytes] | None = None
    try:
        async with asyncio.timeout(30):
            browser_url = await _devtools_address(process)
        # Keep draining stderr so Chromium never blocks writing to a full pipe.
        drain = asyncio.create_task(process.stderr.read())
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(browser_url, max_msg_size=0) as socket,
        ):
            page = await _attach_page(socket)
            reader = asyncio.create_task(_read(socket, page))
            try:
                for domain in ("Page", "Runtime", "Log"):
                    await page.send(f"{domain}.enable")
                await page.send("Page.setLifecycleEventsEnabled", enabled=True)
                await page.send(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=height,
                    deviceScaleFactor=2 if mobile else 1,
                    mobile=mobile,
                )
                yield page
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        if drain is not None:
            await drain
        shutil.rmtree(profile, ignore_errors=True)


async def _devtools_address(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    while line := await process.stderr.readline():
        if match := _LISTENING.search(line):
            return match.group(1).decode()
    raise RuntimeError(f"chromium exited ({process.returncode}) before DevTools listened")


async def _attach_page(socket: aiohttp.ClientWebSocketResponse) -> BrowserPage:
    """A new tab, attached in flat mode: its commands and events carry its sessionId."""
    await socket.send_json({"id": 1, "method": "Target.createTarget", "params": {"url": ""}})
    target_id = (await _reply(socket, 1))["result"]["targetId"]
    await socket.send_json(
        {
            "id": 2,
            "method": "Target.attachToTarget",
            "params": {"targetId": target_id, "flatten": True},
        }
    )
    return BrowserPage(socket, (await _reply(socket, 2))["result"]["sessionId"])


async def _reply(socket: aiohttp.ClientWebSocketResponse, command_id: int) -> dict[str, Any]:
    async for message in socket:
        data = message.json()
        if data.get("id") == command_id:
            return data
    raise RuntimeError("the DevTools connection closed")


async def _read(socket: aiohttp.ClientWebSocketResponse, page: BrowserPage) -> None:
    async for message in socket:
        await page.dispatch(message.json())
