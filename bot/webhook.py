"""Webhook mode: the secret Telegram sends with every update, the same for every process."""

import logging
import os
import secrets
from pathlib import Path

from services.config import WEBHOOK_SECRET_PATTERN, Settings

log = logging.getLogger(__name__)

SECRET_FILE_NAME = "webhook_secret"
# The header Telegram puts the secret_token in; SimpleRequestHandler refuses others with 401.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or the one kept in DATA_DIR, made there on first use.

    Processes sharing DATA_DIR share the file; ones on other machines need WEBHOOK_SECRET set.
    """
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    path = settings.data_dir / SECRET_FILE_NAME
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        return _create_secret(path)
    if not WEBHOOK_SECRET_PATTERN.fullmatch(kept):
        raise ValueError(f"{path} does not hold a webhook secret; delete it to make a new one")
    return kept


def _create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    draft = path.with_name(f"{path.name}.{os.getpid()}")
    draft.write_text(secret + "\n")
    draft.chmod(0o600)
    try:
        # A link is made whole or not at all: of two processes starting at once, one puts its
        # secret in place and the other reads that one.
        os.link(draft, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        draft.unlink()
    log.info("made a webhook secret in %s", path)
    return secret
