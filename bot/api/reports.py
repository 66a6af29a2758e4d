"""A channel's numbers: its report for a period (the same as /stats), its posts a page at a
time, its subscribers and its joins and leaves per day; days are the owner's."""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from bot.api.channels import owned_channel
from bot.api.models import (
    DaysQuery,
    JoinsSeries,
    Post,
    PostPage,
    PostsQuery,
    Report,
    ReportQuery,
    SubscriberSeries,
)
from bot.api.routing import ApiCall, Resource
from services.analytics import InvalidPeriod, Period, PeriodProblem
from services.channel_series import asked_period
from services.domain.analytics import DailyGrowth, PostMetrics, PostStats
from services.domain.channels import ChannelRecord

resource = Resource("reports", "A channel's numbers: reports, posts and daily series.")

_PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}
Found = TypeVar("Found")


def _post(channel: ChannelRecord, post: PostStats | PostMetrics, time_zone: str) -> Post:
    url = f"https://t.me/{channel.username}/{post.message_id}" if channel.username else None
    return Post.of(post, time_zone, url=url)


def _days_asked(call: ApiCall, today: date) -> Period:
    query = call.query
    return asked_period(query.first_day, query.last_day, today=today)


async def _read_days_asked(
    call: ApiCall, read: Callable[..., Awaitable[Found]], **options: Any
) -> tuple[Found, ChannelRecord, str]:
    """What a read of the channel series finds for the path's channel over the asked days, with
    the channel and the owner's time zone."""
    channel, time_zone = await owned_channel(call)
    found = await read(
        user_id=call.principal.user_id,
        channel=channel,
        period=_days_asked(call, call.services.channel_series.today(time_zone)),
        time_zone=time_zone,
        **options,
    )
    return found, channel, time_zone


@resource.get("/channels/{channel_id}/report", query_model=ReportQuery)
async def channel_report(call: ApiCall) -> Report:
    """The channel's report for a period, as /stats shows it"""
    channel, time_zone = await owned_channel(call)
    analytics = call.services.analytics
    today = analytics.today(time_zone)
    query = call.query
    if query.period is not None:
        if query.first_day is not None or query.last_day is not None:
            raise InvalidPeriod(PeriodProblem.UNEXPECTED, "period with from/to")
        period = Period.last_days(_PERIOD_DAYS[query.period], today=today)
    else:
        period = _days_asked(call, today)
    report = await analytics.report(
        user_id=call.principal.user_id, channel=channel, period=period, time_zone=time_zone
    )
    return Report.of(
        report,
        channel=channel,
        period=period,
        top_by_views=[_post(channel, post, time_zone) for post in report.top_by_views],
        top_by_engagement=[_post(channel, post, time_zone) for post in report.top_by_engagement],
        best_weekdays=report.posting_times.weekdays,
        best_hours=report.posting_times.hours,
    )


@resource.get("/channels/{channel_id}/posts", query_model=PostsQuery)
async def channel_posts(call: ApiCall) -> PostPage:
    """The channel's posts with their metrics, oldest first, a page at a time"""
    query = call.query
    page, channel, time_zone = await _read_days_asked(
        call, call.services.channel_series.posts_page, cursor=query.cursor, limit=query.limit
    )
    return PostPage(
        items=[_post(channel, post, time_zone) for post in page.posts],
        next_cursor=page.next_cursor,
        time_zone=time_zone,
    )


async def _daily(call: ApiCall) -> tuple[list[DailyGrowth], str]:
    days, _, time_zone = await _read_days_asked(call, call.services.channel_series.daily)
    return days, time_zone


@resource.get("/channels/{channel_id}/subscribers", query_model=DaysQuery)
async def channel_subscribers(call: ApiCall) -> SubscriberSeries:
    """The subscriber count at the end of each day"""
    days, time_zone = await _daily(call)
    return SubscriberSeries(items=days, time_zone=time_zone)


@resource.get("/channels/{channel_id}/joins", query_model=DaysQuery)
async def channel_joins(call: ApiCall) -> JoinsSeries:
    """Joins and leaves per day"""
    days, time_zone = await _daily(call)
    return JoinsSeries(items=days, time_zone=time_zone)
