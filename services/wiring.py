"""Builds the repositories and the services on them: besides the services that use a
repository, the one place outside db that imports db, so bot never has to.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import aiohttp
import asyncpg
import stripe
from pydantic import SecretStr

from db.alerts.evaluation import AlertEvaluationRepository
from db.alerts.outbox import AlertOutboxRepository
from db.alerts.rules import AlertRulesRepository
from db.analytics import AnalyticsRepository
from db.api_keys import ApiKeysRepository
from db.app_sessions import AppSessionsRepository
from db.billing import BillingRepository
from db.channels import ChannelsRepository
from db.copies import CopyAlertsRepository, FingerprintsRepository, WatchRepository
from db.errors import MigrationError
from db.exports import ExportsRepository
from db.fsm import FsmRepository
from db.ingestion import IngestionRepository
from db.insights import InsightsRepository
from db.plans import PlansRepository
from db.pool import Database
from db.post_pages import PostPagesRepository
from db.preferences import PreferencesRepository
from db.scheduled_jobs import ScheduledJobsRepository
from db.send_slots import SendSlotsRepository
from db.share_links import ShareLinksRepository
from db.sources import SourcesRepository
from db.users import UsersRepository
from db.views import ViewsRepository
from db.watermarks import WatermarksRepository
from db.webhooks import WebhookEndpointsRepository, WebhookOutboxRepository
from services.alert_delivery import AlertDeliveryService, AlertSender
from services.alerts import AlertService
from services.analytics import AnalyticsService
from services.api_auth import ApiAuthenticator, ApiKeyResolver
from services.api_keys import KEY_PREFIX, ApiKeyService
from services.app_sessions import SESSION_TOKEN_PREFIX, AppSessionService, SessionResolver
from services.billing import BillingNotifier, BillingService
from services.channel_series import ChannelSeriesService
from services.channels import ChannelService
from services.charts import SHAREABLE_CHARTS, ChartService
from services.clock import Clock
from services.config import Settings
from services.copies import CopyService
from services.entitlements import EntitlementsService
from services.exports import ExportService
from services.health import HealthService
from services.i18n import Catalogs
from services.ingestion import IngestionService
from services.insights.language_model import LanguageModel, OpenAILanguageModel
from services.insights.service import DigestSender, InsightsService
from services.installation_secrets import SubscriberHasher, subscriber_hash_secret
from services.outgoing import OutgoingQueue
from services.plans import BUSINESS, PRO, Allowance
from services.preferences import PreferencesService
from services.scheduled_jobs import ScheduledJobsService
from services.share_links import ShareLinkService
from services.share_reports import AnalyticsShareSource
from services.sources import InviteLinkGateway, SourcesService
from services.stars import StarsGateway, StarsService
from services.stripe_billing import StripeBillingService
from services.subscribers import SubscriberSnapshotService
from services.telegram import TelegramGateway
from services.users import UserService
from services.views import PreviewClient
from services.views.collector import HistoryListener, ViewsCollector
from services.watermarks import WatermarkingService
from services.webhook_delivery import WebhookDeliveryService, WebhookNotifier
from services.webhooks import WebhookService


class DatabaseNotReady(Exception):
    """The database can't be used: the migrations on disk and the ones applied disagree."""


class BotGateway(TelegramGateway, StarsGateway, InviteLinkGateway, Protocol):
    """Telegram's Bot API as the services use it."""


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
    sources: SourcesService
    billing: BillingService
    stars: StarsService
    stripe_billing: StripeBillingService | None  # None unless the STRIPE_* settings are set
    outgoing: OutgoingQueue
    alerts: AlertService
    alert_delivery: AlertDeliveryService
    preferences: PreferencesService
    scheduled_jobs: ScheduledJobsService
    webhooks: WebhookService
    webhook_delivery: WebhookDeliveryService
    copies: CopyService
    app_sessions: AppSessionService  # the Mini App's sign-in
    api_keys: ApiKeyService
    api_auth: ApiAuthenticator
    channel_series: ChannelSeriesService
    insights: InsightsService

    def as_workflow_data(self) -> dict[str, Any]:
        return dict(vars(self))


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """The pool of DATABASE_URL (or of an embedded server), migrated, until the block ends.

    Raises DatabaseNotReady when the migrations can't be applied as they are.
    """
    database = Database(settings)
    try:
        await database.open()
    except MigrationError as error:
        await database.close()
        raise DatabaseNotReady(str(error)) from error
    try:
        yield database.pool
    finally:
        await database.close()


def build_services(
    settings: Settings,
    pool: asyncpg.Pool,
    clock: Clock,
    *,
    catalogs: Catalogs,
    gateway: BotGateway,
    notifier: BillingNotifier,
    alert_sender: AlertSender,
    webhook_notifier: WebhookNotifier,
    digest_sender: DigestSender,
    stripe_http: stripe.HTTPClient | None,
) -> Services:
    """Every service on the pool; the bot hands in how they reach Telegram (and Stripe)."""
    billing_repo = BillingRepository(pool)
    channels_repo = ChannelsRepository(pool)
    ingestion_repo = IngestionRepository(pool)
    alert_rules_repo = AlertRulesRepository(pool)
    alert_outbox_repo = AlertOutboxRepository(pool)
    share_links_repo = ShareLinksRepository(pool)
    webhook_endpoints_repo = WebhookEndpointsRepository(pool)
    sources_repo = SourcesRepository(pool)
    watch_repo = WatchRepository(pool)
    api_keys_repo = ApiKeysRepository(pool)
    entitlements = EntitlementsService(
        PlansRepository(pool),
        clock,
        standing_counts={
            Allowance.CHANNELS: channels_repo.count_tracked_for_user,
            Allowance.ALERT_RULES: alert_rules_repo.count_rules_for_user,
            # Live is as of the clock's now: expired links no longer count.
            Allowance.SHARE_LINKS: lambda user_id: share_links_repo.count_live(
                user_id=user_id, now=clock.now()
            ),
            Allowance.WEBHOOK_ENDPOINTS: webhook_endpoints_repo.count_for_owner,
            Allowance.INVITE_LINKS: lambda user_id: sources_repo.count_live_bot_links(
                user_id=user_id, now=clock.now()
            ),
            Allowance.WATCHED_CHANNELS: lambda user_id: watch_repo.count_for_user(user_id=user_id),
            Allowance.API_KEYS: api_keys_repo.count_live,
        },
    )
    subscribers = SubscriberSnapshotService(
        channels_repo, ingestion_repo, gateway, clock, concurrency=settings.telegram_concurrency
    )
    channels = ChannelService(
        channels_repo,
        gateway,
        entitlements,
        subscribers,
        clock,
        admin_verify_ttl=timedelta(seconds=settings.admin_verify_ttl_seconds),
        concurrency=settings.telegram_concurrency,
    )
    analytics_repo = AnalyticsRepository(pool)
    analytics = AnalyticsService(analytics_repo, entitlements, clock)
    api_keys = ApiKeyService(api_keys_repo, entitlements, clock)
    charts = ChartService()
    exports = ExportService(
        ExportsRepository(pool, copy_timeout=settings.export_copy_timeout_seconds),
        entitlements,
        clock,
        work_dir=settings.data_dir / "exports",
        max_file_bytes=settings.export_max_file_bytes,
    )
    outgoing = OutgoingQueue(
        clock,
        overall_per_second=settings.outgoing_messages_per_second,
        per_chat_per_second=settings.outgoing_messages_per_chat_per_second,
        shared=SendSlotsRepository(pool),
    )
    alert_delivery = AlertDeliveryService(
        alert_outbox_repo,
        alert_sender,
        outgoing,
        clock,
        poll_seconds=settings.alert_delivery_poll_seconds,
    )
    alerts = AlertService(
        alert_rules_repo,
        AlertEvaluationRepository(pool),
        alert_outbox_repo,
        channels,
        entitlements,
        alert_delivery,
        clock,
    )
    webhook_delivery = WebhookDeliveryService(
        WebhookOutboxRepository(pool),
        webhook_notifier,
        outgoing,
        clock,
        timeout_seconds=settings.webhook_timeout_seconds,
        retry_first=timedelta(seconds=settings.webhook_retry_first_seconds),
        retry_window=timedelta(hours=settings.webhook_retry_window_hours),
        allow_private_addresses=settings.webhook_allow_private_addresses,
        concurrency=settings.webhook_concurrency,
        poll_seconds=settings.webhook_poll_seconds,
    )
    copies = CopyService(
        FingerprintsRepository(pool),
        watch_repo,
        CopyAlertsRepository(pool),
        channels,
        entitlements,
        gateway,
        alert_delivery,
        clock,
        preview_base_url=settings.preview_base_url,
        photo_max_bytes=settings.watch_photo_max_bytes,
    )
    ingestion_listeners = [
        # A join/leave burst or a reaction spike is checked as soon as it is written.
        *([alerts] if settings.feature_alerts else []),
        # New posts are fingerprinted, so copies of them are found from then on.
        *([copies] if settings.feature_copies else []),
    ]
    users = UserService(UsersRepository(pool))
    app_sessions = AppSessionService(
        AppSessionsRepository(pool),
        users,
        clock,
        bot_token=_secret(settings.bot_token),
        init_data_max_age=timedelta(seconds=settings.webapp_auth_max_age_seconds),
        lifetime=timedelta(minutes=settings.webapp_session_minutes),
    )
    return Services(
        users=users,
        entitlements=entitlements,
        channels=channels,
        ingestion=IngestionService(
            ingestion_repo,
            SubscriberHasher(subscriber_hash_secret(settings)),
            batch_size=settings.ingest_batch_size,
            flush_seconds=settings.ingest_flush_seconds,
            listeners=ingestion_listeners,
        ),
        subscribers=subscribers,
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
            share_links_repo,
            AnalyticsShareSource(
                channels_repo, analytics, charts, exports, catalogs, chart_names=SHAREABLE_CHARTS
            ),
            channels,
            entitlements,
            clock,
            public_base_url=settings.public_base_url,
            cache_seconds=settings.share_cache_seconds,
        ),
        sources=SourcesService(sources_repo, gateway, channels, entitlements, outgoing, clock),
        billing=BillingService(billing_repo, notifier, clock),
        stars=StarsService(billing_repo, gateway, notifier, clock),
        stripe_billing=_stripe_billing(settings, billing_repo, notifier, clock, stripe_http),
        outgoing=outgoing,
        alerts=alerts,
        alert_delivery=alert_delivery,
        preferences=PreferencesService(PreferencesRepository(pool), on_change=alert_delivery.wake),
        scheduled_jobs=ScheduledJobsService(ScheduledJobsRepository(pool), clock),
        webhooks=WebhookService(
            webhook_endpoints_repo,
            entitlements,
            clock,
            allow_private_addresses=settings.webhook_allow_private_addresses,
            on_queued=webhook_delivery.wake,
        ),
        webhook_delivery=webhook_delivery,
        copies=copies,
        app_sessions=app_sessions,
        api_keys=api_keys,
        # A bearer token is an API key or a Mini App session, told apart by its prefix.
        api_auth=ApiAuthenticator(
            {
                KEY_PREFIX: ApiKeyResolver(api_keys),
                SESSION_TOKEN_PREFIX: SessionResolver(app_sessions),
            }
        ),
        channel_series=ChannelSeriesService(
            analytics_repo, PostPagesRepository(pool), entitlements, clock
        ),
        insights=InsightsService(
            InsightsRepository(pool),
            analytics,
            channels,
            entitlements,
            outgoing,
            digest_sender,
            clock,
            language_model=_language_model(settings),
        ),
    )


def _language_model(settings: Settings) -> LanguageModel | None:
    """The official client at OPENAI_BASE_URL (OpenAI's own when unset); None without a key."""
    if settings.openai_api_key is None:
        return None
    return OpenAILanguageModel(
        api_key=settings.openai_api_key.get_secret_value(),
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
    )


def _stripe_billing(
    settings: Settings,
    billing_repo: BillingRepository,
    notifier: BillingNotifier,
    clock: Clock,
    http: stripe.HTTPClient | None,
) -> StripeBillingService | None:
    """The real library, async over aiohttp, at STRIPE_API_BASE (tests run a fake there)."""
    if http is None:
        return None
    client = stripe.StripeClient(
        _secret(settings.stripe_secret_key),
        base_addresses={"api": settings.stripe_api_base},
        http_client=http,
        max_network_retries=2,
    )
    return StripeBillingService(
        billing_repo,
        client,
        notifier,
        clock,
        webhook_secret=_secret(settings.stripe_webhook_secret),
        prices={
            PRO.code: str(settings.stripe_price_pro),
            BUSINESS.code: str(settings.stripe_price_business),
        },
    )


def build_views_collector(
    settings: Settings,
    pool: asyncpg.Pool,
    session: aiohttp.ClientSession,
    entitlements: EntitlementsService,
    clock: Clock,
    *,
    history_listener: HistoryListener | None = None,
) -> ViewsCollector:
    """The collector of post views, reading the web preview through an open HTTP session."""
    return ViewsCollector(
        ViewsRepository(pool),
        ChannelsRepository(pool),
        PreviewClient(session, base_url=settings.preview_base_url),
        entitlements,
        clock,
        concurrency=settings.views_concurrency,
        channels_per_run=settings.views_channels_per_run,
        max_pages=settings.views_max_pages,
        page_delay=settings.views_page_delay_seconds,
        history_listener=history_listener,
    )


def dialog_states(pool: asyncpg.Pool) -> FsmRepository:
    """Where aiogram's dialog states are kept, so a restart loses nobody's wizard."""
    return FsmRepository(pool)


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
