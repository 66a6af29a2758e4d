"""Plans and usage: every limited feature asks the entitlements service."""

import asyncio
from datetime import timedelta

import pytest
from helpers import ManualClock

from db.plans import PlansRepository
from services.entitlements import EntitlementsService, LimitReached
from services.plans import FREE, Allowance


@pytest.fixture
async def user_id(db) -> int:
    await db.execute("INSERT INTO users (id, first_name) VALUES (501, 'Alice')")
    return 501


@pytest.fixture
def entitlements(db, clock: ManualClock) -> EntitlementsService:
    async def two_channels(_user_id: int) -> int:
        return 2

    return EntitlementsService(
        PlansRepository(db), clock, standing_counts={Allowance.CHANNELS: two_channels}
    )


async def test_counted_allowance_stops_at_the_limit_and_resets_next_day(
    entitlements: EntitlementsService, user_id: int, clock: ManualClock
) -> None:
    for _ in range(FREE.limits[Allowance.EXPORTS_PER_DAY]):
        await entitlements.consume(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)

    with pytest.raises(LimitReached) as refused:
        await entitlements.consume(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)
    assert (refused.value.allowed, refused.value.plan.code) == (3, "free")

    clock.advance(days=1)
    await entitlements.consume(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)


async def test_a_request_over_the_limit_counts_nothing(entitlements, user_id: int) -> None:
    await entitlements.consume(user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY, amount=8)
    with pytest.raises(LimitReached):
        await entitlements.consume(
            user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY, amount=3
        )
    await entitlements.consume(user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY, amount=2)

    await entitlements.refund(user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY, amount=1)
    await entitlements.consume(user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY)


async def test_concurrent_use_never_passes_the_limit(entitlements, user_id: int) -> None:
    results = await asyncio.gather(
        *(
            entitlements.consume(user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY)
            for _ in range(25)
        ),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 10
    assert all(isinstance(r, LimitReached) for r in results if r is not None)


async def test_a_paid_plan_lifts_limits_until_it_expires(
    entitlements, user_id: int, db, clock: ManualClock
) -> None:
    await db.execute(
        "INSERT INTO user_plans (user_id, plan_code, source, expires_at) "
        "VALUES ($1, 'pro', 'admin', $2)",
        user_id,
        clock.now() + timedelta(days=30),
    )
    assert (await entitlements.plan_of(user_id=user_id)).name == "Pro"
    await entitlements.ensure_at_most(user_id=user_id, allowance=Allowance.HISTORY_DAYS, wanted=90)

    clock.advance(days=31)
    assert await entitlements.plan_of(user_id=user_id) == FREE
    with pytest.raises(LimitReached):
        await entitlements.ensure_at_most(
            user_id=user_id, allowance=Allowance.HISTORY_DAYS, wanted=90
        )


async def test_standing_counts_refuse_one_more_at_the_limit(entitlements, user_id) -> None:
    await entitlements.ensure_within(user_id=user_id, allowance=Allowance.CHANNELS, current=2)
    with pytest.raises(LimitReached):
        await entitlements.ensure_within(user_id=user_id, allowance=Allowance.CHANNELS, current=3)


async def test_status_shows_use_against_each_limit(entitlements, user_id: int) -> None:
    await entitlements.consume(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)

    status = await entitlements.status(user_id=user_id)

    usage = {line.allowance: (line.used, line.allowed) for line in status.usage}
    assert usage[Allowance.EXPORTS_PER_DAY] == (1, 3)
    assert usage[Allowance.WATERMARKS_PER_DAY] == (0, 10)
    assert usage[Allowance.CHANNELS] == (2, 3)
    assert usage[Allowance.HISTORY_DAYS] == (None, 30)
