"""Small things many tests share."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg


class ManualClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


def with_database(dsn: str, database: str) -> str:
    """The same server DSN, pointing at another database."""
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


async def create_database(server_dsn: str, name: str) -> str:
    """A new, empty database on the server (dropped first if a crashed run left it)."""
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def drop_database(server_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def subscribe_by_card(tg, stripe_api, user, plan: str = "Pro") -> dict:
    """The user buys a plan by card: /subscribe, the Card button, paying on Stripe's page, and
    Stripe's events for it delivered; returns the subscription as Stripe has it now."""
    await tg.send_text(user, "/subscribe")
    await tg.press_button(user, tg.last_to(user, "sendMessage"), f"💳 {plan}")
    url = tg.last_to(user, "sendMessage").button("Pay")["url"]
    events = stripe_api.complete_checkout(stripe_api.session_by_url(url)["id"])
    assert await stripe_api.deliver_all(events) == [200] * len(events)
    subscription_id = events[0]["data"]["object"]["id"]
    return stripe_api.subscriptions[subscription_id]
