"""API keys: created in /api, shown once, kept only as a SHA-256 of their token.

A token is "ab_" and 32 random bytes (256 bits) in URL-safe base64: a hash without a salt is
enough to look up a value that high in entropy, and the database alone opens nothing.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from db.api_keys import ApiKeysRepository
from db.errors import NotFound
from services.clock import Clock
from services.domain.api_keys import ApiKeyRecord
from services.entitlements import EntitlementsService
from services.plans import Allowance

KEY_PREFIX = "ab_"
_TOKEN_BYTES = 32
# secrets.token_urlsafe(32) is 43 characters; anything else is not one of ours.
_TOKEN_SHAPE = re.compile(rf"{KEY_PREFIX}[A-Za-z0-9_-]{{43}}")
NAME_MAX_CHARS = 64
# Last use is recorded at most this often per key.
LAST_USE_PRECISION = timedelta(minutes=1)


class ApiKeyNotFound(Exception):
    """No such live key among the user's (revoked, or someone else's)."""


class InvalidKeyName(ValueError):
    """A key's name is 1 to NAME_MAX_CHARS characters of text on one line."""


@dataclass(frozen=True)
class CreatedApiKey:
    token: str  # shown once, to its owner; never stored
    key: ApiKeyRecord


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def clean_key_name(text: str) -> str:
    """The name as stored: spaces collapsed; raises InvalidKeyName when empty or too long."""
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX_CHARS or not name.isprintable():
        raise InvalidKeyName(text)
    return name


@dataclass(frozen=True)
class ApiKeyService:
    keys: ApiKeysRepository
    entitlements: EntitlementsService
    clock: Clock

    async def ensure_room_for_key(self, *, user_id: int) -> None:
        """Raises LimitReached when the user's plan allows no further key."""
        await self.entitlements.ensure_within(
            user_id=user_id,
            allowance=Allowance.API_KEYS,
            current=await self.keys.count_live(user_id),
        )

    async def create(self, *, user_id: int, name: str, can_write: bool) -> CreatedApiKey:
        """A new key; raises InvalidKeyName, or LimitReached past the plan's keys."""
        name = clean_key_name(name)
        await self.ensure_room_for_key(user_id=user_id)
        token = KEY_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
        key = await self.keys.create(
            token_sha256=token_hash(token),
            user_id=user_id,
            name=name,
            can_write=can_write,
            created_at=self.clock.now(),
        )
        return CreatedApiKey(token=token, key=key)

    async def list_live(self, *, user_id: int) -> list[ApiKeyRecord]:
        return await self.keys.list_live(user_id=user_id)

    async def allowed_keys(self, *, user_id: int) -> int | None:
        """How many live keys the user's plan allows; None: no limit."""
        return await self.entitlements.allowance(user_id=user_id, allowance=Allowance.API_KEYS)

    async def revoke(self, *, user_id: int, key_id: int) -> ApiKeyRecord:
        try:
            return await self.keys.revoke(key_id=key_id, user_id=user_id, at=self.clock.now())
        except NotFound as error:
            raise ApiKeyNotFound(key_id) from error

    async def authenticate(self, token: str) -> ApiKeyRecord:
        """The live key of this token, its use recorded; ApiKeyNotFound for any other token."""
        if not _TOKEN_SHAPE.fullmatch(token):
            raise ApiKeyNotFound("malformed")
        try:
            key = await self.keys.find_live(token_sha256=token_hash(token))
        except NotFound as error:
            raise ApiKeyNotFound("unknown or revoked") from error
        now = self.clock.now()
        await self.keys.mark_used(key_id=key.id, at=now, not_since=now - LAST_USE_PRECISION)
        return key

    async def take_request(self, *, bucket: str, burst: int, per_second: float) -> float:
        """Take one request from the caller's shared bucket: 0 when allowed, else the seconds
        until one will be."""
        taken, tokens = await self.keys.take_token(
            bucket=bucket, burst=burst, per_second=per_second, now=self.clock.now()
        )
        return 0.0 if taken else (1 - tokens) / per_second
