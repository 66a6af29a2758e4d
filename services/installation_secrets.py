"""Secrets of the installation: set in the environment, or made once and kept in DATA_DIR.

Processes sharing DATA_DIR share the files; ones on other machines need the setting set.
"""

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from services.config import WEBHOOK_SECRET_PATTERN, Settings

log = logging.getLogger(__name__)

SUBSCRIBER_HASH_SECRET_FILE = "subscriber_hash_secret"


def kept_secret(path: Path) -> str:
    """The secret kept at path, made there on first use."""
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        return _create_secret(path)
    if not WEBHOOK_SECRET_PATTERN.fullmatch(kept):
        raise ValueError(f"{path} does not hold a secret; delete it to make a new one")
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
    log.info("made a secret in %s", path)
    return secret


def subscriber_hash_secret(settings: Settings) -> bytes:
    """SUBSCRIBER_HASH_SECRET, or the one kept in DATA_DIR."""
    if settings.subscriber_hash_secret is not None:
        return settings.subscriber_hash_secret.get_secret_value().encode()
    return kept_secret(settings.data_dir / SUBSCRIBER_HASH_SECRET_FILE).encode()


class SubscriberHasher:
    """A subscriber of a channel as a keyed hash: the same person gives the same hash in the
    same channel, and without the secret no hash leads back to a Telegram id (nor links one
    person across channels)."""

    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("the subscriber hash needs a secret")
        self._secret = secret

    def __call__(self, *, channel_id: int, user_id: int) -> bytes:
        message = f"{channel_id}:{user_id}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).digest()
