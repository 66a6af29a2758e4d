"""Builds the bot, its services and its web app, and runs them together."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import asyncpg
import stripe
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import BotCommand
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.alert_sender import AiogramAlertSender
from bot.api import ApiContext
from bot.digest_sender import AiogramDigestSender
from bot.fsm_storage import PostgresStorage
from bot.handlers import get_routers
from bot.i18n import CatalogI18n, UserLocaleMiddleware
from bot.i18n_texts.commands import COMMANDS, switched_off_commands
from bot.menu_button import set_dashboard_button
from bot.metrics import BotMetrics, TelegramErrorMetricsMiddleware, UpdateMetricsMiddleware
from bot.middlewares import InFlightUpdates, RememberUserMiddleware, ThrottlingMiddleware
from bot.polling import ConfirmingDispatcher
from bot.rate_limit import TokenBuckets
from bot.session import create_session
from bot.telegram_gateway import AiogramBillingNotifier, AiogramTelegramGateway
from bot.web import create_web_app, create_web_runner
from bot.webhook import StoringRequestHandler, webhook_secret
from bot.webhook_notifier import AiogramWebhookNotifier
from services.clock import Clock, SystemClock
from services.config import Settings
from services.domain.views import ViewSourceStatus
from services.i18n import DEFAULT_LOCALE, RUSSIAN_READERS, Catalogs, locale_for
from services.views.collector import ViewsCollector
from services.wiring import build_services, build_views_collector, dialog_states

log = logging.getLogger(__name__)

# Stars and granted plans run out on their own; their users hear about it within this time.
_PLAN_EXPIRY_CHECK_MINUTES = 10
# Delivered webhook messages past the delivery log's 30 days are forgotten this often.
_WEBHOOK_PRUNE_MINUTES = 60
# On shutdown, updates being handled get this long to finish before they are cancelled.
_IN_FLIGHT_GRACE_SECONDS = 2.0


class BotApplication:
    """The bot, its services, scheduler and web app, sharing one database."""

    def __init__(self, settings: Settings, pool: asyncpg.Pool, *, clock: Clock | None = None):
        if settings.bot_token is None:
            raise ValueError("BOT_TOKEN is not set")
        self.settings = settings
        self.clock = clock or SystemClock()
        self._pool = pool
        self.catalogs = Catalogs()
        self.bot = Bot(
            token=settings.bot_token.get_secret_value(),
            session=create_session(settings.telegram_api_base, self.clock),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        # Stripe's HTTP client lives until shutdown, which closes it.
        self._stripe_http = stripe.AIOHTTPClient(timeout=30) if settings.stripe_enabled else None
        self.services = build_services(
            settings,
            pool,
            self.clock,
            catalogs=self.catalogs,
            gateway=AiogramTelegramGateway(self.bot),
            notifier=AiogramBillingNotifier(self.bot, self.catalogs, self._user_locale),
            alert_sender=AiogramAlertSender(self.bot, self.catalogs),
            webhook_notifier=AiogramWebhookNotifier(self.bot, self.catalogs),
            digest_sender=AiogramDigestSender(self.bot, self.catalogs, self._user_locale),
            stripe_http=self._stripe_http,
        )
        self.metrics = BotMetrics(
            self.clock,
            backlog=self.services.health.backlog,
            queue_depths=lambda: {
                "outgoing": self.services.outgoing.waiting,
                "ingestion": self.services.ingestion.pending,
            },
        )
        # After the session's retries: each failed attempt is counted.
        self.bot.session.middleware(TelegramErrorMetricsMiddleware(self.metrics))
        self._in_flight = InFlightUpdates()
        self.dispatcher = self._build_dispatcher()
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._web_runner: web.AppRunner | None = None
        # Set by stop() in webhook mode, where no polling loop is there to stop.
        self._webhook_stopped: asyncio.Event | None = None
        # The views collector reads the web preview through an HTTP session that lives from
        # startup to shutdown, so both are built at startup.
        self._preview_session: aiohttp.ClientSession | None = None
        self.views: ViewsCollector | None = None

    def _build_dispatcher(self) -> ConfirmingDispatcher:
        # Dialog state in PostgreSQL: a restart loses nobody's half-finished wizard.
        dp = ConfirmingDispatcher(
            store=self._store_ingested, storage=PostgresStorage(dialog_states(self._pool))
        )
        dp.workflow_data.update(settings=self.settings, clock=self.clock, catalogs=self.catalogs)
        dp.workflow_data.update(self.services.as_workflow_data())
        dp.update.outer_middleware(self._in_flight)
        dp.update.outer_middleware(UpdateMetricsMiddleware(self.metrics))
        throttling = ThrottlingMiddleware(
            burst=self.settings.throttle_burst, rate=self.settings.throttle_rate
        )
        for observer in (dp.message, dp.callback_query):
            observer.outer_middleware(throttling)
            observer.outer_middleware(RememberUserMiddleware())
        # After RememberUserMiddleware, whose `user` carries the language chosen in /settings.
        UserLocaleMiddleware(CatalogI18n(self.catalogs)).setup(dp)
        dp.include_routers(*get_routers(self.settings))
        dp.startup.register(self._on_startup)
        dp.shutdown.register(self._on_shutdown)
        return dp

    async def _store_ingested(self) -> bool:
        """Write what ingestion buffered; whether it is stored (Telegram is told only then)."""
        try:
            await self.services.ingestion.flush()
        except Exception as error:
            log.warning(
                "could not store %d ingested rows, kept for the next try: %r",
                self.services.ingestion.pending,
                error,
            )
            return False
        return True

    async def _user_locale(self, user_id: int) -> str:
        # Built after the notifier that asks it, so looked up at the time of asking.
        return await self.services.users.locale(user_id=user_id)

    @property
    def web_url(self) -> str:
        """Where the web app listens, with the real port when WEB_PORT is 0."""
        if self._web_runner is None:
            raise RuntimeError("the web app is not running")
        host, port = self._web_runner.addresses[0][:2]
        return f"http://{host}:{port}"

    def _every(
        self,
        job: Callable[[], Awaitable[object]],
        job_id: str,
        *,
        shares_its_work: bool = False,
        **interval: int,
    ) -> None:
        """Run a job at an interval; a run still going when the next is due is not doubled.

        Every process schedules every job; in each tick only the one that claims it does it,
        unless the job shares its work between processes itself (shares_its_work).
        """
        every = timedelta(**interval)

        async def once_per_tick() -> None:
            if await self.services.scheduled_jobs.claim_tick(job=job_id, every=every):
                await job()

        self.scheduler.add_job(
            job if shares_its_work else once_per_tick,
            "interval",
            id=job_id,
            max_instances=1,
            coalesce=True,
            **interval,
        )

    def _schedule_jobs(self) -> None:
        settings, services = self.settings, self.services
        # (switched on, job, id, interval): a switched-off feature's job is not scheduled.
        jobs: tuple[tuple[bool, Callable[[], Awaitable[object]], str, dict[str, int]], ...] = (
            (
                True,
                services.subscribers.snapshot_all,
                "subscriber_snapshots",
                {"minutes": settings.subscriber_snapshot_minutes},
            ),
            (
                True,
                services.channels.recheck_all_admins,
                "admin_recheck",
                {"minutes": settings.admin_recheck_minutes},
            ),
            (
                True,
                services.billing.end_expired_plans,
                "end_expired_plans",
                {"minutes": _PLAN_EXPIRY_CHECK_MINUTES},
            ),
            (
                settings.feature_alerts,
                services.alerts.evaluate,
                "alert_evaluation",
                {"minutes": settings.alert_check_minutes},
            ),
            (
                settings.feature_webhooks,
                services.webhook_delivery.prune,
                "webhook_prune",
                {"minutes": _WEBHOOK_PRUNE_MINUTES},
            ),
            (
                settings.feature_insights,
                services.insights.send_due_digests,
                "insights_digest",
                {"minutes": settings.insights_digest_check_minutes},
            ),
            (
                settings.feature_copies,
                services.copies.read_watched,
                "watched_channels",
                {"seconds": settings.watch_poll_seconds},
            ),
        )
        for switched_on, job, job_id, interval in jobs:
            if switched_on:
                self._every(job, job_id, **interval)
        if self.views is not None:
            # Each process collects the channels it claims (ViewsCollector.collect_due).
            self._every(
                self._collect_views,
                "post_views",
                shares_its_work=True,
                seconds=settings.views_collect_seconds,
            )

    async def _collect_views(self) -> None:
        """Collect the views that are due; a post's jump in views is checked against alerts."""
        if self.views is None:
            return
        outcomes = await self.views.collect_due()
        if self.settings.feature_alerts:
            collected = [o.channel_id for o in outcomes if o.status is ViewSourceStatus.OK]
            await self.services.alerts.on_views_collected(channel_ids=collected)

    async def _on_startup(self) -> None:
        # A switched-off feature's commands stay out of Telegram's command menu.
        await self._set_commands_menu()
        await self._set_menu_button()
        self.services.ingestion.start()
        if self.settings.feature_alerts:
            self.services.alert_delivery.start()
        if self.settings.feature_webhooks:
            self.services.webhook_delivery.start()
        if self.settings.feature_analytics:
            self._preview_session = aiohttp.ClientSession()
            self.views = build_views_collector(
                self.settings,
                self._pool,
                self._preview_session,
                self.services.entitlements,
                self.clock,
                # The history read from the preview is fingerprinted for copy detection.
                history_listener=self.services.copies if self.settings.feature_copies else None,
            )
        self._schedule_jobs()
        self.scheduler.start()
        log.info("bot started")

    async def _set_menu_button(self) -> None:
        """Everyone's default menu button, in English; each user gets their own language's
        when they /start or choose a language (bot/menu_button.py)."""
        await set_dashboard_button(
            self.bot, self.catalogs.translator(DEFAULT_LOCALE), self.settings.dashboard_url
        )

    async def _set_commands_menu(self) -> None:
        """The menu in Russian for the languages answered in Russian, in English for the rest."""
        switched_off = switched_off_commands(self.settings)
        menus = {None: DEFAULT_LOCALE} | {
            code: locale_for(code) for code in sorted(RUSSIAN_READERS)
        }
        for language_code, locale in menus.items():
            t = self.catalogs.translator(locale)
            await self.bot.set_my_commands(
                [
                    BotCommand(command=name, description=t(description))
                    for name, description in COMMANDS.items()
                    if name not in switched_off
                ],
                language_code=language_code,
            )

    def _build_web_app(self) -> web.Application:
        settings = self.settings
        return create_web_app(
            health=self.services.health,
            metrics=self.metrics,
            stripe_billing=self.services.stripe_billing if settings.feature_billing else None,
            share_links=self.services.share_links if settings.feature_share_links else None,
            share_rate=TokenBuckets(
                burst=settings.share_rate_burst, rate=settings.share_rate_per_second
            ),
            catalogs=self.catalogs,
            public_base_url=settings.public_base_url,
            body_timeout=settings.web_body_timeout_seconds,
            api=(
                ApiContext(
                    services=self.services,
                    rate_burst=settings.api_rate_burst,
                    rate_per_second=settings.api_rate_per_second,
                    features_off=settings.features_off(),
                )
                if settings.feature_api
                else None
            ),
            # The dashboard runs on the API: it is served when the API is.
            webapp_script_url=(
                settings.telegram_webapp_script_url if settings.dashboard_enabled else None
            ),
            trusted_proxies=settings.trusted_proxies,
        )

    async def _on_shutdown(self) -> None:
        # A handler stuck on a runaway query must not hold the shutdown (SIGTERM) up.
        await self._in_flight.finish_or_cancel(grace=_IN_FLIGHT_GRACE_SECONDS)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.services.ingestion.stop()
        # Sends waiting for their turn are given back to the outbox; sends in flight finish.
        await self.services.outgoing.close()
        await self.services.alert_delivery.stop()
        # What was not delivered stays in the outbox, for the next start or another process.
        await self.services.webhook_delivery.stop()
        await self.services.insights.close()
        await self.services.copies.close()
        if self._preview_session is not None:
            self.views = None
            await self._preview_session.close()
            self._preview_session = None
        if self._stripe_http is not None:
            await self._stripe_http.close_async()
        log.info("bot stopped")

    @contextlib.asynccontextmanager
    async def _serving(self, web_app: web.Application) -> AsyncIterator[None]:
        """The web app listening on WEB_HOST:WEB_PORT for as long as the block runs."""
        self._web_runner = create_web_runner(web_app)
        await self._web_runner.setup()
        try:
            await web.TCPSite(
                self._web_runner, self.settings.web_host, self.settings.web_port
            ).start()
            log.info("web app on %s", self.web_url)
            yield
        finally:
            await self._web_runner.cleanup()
            self._web_runner = None

    async def run_polling(self, **polling: Any) -> None:
        """Poll until stopped (SIGTERM, Ctrl-C or stop()); startup and shutdown hooks run here."""
        # A webhook left by webhook mode would have Telegram refuse getUpdates with 409.
        await self.bot.delete_webhook()
        async with self._serving(self._build_web_app()):
            await self.dispatcher.start_polling(
                self.bot,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
                **polling,
            )

    async def run_webhook(self, *, handle_signals: bool = True) -> None:
        """Serve Telegram's webhook until stopped (SIGTERM, Ctrl-C or stop()).

        The web app's startup and shutdown run the dispatcher's (setup_application). An update
        is answered once its handler has returned and what it brought is stored, so Telegram
        sends again what failed.
        """
        settings = self.settings
        secret = webhook_secret(settings)
        web_app = self._build_web_app()
        # In this order the dispatcher's shutdown runs before the handler closes the bot's session.
        setup_application(web_app, self.dispatcher, bot=self.bot)
        StoringRequestHandler(
            self.dispatcher,
            self.bot,
            store=self._store_ingested,
            handle_in_background=False,
            secret_token=secret,
        ).register(web_app, path=settings.webhook_path)
        self._webhook_stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        if handle_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._webhook_stopped.set)
        try:
            async with self._serving(web_app):
                # Every process sets the same webhook: the last call wins, and all are alike.
                await self.bot.set_webhook(
                    url=settings.webhook_url,
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                    secret_token=secret,
                )
                await self._webhook_stopped.wait()
        finally:
            if handle_signals:
                for signum in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(signum)
            self._webhook_stopped = None

    async def stop(self) -> None:
        if self._webhook_stopped is not None:
            self._webhook_stopped.set()
        else:
            await self.dispatcher.stop_polling()
