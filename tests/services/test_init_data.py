"""Mini App initData as Telegram signs it: the genuine one signs in, forged or stale ones don't."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from fake_telegram import BOT_TOKEN

from services.init_data import InitDataProblem, InvalidInitData, validate_init_data

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def check(init_data: str):
    return validate_init_data(init_data, bot_token=BOT_TOKEN, now=NOW, max_age=DAY)


async def test_genuine_init_data_names_its_user(tg) -> None:
    alice = tg.user("Alice", language_code="ru")
    signed = check(tg.init_data(alice, auth_date=NOW - timedelta(hours=23)))
    assert (signed.user.id, signed.user.first_name, signed.user.language_code) == (
        alice.id,
        "Alice",
        "ru",
    )
    assert signed.auth_date == NOW - timedelta(hours=23)


@pytest.mark.parametrize(
    ("forge", "problem"),
    [
        pytest.param(
            lambda tg, user: tg.init_data(user, auth_date=NOW, hash_override="0" * 64),
            InitDataProblem.FORGED,
            id="wrong hash",
        ),
        pytest.param(
            lambda tg, user: tg.init_data(
                user, auth_date=NOW, bot_token="987654321:AAAnotherBotsTokenEntirely_xyz"
            ),
            InitDataProblem.FORGED,
            id="another bot's token",
        ),
        pytest.param(
            lambda tg, user: tg.init_data(user, auth_date=NOW - DAY - timedelta(seconds=1)),
            InitDataProblem.STALE,
            id="auth_date over a day old",
        ),
        pytest.param(
            lambda tg, user: tg.init_data(user, auth_date=NOW + timedelta(hours=1)),
            InitDataProblem.STALE,
            id="auth_date in the future",
        ),
        pytest.param(
            lambda tg, user: _changed(tg.init_data(user, auth_date=NOW), "user", '{"id":1}'),
            InitDataProblem.FORGED,
            id="user swapped after signing",
        ),
        pytest.param(lambda tg, user: "", InitDataProblem.MALFORMED, id="empty"),
        pytest.param(lambda tg, user: "%%%&&==", InitDataProblem.MALFORMED, id="not a query"),
        pytest.param(
            lambda tg, user: tg.init_data(user, auth_date=NOW) + "&auth_date=1",
            InitDataProblem.MALFORMED,
            id="a field twice",
        ),
        pytest.param(lambda tg, user: "x" * 5000, InitDataProblem.MALFORMED, id="far too long"),
    ],
)
async def test_forged_or_stale_init_data_is_refused(tg, forge, problem) -> None:
    with pytest.raises(InvalidInitData) as refused:
        check(forge(tg, tg.user("Mallory")))
    assert refused.value.problem is problem


def _changed(init_data: str, key: str, value: str) -> str:
    return urlencode({k: (value if k == key else v) for k, v in parse_qsl(init_data)})
