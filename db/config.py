"""Database settings, the part of the configuration the db package needs on its own."""

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    """Where the data lives: a PostgreSQL server, or an embedded one under DATA_DIR."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: SecretStr | None = None
    data_dir: Path = Path("data")
    db_pool_min_size: int = 1
    db_pool_max_size: int = 10
