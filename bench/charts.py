"""Time each /stats chart on a realistic 90-day report against a bare one-line matplotlib PNG."""

from __future__ import annotations

import io
import math
import random
import statistics
import sys
import timeit
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from matplotlib.figure import Figure

from services.analytics import TOP_POSTS, ChannelReport, Period, ViewsStatus
from services.charts import CHARTS, DPI, FIGURE_INCHES
from services.domain.analytics import (
    DailyGrowth,
    PeriodTotals,
    PostingSlot,
    PostingTimes,
    PostStats,
)
from services.domain.channels import ChannelRecord

RUNS = 20
DAYS = 90
TODAY = date(2026, 10, 31)
TIME_ZONE = "Europe/Moscow"
POST_TEXTS = (
    "Суп дня: борщ со сметаной и чесночными пампушками 🍲",
    "Рецепт недели — пирог с капустой, проще некуда",
    "Five pantry staples that turn any pasta into dinner",
    "Опрос: что приготовить на выходных?",
    "",
)


def sample_report(seed: int = 7) -> ChannelReport:
    """A 12k-subscriber channel over 90 days: ~3 posts a day, views that vary by post hour."""
    rng = random.Random(seed)
    period = Period.last_days(DAYS, today=TODAY)
    days, subscribers, net = [], 12_000, 0
    for offset in range(DAYS):
        day = period.first_day + timedelta(days=offset)
        joins = rng.randint(20, 70) + (25 if day.weekday() >= 5 else 0)
        leaves = rng.randint(10, 45)
        subscribers, net = subscribers + joins - leaves, net + joins - leaves
        days.append(DailyGrowth(day, joins, leaves, rng.randint(1, 5), subscribers, net))

    posts = []
    start = datetime(
        period.first_day.year, period.first_day.month, period.first_day.day, tzinfo=UTC
    )
    for message_id in range(1, DAYS * 3 + 1):
        posted_at = start + timedelta(minutes=rng.randint(0, DAYS * 24 * 60 - 1))
        evening = 1.4 if 15 <= posted_at.hour <= 18 else 1.0
        views = int(rng.lognormvariate(math.log(3_500 * evening), 0.35))
        reactions = int(views * rng.uniform(0.005, 0.05))
        posts.append(
            PostStats(
                message_id=message_id,
                posted_at=posted_at,
                text=rng.choice(POST_TEXTS),
                media_kind=rng.choice(("photo", None, "video")),
                views=views,
                reactions=reactions,
                engagement=reactions * 100 / views,
                views_24h=int(views * 0.8),
                views_rank=None,
                engagement_rank=None,
            )
        )
    posts.sort(key=lambda post: post.posted_at)
    by_views = sorted(posts, key=lambda post: post.views or 0, reverse=True)
    average = statistics.fmean(post.views or 0 for post in posts)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for post in posts:
        local = post.posted_at + timedelta(hours=3)
        cells[local.weekday(), local.hour].append(post.views or 0)
    slots = tuple(
        PostingSlot(
            weekday, hour, len(views), statistics.fmean(views), statistics.fmean(views) / average
        )
        for (weekday, hour), views in cells.items()
    )
    totals = PeriodTotals(
        subscribers=subscribers,
        subscriber_change=net,
        joins=sum(day.joins for day in days),
        leaves=sum(day.leaves for day in days),
        posts=len(posts),
        average_reach=average,
        err=average * 100 / subscribers,
        engagement_rate=2.1,
        median_views_24h=statistics.median(post.views_24h or 0 for post in posts),
    )
    channel = ChannelRecord(
        id=-1001234567890,
        title="Кулинария каждый день",
        username="cookingdaily",
        is_tracked=True,
        added_at=start,
        tracking_stopped_at=None,
    )
    return ChannelReport(
        channel=channel,
        period=period,
        time_zone=TIME_ZONE,
        current=totals,
        previous=totals,
        median_views_24h=totals.median_views_24h,
        days=tuple(days),
        posts=tuple(posts),
        top_by_views=tuple(by_views[:TOP_POSTS]),
        top_by_engagement=tuple(by_views[:TOP_POSTS]),
        posting_times=PostingTimes(slots=slots, weekdays=(), hours=()),
        views_status=ViewsStatus.AVAILABLE,
    )


def baseline() -> bytes:
    """The least a chart costs: a figure of the same size with one 90-point line, as PNG."""
    figure = Figure(figsize=(FIGURE_INCHES, FIGURE_INCHES), dpi=DPI)
    figure.subplots().plot(range(DAYS), [math.sin(x / 9) for x in range(DAYS)])
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def median_ms(run: Callable[[], object]) -> float:
    """The median wall time of RUNS calls in milliseconds, after one warm-up call."""
    run()
    return statistics.median(timeit.repeat(run, repeat=RUNS, number=1)) * 1000


def main() -> int:
    report = sample_report()
    print(
        f"input: {DAYS} days, {len(report.posts)} posts, {len(report.posting_times.slots)} "
        f"weekday×hour cells; {FIGURE_INCHES * DPI:.0f} px square PNG; median of {RUNS} warm runs"
    )
    base_ms = median_ms(baseline)
    print(f"{'baseline (one line plot to PNG)':34} {base_ms:8.1f} ms   1.00x")
    total_ms = 0.0
    for name, draw in CHARTS.items():
        ms = median_ms(lambda draw=draw: draw(report))
        total_ms += ms
        print(f"{name:34} {ms:8.1f} ms   {ms / base_ms:.2f}x")
    print(f"{'all four (one Charts press)':34} {total_ms:8.1f} ms   {total_ms / base_ms:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
