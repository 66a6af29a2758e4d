"""Builds the bot, its services and its web app, and runs them together."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import asyncpg
import stripe
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import BotCommand
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import SecretStr

from bot import texts
from bot.alert_sender import AiogramAlertSender
from bot.fsm_storage import PostgresStorage
from bot.handlers import get_routers
from bot.middlewares import InFlightUpdates, RememberUserMiddleware, ThrottlingMiddleware
from bot.rate_limit import TokenBuckets
from bot.session import create_session
from bot.telegram_gateway import AiogramBillingNotifier, AiogramTelegramGateway
from bot.web import create_web_app
from db.alerts import AlertsRepository
from db.analytics import AnalyticsRepository
from db.billing import BillingRepository
from db.channels import ChannelsRepository
from db.exports import ExportsRepository
from db.fsm import FsmRepository
from db.ingestion import IngestionRepository
from db.plans import PlansRepository
from db.preferences import PreferencesRepository
from db.share_links import ShareLinksRepository
from db.users import UsersRepository
from db.views import ViewSourceStatus, ViewsRepository
from db.watermarks import WatermarksRepository
from services.alert_delivery import AlertDeliveryService
from services.alerts import AlertService
from services.analytics import AnalyticsService
from services.billing import BillingService
from services.channels import ChannelService
from services.charts import CHARTS, ChartService
from services.clock import Clock, SystemClock
from services.entitlements import EntitlementsService
from services.exports import ExportService
from services.health import HealthService
from services.ingestion import IngestionService
from services.outgoing import OutgoingQueue
from services.plans import BUSINESS, PRO, Allowance
from services.preferences import PreferencesService
from services.settings import Settings
from services.share_links import ShareLinkService
from services.share_reports import AnalyticsShareSource
from services.stars import StarsService
from services.stripe_billing import StripeBillingService
from services.subscribers import SubscriberSnapshotService
from services.users import UserService
from services.views import PreviewClient
from services.views.collector import ViewsCollector
from services.watermarking import WatermarkingService

log = logging.getLogger(__name__)

# Stars and granted plans run out on their own; their users hear about it within this time.
_PLAN_EXPIRY_CHECK_MINUTES = 10
# On shutdown, updates being handled get this long to finish before they are cancelled.
_IN_FLIGHT_GRACE_SECONDS = 2.0


@dataclass
class Services:
    """Every service, built once; handlers receive them by name through workflow data."""

    users: UserService
    entitlements: EntitlementsService
    channels: ChannelService
    ingestion: IngestionService
    subscribers: SubscriberSnapshotService
    health: HealthService
    watermarking: WatermarkingService
    analytics: AnalyticsService
    charts: ChartService
    exports: ExportService
    share_links: ShareLinkService
    billing: BillingService
    stars: StarsService
    stripe_billing: StripeBillingService | None  # None unless the STRIPE_* settings are set
    outgoing: OutgoingQueue
    alerts: AlertService
    alert_delivery: AlertDeliveryService
    preferences: PreferencesService

    def as_workflow_data(self) -> dict[str, Any]:
        return dict(vars(self))


class BotApplication:
    """The bot, its services, scheduler and web app, sharing one database."""

    def __init__(self, settings: Settings, pool: asyncpg.Pool, *, clock: Clock | None = None):
        if settings.bot_token is None:
            raise ValueError("BOT_TOKEN is not set")
        self.settings = settings
        self.clock = clock or SystemClock()
        self._pool = pool
        self.bot = Bot(
            token=settings.bot_token.get_secret_value(),
            session=create_session(settings.telegram_api_base, self.clock),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        gateway = AiogramTelegramGateway(self.bot)
        notifier = AiogramBillingNotifier(self.bot)
        billing_repo = BillingRepository(pool)
        channels_repo = ChannelsRepository(pool)
        ingestion_repo = IngestionRepository(pool)
        alerts_repo = AlertsRepository(pool)
        entitlements = EntitlementsService(
            PlansRepository(pool),
            self.clock,
            standing_counts={
                Allowance.CHANNELS: channels_repo.count_tracked_for_user,
                Allowance.ALERT_RULES: alerts_repo.count_rules_for_user,
            },
        )
        channels = ChannelService(
            channels_repo,
            gateway,
            entitlements,
            self.clock,
            admin_verify_ttl=timedelta(seconds=settings.admin_verify_ttl_seconds),
            concurrency=settings.telegram_concurrency,
        )
        analytics = AnalyticsService(AnalyticsRepository(pool), entitlements, self.clock)
        charts = ChartService()
        exports = ExportService(
            ExportsRepository(pool),
            entitlements,
            self.clock,
            work_dir=settings.data_dir / "exports",
            max_file_bytes=settings.export_max_file_bytes,
        )
        outgoing = OutgoingQueue(
            self.clock,
            overall_per_second=settings.outgoing_messages_per_second,
            per_chat_per_second=settings.outgoing_messages_per_chat_per_second,
        )
        alert_delivery = AlertDeliveryService(
            alerts_repo,
            AiogramAlertSender(self.bot),
            outgoing,
            self.clock,
            poll_seconds=settings.alert_delivery_poll_seconds,
        )
        alerts = AlertService(alerts_repo, channels, entitlements, alert_delivery, self.clock)
        self.services = Services(
            users=UserService(UsersRepository(pool)),
            entitlements=entitlements,
            channels=channels,
            ingestion=IngestionService(
                ingestion_repo,
                batch_size=settings.ingest_batch_size,
                flush_seconds=settings.ingest_flush_seconds,
                # A join/leave burst or a reaction spike is checked as soon as it is written.
                listener=alerts if settings.feature_alerts else None,
            ),
            subscribers=SubscriberSnapshotService(
                channels_repo,
                ingestion_repo,
                gateway,
                self.clock,
                concurrency=settings.telegram_concurrency,
            ),
            health=HealthService(pool),
            watermarking=WatermarkingService(
                WatermarksRepository(pool),
                channels,
                entitlements,
                gateway,
                max_bytes=settings.watermark_max_bytes,
            ),
            analytics=analytics,
            charts=charts,
            exports=exports,
            share_links=ShareLinkService(
                ShareLinksRepository(pool),
                AnalyticsShareSource(
                    channels_repo, analytics, charts, exports, chart_names=tuple(CHARTS)
                ),
                channels,
                entitlements,
                self.clock,
                public_base_url=settings.public_base_url,
                cache_seconds=settings.share_cache_seconds,
            ),
            billing=BillingService(billing_repo, notifier, self.clock),
            stars=StarsService(billing_repo, gateway, notifier, self.clock),
            stripe_billing=self._build_stripe_billing(billing_repo, notifier),
            outgoing=outgoing,
            alerts=alerts,
            alert_delivery=alert_delivery,
            preferences=PreferencesService(
                PreferencesRepository(pool), on_change=alert_delivery.wake
            ),
        )
        self._in_flight = InFlightUpdates()
        self.dispatcher = self._build_dispatcher()
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._web_runner: web.AppRunner | None = None
        # The views collector reads the web preview through an HTTP session that lives from
        # startup to shutdown, so both are built at startup.
        self._preview_session: aiohttp.ClientSession | None = None
        self.views: ViewsCollector | None = None

    def _build_stripe_billing(
        self, billing_repo: BillingRepository, notifier: AiogramBillingNotifier
    ) -> StripeBillingService | None:
        """The real library, async over aiohttp, at STRIPE_API_BASE (tests run a fake there)."""
        self._stripe_http: stripe.HTTPClient | None = None
        settings = self.settings
        if not settings.stripe_enabled:
            return None
        self._stripe_http = stripe.AIOHTTPClient(timeout=30)
        client = stripe.StripeClient(
            _secret(settings.stripe_secret_key),
            base_addresses={"api": settings.stripe_api_base},
            http_client=self._stripe_http,
            max_network_retries=2,
        )
        return StripeBillingService(
            billing_repo,
            client,
            notifier,
            self.clock,
            webhook_secret=_secret(settings.stripe_webhook_secret),
            prices={
                PRO.code: str(settings.stripe_price_pro),
                BUSINESS.code: str(settings.stripe_price_business),
            },
        )

    def _build_dispatcher(self) -> Dispatcher:
        # Dialog state in PostgreSQL: a restart loses nobody's half-finished wizard.
        dp = Dispatcher(storage=PostgresStorage(FsmRepository(self._pool)))
        dp.workflow_data.update(settings=self.settings, clock=self.clock)
        dp.workflow_data.update(self.services.as_workflow_data())
        dp.update.outer_middleware(self._in_flight)
        throttling = ThrottlingMiddleware(
            burst=self.settings.throttle_burst, rate=self.settings.throttle_rate
        )
        for observer in (dp.message, dp.callback_query):
            observer.outer_middleware(throttling)
            observer.outer_middleware(RememberUserMiddleware())
        dp.include_routers(*get_routers(self.settings))
        dp.startup.register(self._on_startup)
        dp.shutdown.register(self._on_shutdown)
        return dp

    @property
    def web_url(self) -> str:
        """Where the web app listens, with the real port when WEB_PORT is 0."""
        if self._web_runner is None:
            raise RuntimeError("the web app is not running")
        host, port = self._web_runner.addresses[0][:2]
        return f"http://{host}:{port}"

    def _build_views_collector(self, session: aiohttp.ClientSession) -> ViewsCollector:
        return ViewsCollector(
            ViewsRepository(self._pool),
            ChannelsRepository(self._pool),
            PreviewClient(session, base_url=self.settings.preview_base_url),
            self.services.entitlements,
            self.clock,
            concurrency=self.settings.views_concurrency,
            channels_per_run=self.settings.views_channels_per_run,
            max_pages=self.settings.views_max_pages,
            page_delay=self.settings.views_page_delay_seconds,
        )

    def _every(self, job: Callable[[], Awaitable[object]], job_id: str, **interval: int) -> None:
        """Run a job at an interval; a run still going when the next is due is not doubled."""
        self.scheduler.add_job(
            job, "interval", id=job_id, max_instances=1, coalesce=True, **interval
        )

    def _schedule_jobs(self) -> None:
        settings = self.settings
        self._every(
            self.services.subscribers.snapshot_all,
            "subscriber_snapshots",
            minutes=settings.subscriber_snapshot_minutes,
        )
        self._every(
            self.services.channels.recheck_all_admins,
            "admin_recheck",
            minutes=settings.admin_recheck_minutes,
        )
        self._every(
            self.services.billing.end_expired_plans,
            "end_expired_plans",
            minutes=_PLAN_EXPIRY_CHECK_MINUTES,
        )
        if settings.feature_alerts:
            self._every(
                self.services.alerts.evaluate,
                "alert_evaluation",
                minutes=settings.alert_check_minutes,
            )
        if self.views is not None:
            self._every(self._collect_views, "post_views", seconds=settings.views_collect_seconds)

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
        switched_off = {
            command
            for flag, commands in texts.FEATURE_COMMANDS.items()
            if not getattr(self.settings, flag)
            for command in commands
        }
        await self.bot.set_my_commands(
            [
                BotCommand(command=name, description=text)
                for name, text in texts.COMMANDS.items()
                if name not in switched_off
            ]
        )
        self.services.ingestion.start()
        if self.settings.feature_alerts:
            self.services.alert_delivery.start()
        if self.settings.feature_analytics:
            self._preview_session = aiohttp.ClientSession()
            self.views = self._build_views_collector(self._preview_session)
        self._schedule_jobs()
        self.scheduler.start()
        self._web_runner = web.AppRunner(self._build_web_app())
        await self._web_runner.setup()
        await web.TCPSite(self._web_runner, self.settings.web_host, self.settings.web_port).start()
        log.info("bot started; web app on %s", self.web_url)

    def _build_web_app(self) -> web.Application:
        settings = self.settings
        return create_web_app(
            health=self.services.health,
            stripe_billing=self.services.stripe_billing if settings.feature_billing else None,
            share_links=self.services.share_links if settings.feature_share_links else None,
            share_rate=TokenBuckets(
                burst=settings.share_rate_burst, rate=settings.share_rate_per_second
            ),
            public_base_url=settings.public_base_url,
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
        if self._preview_session is not None:
            self.views = None
            await self._preview_session.close()
            self._preview_session = None
        if self._web_runner is not None:
            await self._web_runner.cleanup()
            self._web_runner = None
        if self._stripe_http is not None:
            await self._stripe_http.close_async()
        log.info("bot stopped")

    async def run_polling(self, **polling: Any) -> None:
        """Poll until stopped (SIGTERM, Ctrl-C or stop()); startup and shutdown hooks run here."""
        await self.dispatcher.start_polling(
            self.bot,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
            **polling,
        )

    async def stop(self) -> None:
        await self.dispatcher.stop_polling()


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
