"""Each rule kind fires exactly once on data at its threshold, and not on data just under it."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from db.alerts.evaluation import AlertEvaluationRepository
from db.alerts.rules import AlertRulesRepository
from services.domain.alerts import AlertKind, AlertRuleRecord, AlertThresholds

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OWNER_ID = 501
CHANNEL_ID = -1001000000001


class ChannelData:
    """Writes a channel's history straight into the tables the evaluation reads."""

    def __init__(self, db: asyncpg.Pool, channel_id: int) -> None:
        self._db = db
        self._channel_id = channel_id

    async def _row(self, insert: str, *values: Any) -> None:
        """One row of the channel's: `insert` takes the channel's id as $1, `values` after it."""
        await self._db.execute(insert, self._channel_id, *values)

    async def snapshot(self, at: datetime, subscribers: int) -> None:
        await self._row("INSERT INTO subscriber_snapshots VALUES ($1, $2, $3)", at, subscribers)

    async def events(self, kind: str, times: list[datetime]) -> None:
        await self._db.executemany(
            "INSERT INTO subscriber_events (channel_id, occurred_at, kind) VALUES ($1, $2, $3)",
            [(self._channel_id, at, kind) for at in times],
        )

    async def post(self, message_id: int, posted_at: datetime) -> None:
        await self._row(
            "INSERT INTO posts (channel_id, message_id, posted_at) VALUES ($1, $2, $3)",
            message_id,
            posted_at,
        )

    async def views(self, message_id: int, at: datetime, views: int) -> None:
        await self._row("INSERT INTO post_views VALUES ($1, $2, $3, $4)", message_id, at, views)

    async def reactions(self, message_id: int, at: datetime, total: int) -> None:
        await self._row(
            "INSERT INTO post_reaction_counts VALUES ($1, $2, $3, $4, $5)",
            message_id,
            at,
            total,
            {"👍": total},
        )


Writer = Callable[[ChannelData, bool], Awaitable[None]]


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


# The rule kinds' cases, each the story that writes its data and the firing's expected details.
CASES: list[Any] = []


def case(kind: AlertKind, thresholds: AlertThresholds, expected: dict[str, Any]):
    """Registers the story below it as the case of a rule of `kind` set at `thresholds`."""

    def register(write: Writer) -> Writer:
        CASES.append(
            pytest.param(kind, thresholds, write, expected, id=kind.value.replace("_", "-"))
        )
        return write

    return register


AN_HOUR_AGO = ago(hours=1)
TEN_JOINS_A_DAY = AlertThresholds(amount=10, hours=24)


@case(
    AlertKind.SUBSCRIBER_DROP,
    AlertThresholds(percent=5, hours=24),
    {"change": 50, "joins": 2, "leaves": 52, "base": 1000},
)
async def drop_of_five_percent(data: ChannelData, hit: bool) -> None:
    await data.snapshot(ago(days=2), 1000)
    await data.events("join", [ago(minutes=40)] * 2)
    await data.events("leave", [ago(minutes=30)] * (52 if hit else 51))  # net 50 = 5% of 1000


@case(
    AlertKind.SUBSCRIBER_SURGE,
    AlertThresholds(amount=100, hours=6),
    {"change": 100, "joins": 100, "leaves": 0},
)
async def surge_of_a_hundred(data: ChannelData, hit: bool) -> None:
    await data.events("join", [ago(seconds=20 * i) for i in range(1, 101 if hit else 100)])


@case(
    AlertKind.MILESTONE,
    AlertThresholds(amount=1000),
    {"subscribers": 1000, "previous": 990, "up": True},
)
async def crossing_a_thousand(data: ChannelData, hit: bool) -> None:
    await data.snapshot(ago(minutes=30), 990)
    await data.snapshot(ago(minutes=1), 1000 if hit else 999)


@case(
    AlertKind.POST_VIEWS,
    AlertThresholds(amount=1000, hours=3),
    {"message_id": 7, "views": 1000, "minutes": 110},
)
async def thousand_views_in_three_hours(data: ChannelData, hit: bool) -> None:
    await data.post(7, ago(hours=2))
    await data.views(7, ago(minutes=90), 400)
    await data.views(7, ago(minutes=10), 1000 if hit else 999)


@case(
    AlertKind.POST_UNDERPERFORMS,
    AlertThresholds(percent=50, hours=24),
    {"message_id": 9, "views": 499, "median": 1000},
)
async def half_the_median_at_a_day(data: ChannelData, hit: bool) -> None:
    for message_id, days in ((1, 3), (2, 4), (3, 5)):
        posted_at = ago(days=days)
        await data.post(message_id, posted_at)
        await data.views(message_id, posted_at + timedelta(hours=24, minutes=5), 1000)
    await data.post(9, ago(hours=25))
    await data.views(9, ago(minutes=55), 499 if hit else 500)  # at 24 h 5 min


@case(
    AlertKind.REACTION_SPIKE,
    AlertThresholds(factor=3),
    {"message_id": 9, "gained": 31, "usual": 10},
)
async def three_times_the_first_hour_reactions(data: ChannelData, hit: bool) -> None:
    for message_id, days in ((1, 3), (2, 4), (3, 5)):
        posted_at = ago(days=days)
        await data.post(message_id, posted_at)
        await data.reactions(message_id, posted_at + timedelta(minutes=30), 10)
    await data.post(9, ago(hours=3))
    await data.reactions(9, ago(hours=2), 5)
    await data.reactions(9, ago(minutes=10), 5 + (31 if hit else 30))  # more than 3 × 10


@case(AlertKind.UNSUBSCRIBE_SPIKE, AlertThresholds(factor=3), {"leaves": 7, "baseline": 2})
async def three_times_the_hourly_leaves(data: ChannelData, hit: bool) -> None:
    # Two leaves an hour over the week before the last hour: more than 6 is a spike.
    await data.events("leave", [ago(hours=1, minutes=30 * i + 15) for i in range(336)])
    await data.events("leave", [ago(minutes=20)] * (7 if hit else 6))


@case(
    AlertKind.POSTING_GAP,
    AlertThresholds(hours=48),
    {"hours": 48, "last_post_at": int(ago(hours=48).timestamp())},
)
async def two_days_without_a_post(data: ChannelData, hit: bool) -> None:
    await data.post(1, ago(hours=48) if hit else ago(hours=47, minutes=59))


@pytest.fixture
async def rules(db: asyncpg.Pool) -> AlertRulesRepository:
    await db.execute("INSERT INTO users (id, first_name) VALUES ($1, 'Alice')", OWNER_ID)
    await db.execute(
        "INSERT INTO channels (id, title, username) VALUES ($1, 'Cooking', 'cooking')", CHANNEL_ID
    )
    await db.execute("INSERT INTO channel_admins VALUES ($1, $2, $3)", CHANNEL_ID, OWNER_ID, NOW)
    return AlertRulesRepository(db)


async def add_rule(
    rules: AlertRulesRepository,
    kind: AlertKind = AlertKind.SUBSCRIBER_SURGE,
    thresholds: AlertThresholds = TEN_JOINS_A_DAY,
    *,
    created_at: datetime = AN_HOUR_AGO,
) -> AlertRuleRecord:
    return await rules.create_rule(
        owner_id=OWNER_ID,
        channel_id=CHANNEL_ID,
        kind=kind,
        thresholds=thresholds,
        created_at=created_at,
    )


async def evaluate(db: asyncpg.Pool, *, now: datetime = NOW, **only: Any) -> int:
    """Evaluate every kind for every channel, unless `only` narrows it."""
    return await AlertEvaluationRepository(db).evaluate(
        now=now, kinds=only.get("kinds", list(AlertKind)), channel_ids=only.get("channel_ids")
    )


async def fired(db: asyncpg.Pool) -> list[dict[str, Any]]:
    return [row["details"] for row in await db.fetch("SELECT details FROM alert_firings")]


@pytest.mark.parametrize("hit", [pytest.param(True, id="at"), pytest.param(False, id="under")])
@pytest.mark.parametrize(("kind", "thresholds", "write", "expected"), CASES)
async def test_rule_fires_once_at_its_threshold_and_not_just_under(
    rules: AlertRulesRepository,
    db: asyncpg.Pool,
    kind: AlertKind,
    thresholds: AlertThresholds,
    write: Writer,
    expected: dict[str, Any],
    hit: bool,
) -> None:
    created_at = ago(days=10) if kind is AlertKind.POSTING_GAP else AN_HOUR_AGO
    await add_rule(rules, kind, thresholds, created_at=created_at)
    await write(ChannelData(db, CHANNEL_ID), hit)

    await evaluate(db)
    if not hit:
        assert await fired(db) == []
        return
    # Again at once, and again once the cooldown is over: the same event is announced once.
    for now in (NOW, NOW + timedelta(minutes=61)):
        await evaluate(db, now=now)
    firings = await fired(db)
    assert len(firings) == 1
    assert firings[0].items() >= expected.items()


async def test_rules_watch_from_the_moment_they_are_set(
    rules: AlertRulesRepository, db: asyncpg.Pool
) -> None:
    await add_rule(rules, created_at=ago(minutes=30))
    await ChannelData(db, CHANNEL_ID).events("join", [ago(hours=2)] * 50)

    assert await evaluate(db) == 0


async def test_only_the_given_channels_and_kinds_are_evaluated(
    rules: AlertRulesRepository, db: asyncpg.Pool
) -> None:
    await add_rule(rules)
    await ChannelData(db, CHANNEL_ID).events("join", [ago(minutes=5)] * 10)

    other_kinds = [k for k in AlertKind if k is not AlertKind.SUBSCRIBER_SURGE]
    assert await evaluate(db, kinds=other_kinds) == 0
    assert await evaluate(db, channel_ids=[-1]) == 0
    assert await evaluate(db, channel_ids=[CHANNEL_ID]) == 1


async def test_paused_muted_and_former_admins_rules_do_not_fire(
    rules: AlertRulesRepository, db: asyncpg.Pool
) -> None:
    paused, muted = await add_rule(rules), await add_rule(rules)
    await rules.update_rule(rule_id=paused.id, owner_id=OWNER_ID, paused=True)
    await rules.update_rule(rule_id=muted.id, owner_id=OWNER_ID, muted_until=NOW + timedelta(1))
    await ChannelData(db, CHANNEL_ID).events("join", [ago(minutes=5)] * 10)
    assert await evaluate(db) == 0

    await rules.update_rule(rule_id=paused.id, owner_id=OWNER_ID, paused=False)
    await db.execute("DELETE FROM channel_admins")
    assert await evaluate(db) == 0
