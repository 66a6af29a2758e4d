"""The application's settings, read from the environment and `.env` (see .env.example)."""

import re
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Self

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import NoDecode

from db.config import DatabaseSettings

MiB = 1024 * 1024
# What Telegram accepts as a webhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_STRIPE_REQUIRED = (
    "stripe_secret_key",
    "stripe_webhook_secret",
    "stripe_price_pro",
    "stripe_price_business",
)


class BotMode(StrEnum):
    """How updates reach the bot: it asks Telegram for them, or Telegram posts them to it."""

    POLLING = "polling"
    WEBHOOK = "webhook"


class Settings(DatabaseSettings):
    """Every setting the bot reads; the environment names are the field names in upper case."""

    bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    # Webhook mode: Telegram posts updates to WEBHOOK_URL, which reaches WEBHOOK_PATH on the web
    # app; every process shares WEBHOOK_SECRET (kept in DATA_DIR when unset, see bot.webhook).
    bot_mode: BotMode = BotMode.POLLING
    webhook_url: str | None = None
    webhook_path: str = Field(default="/telegram/webhook", pattern=r"^/[A-Za-z0-9/_.-]*$")
    webhook_secret: SecretStr | None = None
    # The key of the subscriber hash (HMAC-SHA256) that ties a leave to its join's source;
    # kept in DATA_DIR when unset. Changing it forgets which source a present subscriber came
    # through.
    subscriber_hash_secret: SecretStr | None = None

    web_host: str = "127.0.0.1"
    web_port: int = 8080
    public_base_url: str = "http://localhost:8080"
    # A client gets this long to send a request body (or to stop sending one that was refused).
    web_body_timeout_seconds: PositiveFloat = 10.0

    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: str = "INFO"

    # Feature flags: a switched-off feature registers no commands, buttons or jobs.
    feature_analytics: bool = True
    feature_share_links: bool = True
    feature_alerts: bool = True
    feature_watermark: bool = True
    feature_copies: bool = True  # /watch, /check, /compare and copy alerts
    feature_billing: bool = True
    feature_insights: bool = True
    feature_api: bool = True
    feature_webhooks: bool = True

    subscriber_snapshot_minutes: PositiveInt = 30
    admin_recheck_minutes: PositiveInt = 60
    # How long a verified admin right is trusted before Telegram is asked again.
    admin_verify_ttl_seconds: NonNegativeInt = 600
    telegram_concurrency: PositiveInt = 8

    # Post views, read from Telegram's public web preview (t.me/s/<username>).
    preview_base_url: str = "https://t.me"
    views_collect_seconds: int = Field(default=60, ge=5)
    views_concurrency: PositiveInt = 4
    views_channels_per_run: PositiveInt = 100
    views_max_pages: PositiveInt = 50
    views_page_delay_seconds: NonNegativeFloat = 1.0

    # Watched channels (/watch) are read from the preview this often; photos over the limit
    # (and what is no image) are skipped.
    watch_poll_seconds: int = Field(default=300, ge=10)
    watch_photo_max_bytes: PositiveInt = 5 * MiB

    ingest_batch_size: PositiveInt = 500
    ingest_flush_seconds: PositiveFloat = 1.0

    # Alerts: rules are evaluated every this many minutes (and right after ingestion); the
    # outbox is also polled this often, for alerts held through quiet hours.
    alert_check_minutes: PositiveInt = 1
    alert_delivery_poll_seconds: PositiveFloat = 15.0
    # Telegram's limits for messages the bot sends on its own: in all, and to one chat.
    outgoing_messages_per_second: PositiveFloat = 30.0
    outgoing_messages_per_chat_per_second: PositiveFloat = 1.0
    # An export running longer than this shows a status message that counts its rows.
    export_status_after_seconds: NonNegativeFloat = 3.0
    # The largest file the bot may send: 50 MB on Telegram's servers, 2000 MB on a local one.
    export_max_file_bytes: PositiveInt = 50 * MiB
    # One file of an export is one COPY statement: it may run longer than other statements.
    export_copy_timeout_seconds: PositiveFloat = 300.0

    # Per-user throttling: a burst of this many updates, refilled at this rate per second.
    throttle_burst: PositiveInt = 8
    throttle_rate: PositiveFloat = 1.0

    # Images over this size are refused before downloading; bots can't download over 20 MB.
    watermark_max_bytes: PositiveInt = 20 * MiB
    # Telegram delivers an album as one message per image: wait this long for the rest.
    watermark_album_wait_seconds: PositiveFloat = 1.0
    # Share pages: a built report is reused this long (a page and its charts load together).
    share_cache_seconds: NonNegativeFloat = 60.0
    # Share pages are rate-limited per client address: a burst, refilled at this rate per second.
    share_rate_burst: PositiveInt = 30
    share_rate_per_second: PositiveFloat = 2.0

    # Outbound webhooks (/webhooks): endpoints whose host resolves to a private, loopback or
    # link-local address are refused unless this is on (a local receiver in development).
    webhook_allow_private_addresses: bool = False
    # A failed delivery is retried after this long, each next retry twice as late (at most 8 h),
    # for this many hours; then the endpoint is disabled and its owner told.
    webhook_retry_first_seconds: PositiveFloat = 10.0
    webhook_retry_window_hours: PositiveFloat = 72.0
    webhook_timeout_seconds: PositiveFloat = 10.0
    # Endpoints delivered to at once by one process; the outbox is also polled this often.
    webhook_concurrency: PositiveInt = 32
    webhook_poll_seconds: PositiveFloat = 1.0
    # The Mini App (/app): Telegram's initData signs a user in if no older than this; the
    # session it buys for the API lasts this long.
    webapp_auth_max_age_seconds: PositiveInt = 86400
    webapp_session_minutes: PositiveInt = 60
    # The one script the page loads from elsewhere: Telegram's (tests serve a stand-in).
    telegram_webapp_script_url: str = Field(
        default="https://telegram.org/js/telegram-web-app.js", pattern=r"^https?://[^\s\"<>]+$"
    )
    # Insights: a language model adds a written analysis and ideas when OPENAI_API_KEY is set;
    # OPENAI_BASE_URL points the official client at any OpenAI-compatible server instead.
    openai_api_key: SecretStr | None = None
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    openai_timeout_seconds: PositiveFloat = 30.0
    # The weekly digest (Mondays 9:00 in each owner's time zone) is looked for this often.
    insights_digest_check_minutes: PositiveInt = 15
    # The REST API (/api/v1) is rate-limited per key, across every process: a burst, refilled
    # at this rate per second.
    api_rate_burst: PositiveInt = 60
    api_rate_per_second: PositiveFloat = 2.0
    # The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is
    # believed: the per-address limits then count the client, not the proxy. Empty: none.
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()

    # Card payments through Stripe: all four or none (Telegram Stars work without them).
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_price_pro: str | None = None
    stripe_price_business: str | None = None
    stripe_api_base: str = "https://api.stripe.com"

    def features_off(self) -> frozenset[str]:
        """The feature flags (feature_*) switched off."""
        return frozenset(
            name
            for name in type(self).model_fields
            if name.startswith("feature_") and not getattr(self, name)
        )

    @property
    def dashboard_enabled(self) -> bool:
        """The Mini App shows the analytics through the API: it is there when both are."""
        return self.feature_analytics and self.feature_api

    @property
    def dashboard_url(self) -> str | None:
        """The Mini App's address; None unless PUBLIC_BASE_URL is https, as Telegram requires."""
        if not self.dashboard_enabled or not self.public_base_url.startswith("https://"):
            return None
        return self.public_base_url.rstrip("/") + "/app"

    @property
    def stripe_enabled(self) -> bool:
        return all(getattr(self, name) is not None for name in _STRIPE_REQUIRED)

    @model_validator(mode="after")
    def _stripe_all_or_nothing(self) -> Self:
        missing = [name.upper() for name in _STRIPE_REQUIRED if getattr(self, name) is None]
        if 0 < len(missing) < len(_STRIPE_REQUIRED):
            raise ValueError(f"Stripe is half configured: set {', '.join(missing)} as well")
        return self

    @model_validator(mode="after")
    def _webhook_has_url(self) -> Self:
        if self.bot_mode is BotMode.WEBHOOK and not self.webhook_url:
            raise ValueError("BOT_MODE=webhook needs WEBHOOK_URL, the address Telegram calls")
        return self

    @field_validator(
        *_STRIPE_REQUIRED,
        "webhook_url",
        "webhook_secret",
        "subscriber_hash_secret",
        "openai_api_key",
        "openai_base_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_as_telegram_takes_it(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET: 1 to 256 of the characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_trusted_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()
            )
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value
