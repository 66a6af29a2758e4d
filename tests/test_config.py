"""Settings: every one documented, secrets never shown."""

from pathlib import Path

import pytest

from services.config import Settings

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_in_env_example() -> None:
    documented = {
        line.split("=", 1)[0]
        for line in (REPO / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert documented == {name.upper() for name in Settings.model_fields}


def test_secrets_do_not_show_when_settings_are_printed() -> None:
    settings = Settings(
        _env_file=None,
        bot_token="123:very-secret-token",
        database_url="postgresql://u:hunter2@db/x",
    )
    shown = repr(settings) + str(settings.model_dump())
    assert "very-secret-token" not in shown
    assert "hunter2" not in shown


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("", frozenset(), id="empty"),
        pytest.param("42", frozenset({42}), id="one"),
        pytest.param("1, 2,3", frozenset({1, 2, 3}), id="comma-separated"),
    ],
)
def test_admin_ids_from_the_environment(monkeypatch, raw: str, expected) -> None:
    monkeypatch.setenv("ADMIN_IDS", raw)
    assert Settings(_env_file=None).admin_ids == expected


def test_stripe_is_all_or_nothing() -> None:
    assert not Settings(_env_file=None, stripe_secret_key="", stripe_price_pro=" ").stripe_enabled
    with pytest.raises(ValueError, match="STRIPE_WEBHOOK_SECRET"):
        Settings(_env_file=None, stripe_secret_key="sk_test_x", stripe_price_pro="price_1")
    complete = Settings(
        _env_file=None,
        stripe_secret_key="sk_test_x",
        stripe_webhook_secret="whsec_x",
        stripe_price_pro="price_1",
        stripe_price_business="price_2",
    )
    assert complete.stripe_enabled
    assert "whsec_x" not in repr(complete)
