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
from services.entitlements import EntitlementsService
from services.plans import Allowance

STANDARD_PERIODS = (7, 30, 90)
DEFAULT_PERIOD_DAYS = 30
# Enough for the top posts chart; the summary message shows the first few.
TOP_POSTS = 10
_TOP_RANKS = frozenset(range(1, TOP_POSTS + 1))
# Views at 24 h are compared with the channel's median over this many days up to the period's end.
BASELINE_DAYS = 90


@dataclass(frozen=True)
class Period:
    """Whole days in the user's time zone, both ends included."""

    first_day: date
    last_day: date

    @classmethod
    def last_days(cls, days: int, *, today: date) -> "Period":
        return cls(first_day=today - timedelta(days=days - 1), last_day=today)

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


def change_percent(current: float | None, previous: float | None) -> float | None:
    """The change against the previous period in percent; None when there is nothing to compare."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) * 100 / abs(previous)


class AnalyticsService:
    def __init__(
        self, analytics: AnalyticsRepository, entitlements: EntitlementsService, clock: Clock
    ) -> None:
        self._analytics = analytics
        self._entitlements = entitlements
        self._clock = clock

    def today(self, time_zone: str) -> date:
        return self._clock.now().astimezone(user_time_zone(time_zone)).date()

    async def report(
        self, *, user_id: int, channel: ChannelRecord, period: Period, time_zone: str
    ) -> ChannelReport:
        """The channel's numbers for the period; raises LimitReached beyond the plan's history.

        The caller has checked that the user administers the channel.
        """
        time_zone = str(user_time_zone(time_zone))
        reach_back = (self.today(time_zone) - period.first_day).days + 1
        await self._entitlements.ensure_at_most(
            user_id=user_id, allowance=Allowance.HISTORY_DAYS, wanted=reach_back
        )
        now = self._clock.now()
        previous = period.previous()
        window = dict(
            channel_id=channel.id,
            first_day=period.first_day,
            last_day=period.last_day,
            time_zone=time_zone,
        )
        totals, days, posts, posting_times = await asyncio.gather(
            self._analytics.totals(
                **window,
                previous_first_day=previous.first_day,
                previous_last_day=previous.last_day,
                baseline_first_day=period.last_day - timedelta(days=BASELINE_DAYS - 1),
                now=now,
            ),
            self._analytics.daily_growth(**window),
            self._analytics.posts(**window, now=now),
            self._analytics.posting_times(**window, now=now),
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
    BAD_DAYS = "bad_days"  # "0d"
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


_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DAYS = re.compile(r"^(\d{1,4})d?$", re.IGNORECASE)  # "30d", or just "30"
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
            if days < 1:
                raise InvalidPeriod(PeriodProblem.BAD_DAYS, word)
        elif channel_ref is None:
            channel_ref = word
        else:
            raise InvalidPeriod(PeriodProblem.UNEXPECTED, word)
    if not dates:
        days = days or DEFAULT_PERIOD_DAYS
        return StatsRequest(channel_ref, Period.last_days(days, today=today), days)
    if len(dates) == 1:
        raise InvalidPeriod(PeriodProblem.ONE_DATE)
    if len(dates) > 2:
        raise InvalidPeriod(PeriodProblem.TOO_MANY_DATES)
    if days is not None:
        raise InvalidPeriod(PeriodProblem.UNEXPECTED, f"{days}d")
    first, last = dates
    if last < first:
        raise InvalidPeriod(PeriodProblem.REVERSED, f"{first} {last}")
    if last > today:
        raise InvalidPeriod(PeriodProblem.FUTURE, str(last))
    return StatsRequest(channel_ref, Period(first_day=first, last_day=last), None)


def _parse_date(word: str) -> date:
    year, month, day = (int(part) for part in word.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidPeriod(PeriodProblem.BAD_DATE, word) from None
