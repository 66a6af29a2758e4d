"""Who calls the REST API: one resolver turns a bearer token into a Principal.

Each kind of token has its prefix and its resolver: API keys ("ab_") here, the Mini App's
session tokens ("abs_") in services.app_sessions; services.wiring hands both to the
authenticator, and every endpoint serves both.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from services.api_keys import ApiKeyNotFound, ApiKeyService


class Unauthenticated(Exception):
    """No token, or one that no resolver takes (forged, revoked, expired)."""


@dataclass(frozen=True)
class Principal:
    user_id: int
    can_write: bool
    key_id: int | None  # None for a caller that is not an API key (a Mini App session)

    @property
    def rate_bucket(self) -> str:
        """Whose share of the rate limit a request takes: its key's, or else its user's."""
        return f"key:{self.key_id}" if self.key_id is not None else f"user:{self.user_id}"


class TokenResolver(Protocol):
    async def resolve(self, token: str) -> Principal:
        """The caller behind the token; raises Unauthenticated."""
        ...


@dataclass(frozen=True)
class ApiKeyResolver:
    api_keys: ApiKeyService

    async def resolve(self, token: str) -> Principal:
        try:
            key = await self.api_keys.authenticate(token)
        except ApiKeyNotFound as error:
            raise Unauthenticated("the API key is unknown or revoked") from error
        return Principal(user_id=key.user_id, can_write=key.can_write, key_id=key.id)


class ApiAuthenticator:
    def __init__(self, resolvers: Mapping[str, TokenResolver]) -> None:
        """resolvers: by token prefix ("ab_" for API keys, "abs_" for Mini App sessions)."""
        self._resolvers = dict(resolvers)

    async def resolve(self, token: str | None) -> Principal:
        """The caller of a bearer token; raises Unauthenticated for none or a bad one."""
        if not token:
            raise Unauthenticated("no bearer token")
        for prefix, resolver in self._resolvers.items():
            if token.startswith(prefix):
                return await resolver.resolve(token)
        raise Unauthenticated("not a token of this API")
