"""The application's settings, read from the environment and `.env` (see .env.example)."""

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from db.settings import DatabaseSettings


class Settings(DatabaseSettings):
    """Every setting the bot reads; the environment names are the field names in upper case."""

    bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"

    web_host: str = "127.0.0.1"
    web_port: int = 8080
    public_base_url: str = "http://localhost:8080"

    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: str = "INFO"

    # Feature flags: a switched-off feature registers no commands, buttons or jobs.
    feature_analytics: bool = True
    feature_share_links: bool = True
    feature_alerts: bool = True
    feature_watermark: bool = True
    feature_billing: bool = True
    feature_insights: bool = True

    subscriber_snapshot_minutes: int = Field(default=30, ge=1)
    admin_recheck_minutes: int = Field(default=60, ge=1)
    # How long a verified admin right is trusted before Telegram is asked again.
    admin_verify_ttl_seconds: int = Field(default=600, ge=0)
    telegram_concurrency: int = Field(default=8, ge=1)

    ingest_batch_size: int = Field(default=500, ge=1)
    ingest_flush_seconds: float = Field(default=1.0, gt=0)

    # Alerts: rules are evaluated every this many minutes (and right after ingestion); the
    # outbox is also polled this often, for alerts held through quiet hours.
    alert_check_minutes: int = Field(default=1, ge=1)
    alert_delivery_poll_seconds: float = Field(default=15.0, gt=0)
    # Telegram's limits for messages the bot sends on its own: in all, and to one chat.
    outgoing_messages_per_second: float = Field(default=30.0, gt=0)
    outgoing_messages_per_chat_per_second: float = Field(default=1.0, gt=0)

    # Per-user throttling: a burst of this many updates, refilled at this rate per second.
    throttle_burst: int = Field(default=8, ge=1)
    throttle_rate: float = Field(default=1.0, gt=0)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value
