"""Fixtures: a real PostgreSQL (embedded, or TEST_DATABASE_URL), a fake Telegram, the real bot."""

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from fake_openai import FakeOpenAI
from fake_preview import FakePreview
from fake_stripe import FakeStripe
from fake_telegram import BOT_TOKEN, FakeTelegram
from helpers import ManualClock, create_database, drop_database
from webhook_receiver import WebhookReceiver

from bot.app import BotApplication
from db.embedded import EmbeddedPostgres
from db.migrate import migrate
from db.pool import create_pool
from services.config import BotMode, Settings

TEST_DATABASE = f"analyticbot_test_{os.getpid()}"


@pytest.fixture(scope="session")
def server_dsn() -> Iterator[str]:
    """A PostgreSQL server to create test databases on."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    # A short path: the server's unix socket lives in it and socket paths are limited.
    data_dir = Path(tempfile.mkdtemp(prefix="abt-"))
    embedded = EmbeddedPostgres(data_dir)
    try:
        yield embedded.start()
    finally:
        embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def database_dsn(server_dsn: str) -> AsyncIterator[str]:
    """A database of the suite's own, migrated once."""
    dsn = await create_database(server_dsn, TEST_DATABASE)
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    yield dsn
    await drop_database(server_dsn, TEST_DATABASE)


@pytest.fixture(scope="session")
async def session_pool(database_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_dsn, min_size=1, max_size=10)
    yield pool
    await pool.close()


@pytest.fixture
async def db(session_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The pool, on a database emptied for this test."""
    tables = await session_pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'schema_migrations'"
    )
    if tables:
        names = ", ".join(f'"{t["tablename"]}"' for t in tables)
        await session_pool.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    return session_pool


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    """A bare aiogram Bot on the fake Telegram, for tests of the fake itself."""
    bot = Bot(BOT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    yield bot
    await bot.session.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def preview() -> AsyncIterator[FakePreview]:
    """A fake of Telegram's public web preview (t.me/s/...); a test that asks for it gets
    PREVIEW_BASE_URL pointing at it."""
    async with FakePreview() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client, for what a browser or another service asks of the bot's web app."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def stripe_server(clock: ManualClock) -> AsyncIterator[FakeStripe]:
    async with FakeStripe(clock=clock) as fake:
        yield fake


@pytest.fixture
async def openai_api() -> AsyncIterator[FakeOpenAI]:
    """A fake OpenAI-compatible server; a test that asks for it gets the OPENAI_* settings
    pointing at it."""
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
def stripe_api(app: "RunningBot", stripe_server: FakeStripe) -> FakeStripe:
    """The fake Stripe, wired to the bot both ways: a test that asks for it gets the STRIPE_*
    settings pointing at it, and its webhooks go to the bot's web app."""
    stripe_server.webhook_url = f"{app.app.web_url}/stripe/webhook"
    return stripe_server


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, tg: FakeTelegram, database_dsn: str, tmp_path: Path
) -> Settings:
    """Settings for the bot under test; `@pytest.mark.settings(name=value)` overrides any.

    Stripe is configured (pointing at the fake) only for tests that use `stripe_api`, a
    language model only for those that use `openai_api`, the web preview's fake only for those
    that use `preview`.
    """
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    values = dict(
        bot_token=BOT_TOKEN,
        telegram_api_base=tg.base_url,
        # The Mini App's page loads the fake's stand-in for telegram.org's script.
        telegram_webapp_script_url=tg.web_app_script_url,
        database_url=database_dsn,
        data_dir=tmp_path,
        web_host="127.0.0.1",
        web_port=0,
        public_base_url="http://127.0.0.1",
        admin_ids=frozenset(),
        # Tests flush ingestion explicitly; a long interval keeps timing out of them.
        ingest_flush_seconds=3600,
    )
    if "stripe_api" in request.fixturenames:
        values.update(request.getfixturevalue("stripe_server").settings())
    if "openai_api" in request.fixturenames:
        values.update(request.getfixturevalue("openai_api").settings())
    if "preview" in request.fixturenames:
        values["preview_base_url"] = request.getfixturevalue("preview").base_url
    values.update(overrides)
    return Settings(_env_file=None, **values)


class RunningBot:
    """A BotApplication polling the fake Telegram in the background."""

    def __init__(self, app: BotApplication, tg: FakeTelegram, pool: asyncpg.Pool) -> None:
        self.app = app
        self.tg = tg
        self._pool = pool
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        mark = self.tg.mark()
        if self.app.settings.bot_mode is BotMode.WEBHOOK:
            self._task = asyncio.create_task(self.app.run_webhook(handle_signals=False))
            await self.tg.wait_for("setWebhook", after=mark, timeout=15)
            # The fake's load balancer sends this process its share of the updates.
            self.tg.webhook_targets.append(self.webhook_address)
            return
        self._task = asyncio.create_task(
            self.app.run_polling(handle_as_tasks=False, handle_signals=False, polling_timeout=5)
        )
        await self.tg.wait_for("getUpdates", after=mark, timeout=15)

    @property
    def webhook_address(self) -> str:
        """Where this process serves the webhook (WEBHOOK_URL is the load balancer's)."""
        return self.app.web_url + self.app.settings.webhook_path

    async def stop(self) -> None:
        if self._task is None:
            return
        if self.app.settings.bot_mode is BotMode.WEBHOOK:
            self.tg.webhook_targets.remove(self.webhook_address)
        await self.app.stop()
        await self._task
        self._task = None

    async def restart(self) -> None:
        """Stop, then start a new BotApplication on the same database, as a redeploy does."""
        await self.stop()
        self.app = BotApplication(self.app.settings, self._pool, clock=self.app.clock)
        await self.start()

    @property
    def services(self):
        return self.app.services


@asynccontextmanager
async def polling_bot(
    settings: Settings, pool: asyncpg.Pool, tg: FakeTelegram, clock: ManualClock
) -> AsyncIterator[RunningBot]:
    """A BotApplication on `pool`, polling the fake Telegram until the block ends."""
    running = RunningBot(BotApplication(settings, pool, clock=clock), tg, pool)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def bot_pool(request: pytest.FixtureRequest, db: asyncpg.Pool) -> asyncpg.Pool:
    """The pool the bot under test runs on: `db`, or `own_pool` for a test that uses it."""
    if "own_pool" in request.fixturenames:
        return request.getfixturevalue("own_pool")
    return db


@pytest.fixture
async def app(
    settings: Settings, bot_pool: asyncpg.Pool, tg: FakeTelegram, clock: ManualClock
) -> AsyncIterator[RunningBot]:
    """The real bot, polling the fake Telegram, on a clean database."""
    async with polling_bot(settings, bot_pool, tg, clock) as running:
        yield running


@pytest.fixture
def own_pool_dsn(database_dsn: str) -> str:
    """Where `own_pool` connects; a test module may put something in between."""
    return database_dsn


@pytest.fixture
async def own_pool(
    settings: Settings, own_pool_dsn: str, db: asyncpg.Pool
) -> AsyncIterator[asyncpg.Pool]:
    """A pool built from the test's settings (DB_* sizes and timeouts), as production builds it."""
    pool = await create_pool(
        own_pool_dsn,
        min_size=1,
        max_size=settings.db_pool_max_size,
        statement_timeout=settings.db_statement_timeout_seconds,
        acquire_timeout=settings.db_acquire_timeout_seconds,
    )
    yield pool
    await pool.close()


@pytest.fixture
async def another_bot(
    settings: Settings, database_dsn: str, db: asyncpg.Pool, tg: FakeTelegram, clock: ManualClock
) -> AsyncIterator[Callable[[], Awaitable[RunningBot]]]:
    """Builds another BotApplication on the test's database with a pool of its own, as a second
    process would; it does not poll (one poller at a time), its services run all the same. In
    webhook mode it may be started, and gets its share of the updates."""
    built: list[tuple[RunningBot, asyncpg.Pool]] = []

    async def build() -> RunningBot:
        pool = await create_pool(database_dsn, min_size=1, max_size=4)
        running = RunningBot(BotApplication(settings, pool, clock=clock), tg, pool)
        built.append((running, pool))
        return running

    yield build
    for running, pool in built:
        await running.stop()
        await running.services.outgoing.close()
        await running.app.bot.session.close()
        await pool.close()


@pytest.fixture
async def receiver(clock: ManualClock) -> AsyncIterator[WebhookReceiver]:
    """A customer's webhook receiver on 127.0.0.1, verifying every delivery."""
    async with WebhookReceiver(clock) as receiving:
        yield receiving
