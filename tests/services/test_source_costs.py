"""Sources without Telegram: what a campaign cost, per subscriber, and the subscriber hash."""

import hashlib
import hmac
from decimal import Decimal

import pytest

from services.config import Settings
from services.installation_secrets import (
    SUBSCRIBER_HASH_SECRET_FILE,
    SubscriberHasher,
    subscriber_hash_secret,
)
from services.sources import InvalidCost, Money, cost_per, parse_cost


@pytest.mark.parametrize(
    ("text", "minor", "currency"),
    [
        pytest.param("150 USD", 15000, "USD", id="whole"),
        pytest.param("usd 99.90", 9990, "USD", id="code first"),
        pytest.param("1,500.50 EUR", 150050, "EUR", id="grouped with commas"),
        pytest.param("12 500,50 RUB", 1250050, "RUB", id="Russian style"),
        pytest.param("1.500 EUR", 150000, "EUR", id="grouped with a dot"),
        pytest.param("5000 JPY", 5000, "JPY", id="no minor unit"),
    ],
)
def test_a_cost_is_kept_in_minor_units(text: str, minor: int, currency: str) -> None:
    assert parse_cost(text) == Money(minor=minor, currency=currency)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("150", id="no currency"),
        pytest.param("150 XYZ", id="unknown currency"),
        pytest.param("USD 150 EUR", id="two currencies"),
        pytest.param("10.5 JPY", id="cents of a currency without"),
        pytest.param("1,50,0 USD", id="odd grouping"),
        pytest.param("9" * 40 + " USD", id="too large"),
    ],
)
def test_a_bad_cost_is_refused(text: str) -> None:
    with pytest.raises(InvalidCost):
        parse_cost(text)


def test_cost_per_subscriber_is_rounded_half_up_to_the_cent() -> None:
    assert cost_per(Money(10000, "USD"), 3) == Money(3333, "USD")
    assert cost_per(Money(1000, "USD"), 16) == Money(63, "USD")  # 62.5 cents
    assert cost_per(Money(1000, "USD"), 0) is None
    assert Money(3333, "USD").amount == Decimal("33.33")


def test_the_subscriber_hash_is_keyed_per_channel_and_kept_in_the_data_folder(tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    secret = subscriber_hash_secret(settings)
    assert (tmp_path / SUBSCRIBER_HASH_SECRET_FILE).read_text().strip().encode() == secret
    assert subscriber_hash_secret(settings) == secret  # made once, then read

    hasher = SubscriberHasher(secret)
    first = hasher(channel_id=-100, user_id=7_000_000_001)
    assert first == hasher(channel_id=-100, user_id=7_000_000_001)
    assert first != hasher(channel_id=-101, user_id=7_000_000_001)  # not linkable across channels
    assert first != hashlib.sha256(b"-100:7000000001").digest()  # not a bare hash of the id
    assert first == hmac.new(secret, b"-100:7000000001", hashlib.sha256).digest()

    set_secret = Settings(_env_file=None, data_dir=tmp_path, subscriber_hash_secret="s3cret")
    assert subscriber_hash_secret(set_secret) == b"s3cret"
