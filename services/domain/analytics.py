"""A channel's numbers as the analytics compute them: totals, growth, posts, posting times."""

from dataclasses import dataclass
from datetime import date

from services.domain.posts import PublishedPost


class _NetGrowth:
    """Joins − leaves, for the records that count both."""

    joins: int
    leaves: int

    @property
    def net_growth(self) -> int:
        return self.joins - self.leaves


@dataclass(frozen=True)
class PeriodTotals(_NetGrowth):
    """The key numbers of one period; rates are in percent, None where there is no data."""

    subscribers: int | None  # the latest snapshot before the period's end
    subscriber_change: int  # snapshots at start and end, or joins − leaves without them
    joins: int
    leaves: int
    posts: int
    average_reach: float | None  # mean latest views of the period's posts that have views
    err: float | None  # average reach ÷ subscribers
    engagement_rate: float | None  # reactions ÷ views, over posts with views
    median_views_24h: float | None


@dataclass(frozen=True)
class ChannelTotals:
    current: PeriodTotals
    previous: PeriodTotals
    # The median of views at 24 h over the channel's posts of the baseline window.
    median_views_24h: float | None
    views_source_status: str | None  # channel_view_sources.status; None: no row yet


@dataclass(frozen=True)
class DailyGrowth(_NetGrowth):
    day: date
    joins: int
    leaves: int
    posts: int
    subscribers: int | None  # the latest snapshot before the day's end
    net_growth_to_date: int  # joins − leaves from the period's first day to this one


@dataclass(frozen=True)
class PostStats(PublishedPost):
    """A post of the period (its text cut to its start) with its metrics and ranks."""

    views: int | None  # the latest observation
    reactions: int  # the latest reaction total
    engagement: float | None  # reactions ÷ views, in percent
    views_24h: int | None  # the latest observation at or before 24 h after posting
    views_rank: int | None  # 1 = most viewed in the period
    engagement_rank: int | None  # 1 = most engaging in the period


@dataclass(frozen=True)
class PostingSlot:
    """Mean views of posts published at a weekday and/or hour (user's time), vs the mean."""

    weekday: int | None  # 0 = Monday; None in an hour's row
    hour: int | None  # 0-23; None in a weekday's row
    posts: int
    mean_views: float
    relative: float | None  # mean_views ÷ mean views of all the period's posts


@dataclass(frozen=True)
class PostingTimes:
    slots: tuple[PostingSlot, ...]  # weekday × hour cells, best first
    weekdays: tuple[PostingSlot, ...]  # best first
    hours: tuple[PostingSlot, ...]  # best first


@dataclass(frozen=True)
class PostMetrics(PublishedPost):
    """One post with its latest numbers, as the API pages through them."""

    views: int | None  # the latest observation
    reactions: int  # the latest reaction total
    views_24h: int | None
    engagement: float | None  # reactions ÷ views, in percent
