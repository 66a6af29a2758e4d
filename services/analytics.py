"""Channel analytics for a period: growth, reach, engagement, top posts, best time to post."""

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.analytics import AnalyticsRepository
from services.clock import Clock
from services.domain.analytics import DailyGrowth, PeriodTotals, PostingTimes, PostStats
from services.domain.channels import ChannelRecord
from services.domain.sources import PeriodSource
from services.entitlements import EntitlementsService
from services.plans import Allowance

STANDARD_PERIODS = (7, 30, 90)
DEFAULT_PERIOD_DAYS = 30
# Enough for the top posts chart; the summary message shows the first few.
TOP_POSTS = 10
_TOP_RANKS = frozenset(range(1, TOP_POSTS + 1))
# Views at 24 h are compared with the channel's median over this many days up to the period's end.
BASELINE_DAYS = 90
# No channel has a day before Telegram's launch; bounding periods by it keeps their date
# arithmetic (the previous period, the baseline) far from date.min.
EARLIEST_DAY = date(2013, 8, 14)
# The longest "last N days" anyone may ask for: more than Telegram has existed.
MAX_PERIOD_DAYS = 9999


@dataclass(frozen=True)
class Period:
    """Whole days in the user's time zone, both ends included; never reversed."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise InvalidPeriod(PeriodProblem.REVERSED, f"{self.first_day} {self.last_day}")

    @classmethod
    def last_days(cls, days: int, *, today: date) -> "Period":
        if not 1 <= days <= MAX_PERIOD_DAYS:
            raise InvalidPeriod(PeriodProblem.BAD_DAYS, f"{days}d")
        return cls(first_day=today - timedelta(days=days - 1), last_day=today)

    def check_asked(self, *, today: date) -> None:
        """Refuse what no one can have numbers for: a period ending after today or starting
        before Telegram's launch."""
        if self.last_day > today:
            raise InvalidPeriod(PeriodProblem.FUTURE, str(self.last_day))
        if self.first_day < EARLIEST_DAY:
            raise InvalidPeriod(PeriodProblem.TOO_EARLY, str(self.first_day))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> "Period":
        """The period of equal length just before this one, for trends."""
        return Period(
            first_day=self.first_day - timedelta(days=self.days),
            last_day=self.first_day - timedelta(days=1),
        )


class ViewsStatus(StrEnum):
    AVAILABLE = "available"
    PENDING = "pending"  # the views source has not been read yet
    PRIVATE = "private"  # private channels have no public preview to read views from
    FAILING = "failing"  # the source failed lately; views shown are the last known


_VIEWS_STATUS = {
    None: ViewsStatus.PENDING,
    "pending": ViewsStatus.PENDING,
    "ok": ViewsStatus.AVAILABLE,
    "private": ViewsStatus.PRIVATE,
    "unavailable": ViewsStatus.FAILING,
    "layout_changed": ViewsStatus.FAILING,
}


@dataclass(frozen=True)
class ChannelReport:
    channel: ChannelRecord
    period: Period
    time_zone: str
    current: PeriodTotals
    previous: PeriodTotals  # the period of equal length before, for trend arrows
    median_views_24h: float | None  # the channel's, over BASELINE_DAYS up to the period's end
    days: tuple[DailyGrowth, ...]
    posts: tuple[PostStats, ...]  # in publishing order
    top_by_views: tuple[PostStats, ...]
    top_by_engagement: tuple[PostStats, ...]
    posting_times: PostingTimes
    views_status: ViewsStatus
    # Joins per source in the period, most first (see services.sources).
    sources: tuple[PeriodSource, ...] = ()


def change_percent(current: float | None, previous: float | None) -> float | None:
    """The change against the previous period in percent; None when there is nothing to compare."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) * 100 / abs(previous)


@dataclass(frozen=True)
class AnalyticsService:
    analytics: AnalyticsRepository
    entitlements: EntitlementsService
    clock: Clock

    def today(self, time_zone: str) -> date:
        return self.clock.now().astimezone(user_time_zone(time_zone)).date()

    async def report(
        self, *, user_id: int, channel: ChannelRecord, period: Period, time_zone: str
    ) -> ChannelReport:
        """The channel's numbers for the period; raises LimitReached beyond the plan's history,
        InvalidPeriod for a period in the future or before Telegram.

        The caller has checked that the user administers the channel.
        """
        time_zone = str(user_time_zone(time_zone))
        await ensure_period_allowed(
            self.entitlements, user_id=user_id, period=period, today=self.today(time_zone)
        )
        now = self.clock.now()
        previous = period.previous()
        window = dict(
            channel_id=channel.id,
            first_day=period.first_day,
            last_day=period.last_day,
            time_zone=time_zone,
        )
        totals, days, posts, posting_times, sources = await asyncio.gather(
            self.analytics.totals(
                **window,
                previous_first_day=previous.first_day,
                previous_last_day=previous.last_day,
                baseline_first_day=period.last_day - timedelta(days=BASELINE_DAYS - 1),
                now=now,
            ),
            self.analytics.daily_growth(**window),
            self.analytics.posts(**window, now=now),
            self.analytics.posting_times(**window, now=now),
            self.analytics.period_sources(**window),
        )
        return ChannelReport(
            channel=channel,
            period=period,
            time_zone=time_zone,
            current=totals.current,
            previous=totals.previous,
            median_views_24h=totals.median_views_24h,
            days=tuple(days),
            posts=tuple(posts),
            top_by_views=_top(posts, rank=lambda post: post.views_rank),
            top_by_engagement=_top(posts, rank=lambda post: post.engagement_rank),
            posting_times=posting_times,
            views_status=_views_status(channel, totals.views_source_status),
            sources=tuple(sources),
        )


async def ensure_period_allowed(
    entitlements: EntitlementsService, *, user_id: int, period: Period, today: date
) -> None:
    """Raise InvalidPeriod for a period no one has numbers for, LimitReached for one reaching
    back further than the user's plan keeps history (so also one longer than it)."""
    period.check_asked(today=today)
    await entitlements.ensure_at_most(
        user_id=user_id,
        allowance=Allowance.HISTORY_DAYS,
        wanted=(today - period.first_day).days + 1,
    )


def _views_status(channel: ChannelRecord, source_status: str | None) -> ViewsStatus:
    # Without a username there is no public preview, even before the collector says so.
    if source_status is None and channel.username is None:
        return ViewsStatus.PRIVATE
    return _VIEWS_STATUS.get(source_status, ViewsStatus.FAILING)


def _top(
    posts: list[PostStats], *, rank: Callable[[PostStats], int | None]
) -> tuple[PostStats, ...]:
    """The posts SQL ranked 1..TOP_POSTS, in rank order."""
    return tuple(sorted((post for post in posts if rank(post) in _TOP_RANKS), key=rank))


def user_time_zone(name: str) -> ZoneInfo:
    """The user's time zone; an unknown name falls back to UTC rather than failing a report."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# ----------------------------------------------------------------------------- /stats arguments


class PeriodProblem(StrEnum):
    BAD_DATE = "bad_date"  # looks like a date, is not one (2026-02-30)
    ONE_DATE = "one_date"  # a range needs two dates
    TOO_MANY_DATES = "too_many_dates"
    REVERSED = "reversed"  # the range ends before it starts
    FUTURE = "future"  # the range ends after today
    TOO_EARLY = "too_early"  # the range starts before Telegram existed
    BAD_DAYS = "bad_days"  # "0d", or more than MAX_PERIOD_DAYS
    UNEXPECTED = "unexpected"  # words that are neither a channel, a date nor a period


class InvalidPeriod(ValueError):
    def __init__(self, problem: PeriodProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class StatsRequest:
    channel_ref: str | None
    period: Period
    days: int | None  # the 7/30/90-style length when the period is "the last N days"


# ASCII digits only: \d would also take "²" and other digits int() refuses or misreads.
_DATE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", re.ASCII)
_DAYS = re.compile(r"^([0-9]{1,4})d?$", re.IGNORECASE | re.ASCII)  # "30d", or just "30"
_FILLER = frozenset({"from", "to", "-", "–", "—", ".."})


def parse_stats_request(args: str | None, *, today: date) -> StatsRequest:
    """What `/stats [channel] [7d|30d|90d | [from] YYYY-MM-DD [to] YYYY-MM-DD]` asks for."""
    channel_ref: str | None = None
    dates: list[date] = []
    days: int | None = None
    for word in (args or "").split():
        if word.lower() in _FILLER:
            continue
        if _DATE.match(word):
            dates.append(_parse_date(word))
        elif match := _DAYS.match(word):
            days = int(match.group(1))
            if not 1 <= days <= MAX_PERIOD_DAYS:
                raise InvalidPeriod(PeriodProblem.BAD_DAYS, word)
        elif channel_ref is None:
            channel_ref = word
        else:
            raise InvalidPeriod(PeriodProblem.UNEXPECTED, word)
    if not dates:
        days = days or DEFAULT_PERIOD_DAYS
        period = Period.last_days(days, today=today)
        period.check_asked(today=today)
        return StatsRequest(channel_ref, period, days)
    if len(dates) == 1:
        raise InvalidPeriod(PeriodProblem.ONE_DATE)
    if len(dates) > 2:
        raise InvalidPeriod(PeriodProblem.TOO_MANY_DATES)
    if days is not None:
        raise InvalidPeriod(PeriodProblem.UNEXPECTED, f"{days}d")
    first, last = dates
    period = Period(first_day=first, last_day=last)
    period.check_asked(today=today)
    return StatsRequest(channel_ref, period, None)


def _parse_date(word: str) -> date:
    year, month, day = (int(part) for part in word.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidPeriod(PeriodProblem.BAD_DATE, word) from None
