"""Telegram's Mini App initData, validated as Telegram documents it.

core.telegram.org/bots/webapps, "Validating data received via the Mini App": the
data-check-string is every received field but `hash`, as `key=value` lines sorted by key;
secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token); the field `hash` must be the hex
HMAC_SHA256(data_check_string, secret_key). `auth_date` (Unix time) bounds how old it may be.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl

# initData is a query string of a few hundred bytes; anything far larger is not Telegram's.
MAX_INIT_DATA_CHARS = 4096


class InitDataProblem(StrEnum):
    MALFORMED = "malformed"  # not a query string with hash, auth_date and user
    FORGED = "forged"  # the hash does not match: another bot's, or changed on the way
    STALE = "stale"  # auth_date older than the allowed age (or in the future)


class InvalidInitData(Exception):
    def __init__(self, problem: InitDataProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.problem = problem


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    username: str | None
    language_code: str | None


@dataclass(frozen=True)
class InitData:
    user: WebAppUser
    auth_date: datetime


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def init_data_hash(fields: dict[str, str], *, bot_token: str) -> str:
    """The hex hash Telegram puts in `hash` for these fields, signed for this bot."""
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret_key, data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def validate_init_data(
    init_data: str, *, bot_token: str, now: datetime, max_age: timedelta
) -> InitData:
    """The user and time of a genuine, fresh initData; raises InvalidInitData otherwise."""
    if not init_data or len(init_data) > MAX_INIT_DATA_CHARS:
        raise InvalidInitData(InitDataProblem.MALFORMED, "empty or too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as error:
        raise InvalidInitData(InitDataProblem.MALFORMED, "not a query string") from error
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidInitData(InitDataProblem.MALFORMED, "a field given twice")
    received = fields.get("hash", "")
    if not hmac.compare_digest(
        received.encode(), init_data_hash(fields, bot_token=bot_token).encode()
    ):
        raise InvalidInitData(InitDataProblem.FORGED)
    auth_date = _auth_date(fields.get("auth_date", ""))
    if not timedelta(minutes=-5) <= now - auth_date <= max_age:
        # A few minutes ahead is a client's clock running fast; more is not a real signing.
        raise InvalidInitData(InitDataProblem.STALE, auth_date.isoformat())
    return InitData(user=_user(fields.get("user", "")), auth_date=auth_date)


def _auth_date(value: str) -> datetime:
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise InvalidInitData(InitDataProblem.MALFORMED, "auth_date")
    return datetime.fromtimestamp(int(value), UTC)


def _user(value: str) -> WebAppUser:
    try:
        user = json.loads(value)
    except ValueError as error:
        raise InvalidInitData(InitDataProblem.MALFORMED, "user is not JSON") from error
    if not isinstance(user, dict):
        raise InvalidInitData(InitDataProblem.MALFORMED, "user is not an object")
    user_id, first_name = user.get("id"), user.get("first_name", "")
    username, language_code = user.get("username"), user.get("language_code")
    if (
        not isinstance(user_id, int)
        or isinstance(user_id, bool)
        or not 0 < user_id < 2**53
        or not isinstance(first_name, str)
        or not isinstance(username, str | None)
        or not isinstance(language_code, str | None)
    ):
        raise InvalidInitData(InitDataProblem.MALFORMED, "user fields")
    return WebAppUser(
        id=user_id,
        first_name=first_name[:256],
        username=username[:64] if username else None,
        language_code=language_code[:35] if language_code else None,
    )
