"""Small things many tests share."""

import asyncio
import io
import os
import shutil
import struct
import tempfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
from aiogram import Bot, Dispatcher
from PIL import Image

from db.embedded import EmbeddedPostgres
from db.migrate import migrate
from db.pool import create_pool


class LocalServer(ABC):
    """A server of the suite's on 127.0.0.1 that `async with` starts and stops."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


class ManualClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC).replace(microsecond=0)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        """Waiting moves the clock; what waited is recorded in `slept`."""
        self.slept.append(seconds)
        self._now += timedelta(seconds=max(seconds, 0))
        await asyncio.sleep(0)


def english_day(day: date | datetime) -> str:
    """A plan's date as the bot writes it in English: 2 December 2026."""
    return f"{day.day} {day:%B} {day:%Y}"


RUSSIAN_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"


def russian_day(day: date | datetime) -> str:
    """A plan's date as the bot writes it in Russian: 2 декабря 2026."""
    return f"{day.day} {RUSSIAN_MONTHS.split()[day.month - 1]} {day.year}"


def with_database(dsn: str, database: str) -> str:
    """The same server DSN, pointing at another database."""
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


async def create_database(server_dsn: str, name: str) -> str:
    """A new, empty database on the server (dropped first if a crashed run left it)."""
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def drop_database(server_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def bench_pool(
    name: str, *, max_size: int, statement_timeout: float = 10.0
) -> AsyncIterator[asyncpg.Pool]:
    """A migrated database of a bench's own, dropped after: on DATABASE_URL's server, or on an
    embedded PostgreSQL in a temporary folder."""
    embedded: EmbeddedPostgres | None = None
    folder: str | None = None
    if url := os.environ.get("DATABASE_URL"):
        server_dsn = url
    else:
        folder = tempfile.mkdtemp(prefix="abb-")
        embedded = EmbeddedPostgres(Path(folder))
        server_dsn = await asyncio.to_thread(embedded.start)
    database = f"{name}_{os.getpid()}"
    try:
        dsn = await create_database(server_dsn, database)
        pool = await create_pool(
            dsn, min_size=1, max_size=max_size, statement_timeout=statement_timeout
        )
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            yield pool
        finally:
            await pool.close()
            await drop_database(server_dsn, database)
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """Build one PNG chunk with its CRC."""
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def bomb_png(side: int = 30_000) -> bytes:
    """Build a real, valid 1-bit PNG of side×side pixels that compresses to a few hundred KB."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    body = b"".join(compressor.compress(row * 1000) for _ in range(side // 1000))
    body += compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """Encode an image in memory."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    """Decode and fully load an image from bytes."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


Box = tuple[int, int, int, int]  # (left, top, right, bottom), as Pillow's getbbox gives it


def inside(box: Box | None, area: Box) -> bool:
    """Whether the box (None: no box at all) lies within the area."""
    return (
        box is not None
        and box[0] >= area[0]
        and box[1] >= area[1]
        and box[2] <= area[2]
        and box[3] <= area[3]
    )


def background(size: tuple[int, int] = (900, 600)) -> Image.Image:
    """Return a non-uniform RGB test picture, so a misplaced pixel can't hide in a flat colour."""
    ramp = Image.linear_gradient("L").resize(size)
    across = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(size)
    return Image.merge("RGB", (ramp, across, Image.new("L", size, 120)))


async def open_card_checkout(tg, stripe_api, user, plan: str = "Pro") -> dict:
    """The user presses /subscribe's Card button for a plan; returns the Checkout Session the
    Pay button leads to, as Stripe has it (Stripe knows the user as a customer from now on)."""
    await tg.send_text(user, "/subscribe")
    await tg.press_button(user, tg.last_to(user, "sendMessage"), f"💳 {plan}")
    url = tg.last_to(user, "sendMessage").button("Pay")["url"]
    return stripe_api.session_by_url(url)


async def subscribe_by_card(tg, stripe_api, user, plan: str = "Pro") -> dict:
    """The user buys a plan by card: /subscribe, the Card button, paying on Stripe's page, and
    Stripe's events for it delivered; returns the subscription as Stripe has it now."""
    checkout = await open_card_checkout(tg, stripe_api, user, plan)
    events = stripe_api.complete_checkout(checkout["id"])
    assert await stripe_api.deliver_all(events) == [200] * len(events)
    subscription_id = events[0]["data"]["object"]["id"]
    return stripe_api.subscriptions[subscription_id]


class FreezableProxy(LocalServer):
    """A TCP proxy in front of a PostgreSQL DSN that can freeze: bytes stop flowing both ways,
    as when the server hangs (stopped, swapping, a dead disk), until it thaws."""

    def __init__(self, dsn: str) -> None:
        self._target = urlsplit(dsn)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def dsn(self) -> str:
        """The same database, reached through the proxy."""
        user = self._target.username or "postgres"
        password = f":{self._target.password}" if self._target.password else ""
        netloc = f"{user}{password}@127.0.0.1:{self.port}"
        return urlunsplit(("postgresql", netloc, self._target.path, "", ""))

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.thaw()
        if self._server is not None:
            self._server.close()
            for writer in self._writers:
                writer.close()
            await self._server.wait_closed()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        query = parse_qs(self._target.query)
        port = int(query.get("port", [self._target.port or 5432])[0])
        if socket_dir := query.get("host", [""])[0]:  # the embedded server: a unix socket
            return await asyncio.open_unix_connection(f"{socket_dir}/.s.PGSQL.{port}")
        return await asyncio.open_connection(self._target.hostname or "127.0.0.1", port)

    async def _relay(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        server_in, server_out = await self._open_target()
        self._writers |= {client_out, server_out}
        await asyncio.gather(self._pipe(client_in, server_out), self._pipe(server_in, client_out))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                await self._flowing.wait()
                sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            sink.close()


@asynccontextmanager
async def polling(tg, bot: Bot, dp: Dispatcher, **options: object) -> AsyncIterator[None]:
    """The dispatcher polls the fake Telegram `tg` (with `options` of start_polling, such as
    allowed_updates) from its first getUpdates until the block ends."""
    mark = tg.mark()
    task = asyncio.create_task(
        dp.start_polling(
            bot, handle_as_tasks=False, handle_signals=False, polling_timeout=5, **options
        )
    )
    await tg.wait_for("getUpdates", after=mark)
    try:
        yield
    finally:
        await dp.stop_polling()
        await task
