"""Database settings, the part of the configuration the db package needs on its own."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    """Where the data lives: a PostgreSQL server, or an embedded one under DATA_DIR."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: SecretStr | None = None
    data_dir: Path = Path("data")
    db_pool_min_size: int = 1
    db_pool_max_size: int = 10
    # A hung database gets users a "took too long" reply instead of silence: no statement runs
    # longer than this, and no request waits longer than this for a free connection.
    db_statement_timeout_seconds: float = Field(default=10.0, gt=0)
    db_acquire_timeout_seconds: float = Field(default=5.0, gt=0)
    # On shutdown, statements still running get this long before their connections are cut.
    db_close_timeout_seconds: float = Field(default=3.0, gt=0)
