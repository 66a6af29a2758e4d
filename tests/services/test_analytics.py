"""Channel analytics against numbers worked out by hand on a small recorded history.

The owner lives in Moscow (UTC+3, no daylight saving): days and posting hours are Moscow's.
"Now" is Saturday 2026-10-31 23:00 in Moscow; the 7-day period is Sun 25 – Sat 31 October and
the one before it Sun 18 – Sat 24 October.
"""

from datetime import date

import pytest
from channel_history import (
    SAMPLE_CHANNEL as CHANNEL,
)
from channel_history import (
    SAMPLE_NOW,
    add_channel,
    add_posts,
    add_reactions,
    add_subscriber_events,
    add_user,
    sample_channel,
    set_views_source,
    utc,
    write_sample_history,
)
from channel_history import (
    SAMPLE_OWNER as OWNER,
)
from helpers import ManualClock

from db.analytics import AnalyticsRepository
from db.channels import ChannelsRepository
from db.plans import PlansRepository
from services.analytics import (
    AnalyticsService,
    InvalidPeriod,
    Period,
    PeriodProblem,
    ViewsStatus,
    change_percent,
    parse_stats_request,
)
from services.entitlements import EntitlementsService, LimitReached

MOSCOW = "Europe/Moscow"
WEEK = Period(first_day=date(2026, 10, 25), last_day=date(2026, 10, 31))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


@pytest.fixture
def analytics(db, clock: ManualClock) -> AnalyticsService:
    entitlements = EntitlementsService(PlansRepository(db), clock, standing_counts={})
    return AnalyticsService(AnalyticsRepository(db), entitlements, clock)


@pytest.fixture
async def channel(db):
    return await sample_channel(db)


async def test_key_numbers_and_their_previous_period(db, analytics, channel) -> None:
    await write_sample_history(db, CHANNEL)

    report = await analytics.report(user_id=OWNER, channel=channel, period=WEEK, time_zone=MOSCOW)

    now = report.current
    assert (now.subscribers, now.subscriber_change) == (1100, 100)
    assert (now.joins, now.leaves, now.net_growth, now.posts) == (3, 1, 2, 5)
    assert now.average_reach == pytest.approx((900 + 500 + 1500 + 100) / 4)
    assert now.err == pytest.approx(750 / 1100 * 100)
    assert now.engagement_rate == pytest.approx((25 + 5 + 30 + 0) / 3000 * 100)
    assert now.median_views_24h == pytest.approx(800)  # of 800, 400 and 1200

    before = report.previous
    assert (before.subscribers, before.subscriber_change) == (1000, 100)
    assert (before.joins, before.leaves, before.posts) == (0, 1, 1)
    assert before.err == pytest.approx(60.0)
    assert before.engagement_rate == pytest.approx(1.0)
    assert change_percent(now.err, before.err) == pytest.approx((750 / 11 - 60) / 60 * 100)
    # The channel's median over both weeks: 400, 600, 800, 1200.
    assert report.median_views_24h == pytest.approx(700)
    assert report.views_status is ViewsStatus.PENDING


async def test_growth_and_posts_per_day_in_the_owners_time_zone(db, analytics, channel) -> None:
    await write_sample_history(db, CHANNEL)

    report = await analytics.report(user_id=OWNER, channel=channel, period=WEEK, time_zone=MOSCOW)

    table = [
        (d.day.day, d.joins, d.leaves, d.net_growth, d.net_growth_to_date, d.posts, d.subscribers)
        for d in report.days
    ]
    assert table == [
        (25, 3, 0, 3, 3, 1, 1000),
        (26, 0, 1, -1, 2, 0, 1000),
        (27, 0, 0, 0, 2, 1, 1000),
        (28, 0, 0, 0, 2, 0, 1000),
        (29, 0, 0, 0, 2, 1, 1000),
        (30, 0, 0, 0, 2, 1, 1000),
        (31, 0, 0, 0, 2, 1, 1100),
    ]


async def test_views_per_post_top_posts_and_views_at_24_hours(db, analytics, channel) -> None:
    await write_sample_history(db, CHANNEL)

    report = await analytics.report(user_id=OWNER, channel=channel, period=WEEK, time_zone=MOSCOW)

    per_post = [(p.message_id, p.views, p.reactions, p.views_24h) for p in report.posts]
    assert per_post == [
        (1, 900, 25, 800),
        (2, 500, 5, 400),
        (5, None, 2, None),
        (3, 1500, 30, 1200),
        (4, 100, 0, None),
    ]
    assert [p.message_id for p in report.top_by_views] == [3, 1, 2, 4]
    assert [p.message_id for p in report.top_by_engagement] == [1, 3, 2, 4]
    assert report.top_by_engagement[0].engagement == pytest.approx(25 / 900 * 100)
    assert report.top_by_views[0].text == "Пост номер 3"


async def test_best_time_to_post_is_in_the_owners_time_zone(db, analytics, channel) -> None:
    await write_sample_history(db, CHANNEL)

    report = await analytics.report(user_id=OWNER, channel=channel, period=WEEK, time_zone=MOSCOW)

    # Mean views of the period's posts with views: 750. Weekday 0 is Monday.
    times = report.posting_times
    cells = [(s.weekday, s.hour, s.posts, s.relative) for s in times.slots]
    assert cells == [
        (4, 18, 1, pytest.approx(1500 / 750)),
        (6, 9, 1, pytest.approx(900 / 750)),
        (1, 18, 1, pytest.approx(500 / 750)),
        (5, 14, 1, pytest.approx(100 / 750)),
    ]
    best_hour = times.hours[0]
    assert (best_hour.hour, best_hour.posts, best_hour.mean_views) == (18, 2, 1000.0)
    assert times.weekdays[0].weekday == 4

    in_utc = await analytics.report(user_id=OWNER, channel=channel, period=WEEK, time_zone="UTC")
    assert in_utc.posting_times.hours[0].hour == 15


async def test_a_period_without_posts(db, analytics, channel) -> None:
    await write_sample_history(db, CHANNEL)
    quiet = Period(first_day=date(2026, 10, 5), last_day=date(2026, 10, 11))

    report = await analytics.report(user_id=OWNER, channel=channel, period=quiet, time_zone=MOSCOW)

    now = report.current
    assert (now.subscribers, now.subscriber_change, now.posts) == (None, 0, 0)
    assert (now.average_reach, now.err, now.engagement_rate, now.median_views_24h) == (
        None,
        None,
        None,
        None,
    )
    assert report.posts == report.top_by_views == report.top_by_engagement == ()
    assert report.posting_times.slots == ()
    assert len(report.days) == 7 and all(d.posts == 0 for d in report.days)


async def test_a_channel_with_no_views_yet(db, analytics, channel) -> None:
    await add_posts(db, CHANNEL, [(1, utc(30, 9), "First"), (2, utc(31, 9), "Second")])
    await add_reactions(db, CHANNEL, [(1, utc(30, 10), 4)])
    await add_subscriber_events(db, CHANNEL, [(utc(30, 9), "join"), (utc(30, 10), "join")])
    await set_views_source(db, CHANNEL, "private")

    report = await analytics.report(user_id=OWNER, channel=channel, period=WEEK, time_zone=MOSCOW)

    now = report.current
    assert now.posts == 2
    assert (now.average_reach, now.err, now.engagement_rate) == (None, None, None)
    # No snapshots yet: the change comes from joins and leaves.
    assert (now.subscribers, now.subscriber_change) == (None, 2)
    assert report.top_by_views == report.top_by_engagement == ()
    assert [p.views for p in report.posts] == [None, None]
    assert report.median_views_24h is None
    assert report.views_status is ViewsStatus.PRIVATE


async def test_a_channel_without_username_is_private_before_the_collector_says_so(
    db, analytics
) -> None:
    await add_user(db, OWNER)
    await add_channel(db, CHANNEL, username=None, admin_id=OWNER, verified_at=SAMPLE_NOW)
    channel = await ChannelsRepository(db).get(channel_id=CHANNEL)

    report = await analytics.report(user_id=OWNER, channel=channel, period=WEEK, time_zone="UTC")

    assert report.views_status is ViewsStatus.PRIVATE


async def test_history_beyond_the_plan_is_refused(db, analytics, channel) -> None:
    today = date(2026, 10, 31)
    month = Period.last_days(30, today=today)
    await analytics.report(user_id=OWNER, channel=channel, period=month, time_zone=MOSCOW)

    with pytest.raises(LimitReached) as refused:
        await analytics.report(
            user_id=OWNER,
            channel=channel,
            period=Period.last_days(90, today=today),
            time_zone=MOSCOW,
        )
    assert (refused.value.allowed, refused.value.plan.code) == (30, "free")
    # A short range far back reaches beyond the history all the same.
    with pytest.raises(LimitReached):
        long_ago = Period(first_day=date(2026, 8, 1), last_day=date(2026, 8, 7))
        await analytics.report(user_id=OWNER, channel=channel, period=long_ago, time_zone=MOSCOW)

    await db.execute("INSERT INTO user_plans VALUES ($1, 'pro', 'admin', NULL)", OWNER)
    report = await analytics.report(
        user_id=OWNER, channel=channel, period=Period.last_days(90, today=today), time_zone=MOSCOW
    )
    assert len(report.days) == 90


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(None, (None, date(2026, 10, 2), date(2026, 10, 31), 30), id="default"),
        pytest.param("@news 7d", ("@news", date(2026, 10, 25), date(2026, 10, 31), 7), id="7d"),
        pytest.param(
            "from 2026-10-01 to 2026-10-15",
            (None, date(2026, 10, 1), date(2026, 10, 15), None),
            id="from-to",
        ),
        pytest.param(
            "@news 2026-9-1 2026-09-30",
            ("@news", date(2026, 9, 1), date(2026, 9, 30), None),
            id="channel-and-range",
        ),
    ],
)
def test_stats_arguments(args, expected) -> None:
    request = parse_stats_request(args, today=date(2026, 10, 31))
    period = request.period
    assert (request.channel_ref, period.first_day, period.last_day, request.days) == expected


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        pytest.param("2026-02-30 2026-03-05", PeriodProblem.BAD_DATE, id="no-such-day"),
        pytest.param("from 2026-10-01", PeriodProblem.ONE_DATE, id="one-date"),
        pytest.param("2026-10-09 2026-10-01", PeriodProblem.REVERSED, id="reversed"),
        pytest.param("2026-10-01 2026-11-05", PeriodProblem.FUTURE, id="future"),
        pytest.param("2026-10-01 2026-10-02 2026-10-03", PeriodProblem.TOO_MANY_DATES, id="3"),
        pytest.param("@news 0d", PeriodProblem.BAD_DAYS, id="zero-days"),
        pytest.param("@news please", PeriodProblem.UNEXPECTED, id="extra-word"),
    ],
)
def test_bad_stats_arguments(args: str, problem: PeriodProblem) -> None:
    with pytest.raises(InvalidPeriod) as error:
        parse_stats_request(args, today=date(2026, 10, 31))
    assert error.value.problem is problem
