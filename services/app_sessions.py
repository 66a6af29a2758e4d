"""Mini App sign-in: Telegram's initData buys a short-lived session token for the API.

The token ("abs_" and 32 random bytes) is shown to the page once; only its SHA-256 is stored.
The API's bearer resolver (ApiAuthenticator.resolve) hands tokens with this prefix here.
"""

import hashlib
import secrets
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta

from db.app_sessions import AppSessionsRepository
from db.errors import NotFound
from services.api_auth import Principal, Unauthenticated
from services.clock import Clock
from services.domain.users import UserRecord
from services.init_data import validate_init_data
from services.users import UserService

SESSION_TOKEN_PREFIX = "abs_"
_TOKEN_BYTES = 32


class UnknownSession(Unauthenticated):
    """The token is not a live session: never issued, expired, or not a session token at all."""


@dataclass(frozen=True)
class CreatedSession:
    token: str  # given to the page once; never stored
    expires_at: datetime
    user: UserRecord


def _token_sha256(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def is_session_token(token: str) -> bool:
    return token.startswith(SESSION_TOKEN_PREFIX)


@dataclass(frozen=True)
class AppSessionService:
    sessions: AppSessionsRepository
    users: UserService
    clock: Clock
    _: KW_ONLY
    bot_token: str = field(repr=False)
    init_data_max_age: timedelta
    lifetime: timedelta

    async def sign_in(self, init_data: str) -> CreatedSession:
        """A session for the user Telegram signed `init_data` for; raises InvalidInitData."""
        now = self.clock.now()
        signed = validate_init_data(
            init_data, bot_token=self.bot_token, now=now, max_age=self.init_data_max_age
        )
        # Opening the app is talking to the bot: the user is remembered as a message would.
        user = await self.users.remember(
            user_id=signed.user.id,
            username=signed.user.username,
            first_name=signed.user.first_name,
            language_code=signed.user.language_code,
        )
        token = SESSION_TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
        session = await self.sessions.create(
            token_sha256=_token_sha256(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + self.lifetime,
        )
        return CreatedSession(token=token, expires_at=session.expires_at, user=user)

    async def user_id(self, token: str) -> int:
        """The user a live session token signs in; raises UnknownSession otherwise."""
        if not is_session_token(token) or len(token) > 100:
            raise UnknownSession("not a session token")
        try:
            session = await self.sessions.find_live(
                token_sha256=_token_sha256(token), now=self.clock.now()
            )
        except NotFound as error:
            raise UnknownSession("unknown or expired session") from error
        return session.user_id


@dataclass(frozen=True)
class SessionResolver:
    """The API's resolver of session tokens: a session may do what its user may (read, write)."""

    sessions: AppSessionService

    async def resolve(self, token: str) -> Principal:
        """The caller of a live session token; raises UnknownSession (Unauthenticated)."""
        return Principal(user_id=await self.sessions.user_id(token), can_write=True, key_id=None)
