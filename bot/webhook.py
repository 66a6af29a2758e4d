"""Webhook mode: the secret Telegram sends with every update, the same for every process."""

from services.config import Settings
from services.installation_secrets import kept_secret

SECRET_FILE_NAME = "webhook_secret"
# The header Telegram puts the secret_token in; SimpleRequestHandler refuses others with 401.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or the one kept in DATA_DIR, made there on first use.

    Processes sharing DATA_DIR share the file; ones on other machines need WEBHOOK_SECRET set.
    """
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return kept_secret(settings.data_dir / SECRET_FILE_NAME)
