"""Builds the bot, its services and its web app, and runs them together."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import BotCommand
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import texts
from bot.alert_sender import AiogramAlertSender
from bot.fsm_storage import PostgresStorage
from bot.handlers import get_routers
from bot.middlewares import RememberUserMiddleware, ThrottlingMiddleware
from bot.session import create_session
from bot.telegram_gateway import AiogramTelegramGateway
from bot.web import create_web_app
from db.alerts import AlertsRepository
from db.channels import ChannelsRepository
from db.fsm import FsmRepository
from db.ingestion import IngestionRepository
from db.plans import PlansRepository
from db.preferences import PreferencesRepository
from db.users import UsersRepository
from services.alert_delivery import AlertDeliveryService
from services.alerts import AlertService
from services.channels import ChannelService
from services.clock import Clock, SystemClock
from services.entitlements import EntitlementsService
from services.health import HealthService
from services.ingestion import IngestionService
from services.outgoing import OutgoingQueue
from services.plans import Allowance
from services.preferences import PreferencesService
from services.settings import Settings
from services.subscribers import SubscriberSnapshotService
from services.users import UserService

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Every service, built once; handlers receive them by name through workflow data."""

    users: UserService
    entitlements: EntitlementsService
    channels: ChannelService
    ingestion: IngestionService
    subscribers: SubscriberSnapshotService
    health: HealthService
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
        self.bot = Bot(
            token=settings.bot_token.get_secret_value(),
            session=create_session(settings.telegram_api_base),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        gateway = AiogramTelegramGateway(self.bot)
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
            outgoing=outgoing,
            alerts=alerts,
            alert_delivery=alert_delivery,
            preferences=PreferencesService(
                PreferencesRepository(pool), on_change=alert_delivery.wake
            ),
        )
        self.dispatcher = self._build_dispatcher(pool)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._web_runner: web.AppRunner | None = None

    def _build_dispatcher(self, pool: asyncpg.Pool) -> Dispatcher:
        # Dialog state in PostgreSQL: a restart loses nobody's half-finished wizard.
        dp = Dispatcher(storage=PostgresStorage(FsmRepository(pool)))
        dp.workflow_data.update(settings=self.settings, clock=self.clock)
        dp.workflow_data.update(self.services.as_workflow_data())
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

    def _schedule_jobs(self) -> None:
        self.scheduler.add_job(
            self.services.subscribers.snapshot_all,
            "interval",
            minutes=self.settings.subscriber_snapshot_minutes,
            id="subscriber_snapshots",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.services.channels.recheck_all_admins,
            "interval",
            minutes=self.settings.admin_recheck_minutes,
            id="admin_recheck",
            max_instances=1,
            coalesce=True,
        )
        if self.settings.feature_alerts:
            self.scheduler.add_job(
                self.services.alerts.evaluate,
                "interval",
                minutes=self.settings.alert_check_minutes,
                id="alert_evaluation",
                max_instances=1,
                coalesce=True,
            )

    async def _on_startup(self) -> None:
        await self.bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in texts.COMMANDS.items()]
        )
        self.services.ingestion.start()
        if self.settings.feature_alerts:
            self.services.alert_delivery.start()
        self._schedule_jobs()
        self.scheduler.start()
        self._web_runner = web.AppRunner(create_web_app(health=self.services.health))
        await self._web_runner.setup()
        await web.TCPSite(self._web_runner, self.settings.web_host, self.settings.web_port).start()
        log.info("bot started; web app on %s", self.web_url)

    async def _on_shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.services.ingestion.stop()
        # Sends waiting for their turn are given back to the outbox; sends in flight finish.
        await self.services.outgoing.close()
        await self.services.alert_delivery.stop()
        if self._web_runner is not None:
            await self._web_runner.cleanup()
            self._web_runner = None
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
