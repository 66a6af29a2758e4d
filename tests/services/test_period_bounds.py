"""The services refuse periods no one has numbers for, whatever the bot let through.

"Now" is SAMPLE_NOW (31 October 2026 in Moscow); the owner is on the Free plan (30 days)
unless a test says otherwise.
"""

from datetime import date

import pytest
from channel_history import SAMPLE_NOW, sample_channel
from channel_history import SAMPLE_OWNER as OWNER
from helpers import ManualClock

from db.analytics import AnalyticsRepository
from db.exports import ExportsRepository
from db.plans import PlansRepository
from services.analytics import (
    AnalyticsService,
    InvalidPeriod,
    Period,
    PeriodProblem,
    parse_stats_request,
)
from services.entitlements import EntitlementsService
from services.exports import CsvLayout, ExportService
from services.i18n import ENGLISH

MOSCOW = "Europe/Moscow"
TODAY = date(2026, 10, 31)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


@pytest.fixture
def entitlements(db, clock: ManualClock) -> EntitlementsService:
    return EntitlementsService(PlansRepository(db), clock, standing_counts={})


@pytest.fixture
def analytics(db, entitlements, clock: ManualClock) -> AnalyticsService:
    return AnalyticsService(AnalyticsRepository(db), entitlements, clock)


@pytest.fixture
def exports(db, entitlements, clock: ManualClock, tmp_path) -> ExportService:
    return ExportService(
        ExportsRepository(db, copy_timeout=60),
        entitlements,
        clock,
        work_dir=tmp_path,
        max_file_bytes=10**7,
    )


@pytest.fixture
async def channel(db):
    return await sample_channel(db)


async def no_progress(kind, rows) -> None:
    """The export is refused before it writes a row."""


async def on_business_plan(db) -> None:
    await db.execute("INSERT INTO user_plans VALUES ($1, 'business', 'admin', NULL)", OWNER)


def test_a_reversed_period_cannot_exist() -> None:
    with pytest.raises(InvalidPeriod) as error:
        Period(first_day=date(2026, 10, 20), last_day=date(2026, 10, 1))
    assert error.value.problem is PeriodProblem.REVERSED


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        pytest.param("0001-01-01 0001-01-31", PeriodProblem.TOO_EARLY, id="year-one"),
        pytest.param("9999d", PeriodProblem.TOO_EARLY, id="9999-days"),
        pytest.param("9999-12-31 9999-12-31", PeriodProblem.FUTURE, id="date-max"),
    ],
)
def test_stats_arguments_out_of_bounds(args: str, problem: PeriodProblem) -> None:
    with pytest.raises(InvalidPeriod) as error:
        parse_stats_request(args, today=TODAY)
    assert error.value.problem is problem


def test_stats_arguments_take_ascii_digits_only() -> None:
    # "٣٠" is 30 in Arabic-Indic digits: \d and int() take it, a period count should not.
    request = parse_stats_request("٣٠", today=TODAY)
    assert request.channel_ref == "٣٠"


OUT_OF_BOUNDS = [
    pytest.param(
        Period(first_day=date(2026, 11, 1), last_day=date(2026, 11, 30)),
        PeriodProblem.FUTURE,
        id="future",
    ),
    pytest.param(
        Period(first_day=TODAY, last_day=date(2099, 12, 31)), PeriodProblem.FUTURE, id="to-2099"
    ),
    pytest.param(
        Period(first_day=date(1, 1, 1), last_day=date(1, 1, 31)),
        PeriodProblem.TOO_EARLY,
        id="year-one",
    ),
]


@pytest.mark.parametrize(("period", "problem"), OUT_OF_BOUNDS)
async def test_a_report_refuses_a_period_out_of_bounds(
    db, analytics, channel, period: Period, problem: PeriodProblem
) -> None:
    await on_business_plan(db)  # bounds hold whatever the plan
    with pytest.raises(InvalidPeriod) as error:
        await analytics.report(user_id=OWNER, channel=channel, period=period, time_zone=MOSCOW)
    assert error.value.problem is problem


@pytest.mark.parametrize(("period", "problem"), OUT_OF_BOUNDS)
async def test_an_export_refuses_a_period_out_of_bounds(
    db, exports, channel, period: Period, problem: PeriodProblem
) -> None:
    await on_business_plan(db)
    with pytest.raises(InvalidPeriod) as error:
        async with exports.export_channel(
            user_id=OWNER,
            channel=channel,
            period=period,
            time_zone=MOSCOW,
            t=ENGLISH,
            layout=CsvLayout.STANDARD,
            on_progress=no_progress,
        ):
            pass
    assert error.value.problem is problem
    assert await db.fetchval("SELECT coalesce(sum(used), 0) FROM usage_counters") == 0
