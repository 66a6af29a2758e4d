"""A channel's numbers: its report for a period (the same as /stats), its posts a page at a
time, its subscribers and its joins and leaves per day; days are the owner's."""

from datetime import date

from bot.api.channels import local, owned_channel
from bot.api.models import (
    ChannelBrief,
    ChannelPath,
    DaysQuery,
    JoinsDay,
    JoinsSeries,
    PeriodDays,
    Post,
    PostingSlot,
    PostPage,
    PostsQuery,
    Report,
    ReportDay,
    ReportQuery,
    SubscribersDay,
    SubscriberSeries,
    Totals,
)
from bot.api.routing import ApiCall, Resource
from services.analytics import InvalidPeriod, Period, PeriodProblem
from services.channel_series import asked_period
from services.domain.analytics import DailyGrowth, PeriodTotals, PostMetrics, PostStats
from services.domain.analytics import PostingSlot as Slot
from services.domain.channels import ChannelRecord

resource = Resource("reports", "A channel's numbers: reports, posts and daily series.")

_PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}


def _post(channel: ChannelRecord, post: PostStats | PostMetrics, time_zone: str) -> Post:
    return Post(
        message_id=post.message_id,
        posted_at=local(post.posted_at, time_zone),
        text=post.text,
        media_kind=post.media_kind,
        views=post.views,
        reactions=post.reactions,
        views_24h=post.views_24h,
        engagement=post.engagement,
        url=f"https://t.me/{channel.username}/{post.message_id}" if channel.username else None,
    )


def _totals(totals: PeriodTotals) -> Totals:
    return Totals(**vars(totals), net_growth=totals.net_growth)


def _slot(slot: Slot) -> PostingSlot:
    return PostingSlot(**vars(slot))


def _days_asked(call: ApiCall, today: date) -> Period:
    query = call.query
    return asked_period(query.first_day, query.last_day, today=today)


@resource.get(
    "/channels/{channel_id}/report",
    summary="The channel's report for a period, as /stats shows it",
    response=Report,
    path_model=ChannelPath,
    query_model=ReportQuery,
)
async def channel_report(call: ApiCall) -> Report:
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
    return Report(
        channel=ChannelBrief(id=channel.id, title=channel.title, username=channel.username),
        period=PeriodDays(first_day=period.first_day, last_day=period.last_day, days=period.days),
        time_zone=report.time_zone,
        current=_totals(report.current),
        previous=_totals(report.previous),
        median_views_24h=report.median_views_24h,
        views_status=report.views_status,
        days=[
            ReportDay(
                day=day.day,
                subscribers=day.subscribers,
                joins=day.joins,
                leaves=day.leaves,
                posts=day.posts,
            )
            for day in report.days
        ],
        top_by_views=[_post(channel, post, time_zone) for post in report.top_by_views],
        top_by_engagement=[_post(channel, post, time_zone) for post in report.top_by_engagement],
        best_weekdays=[_slot(slot) for slot in report.posting_times.weekdays],
        best_hours=[_slot(slot) for slot in report.posting_times.hours],
    )


@resource.get(
    "/channels/{channel_id}/posts",
    summary="The channel's posts with their metrics, oldest first, a page at a time",
    response=PostPage,
    path_model=ChannelPath,
    query_model=PostsQuery,
)
async def channel_posts(call: ApiCall) -> PostPage:
    channel, time_zone = await owned_channel(call)
    series = call.services.channel_series
    page = await series.posts_page(
        user_id=call.principal.user_id,
        channel=channel,
        period=_days_asked(call, series.today(time_zone)),
        time_zone=time_zone,
        cursor=call.query.cursor,
        limit=call.query.limit,
    )
    return PostPage(
        items=[_post(channel, post, time_zone) for post in page.posts],
        next_cursor=page.next_cursor,
        time_zone=time_zone,
    )


async def _daily(call: ApiCall) -> tuple[list[DailyGrowth], str]:
    channel, time_zone = await owned_channel(call)
    series = call.services.channel_series
    days = await series.daily(
        user_id=call.principal.user_id,
        channel=channel,
        period=_days_asked(call, series.today(time_zone)),
        time_zone=time_zone,
    )
    return days, time_zone


@resource.get(
    "/channels/{channel_id}/subscribers",
    summary="The subscriber count at the end of each day",
    response=SubscriberSeries,
    path_model=ChannelPath,
    query_model=DaysQuery,
)
async def channel_subscribers(call: ApiCall) -> SubscriberSeries:
    days, time_zone = await _daily(call)
    return SubscriberSeries(
        items=[SubscribersDay(day=day.day, subscribers=day.subscribers) for day in days],
        time_zone=time_zone,
    )


@resource.get(
    "/channels/{channel_id}/joins",
    summary="Joins and leaves per day",
    response=JoinsSeries,
    path_model=ChannelPath,
    query_model=DaysQuery,
)
async def channel_joins(call: ApiCall) -> JoinsSeries:
    days, time_zone = await _daily(call)
    return JoinsSeries(
        items=[JoinsDay(day=day.day, joins=day.joins, leaves=day.leaves) for day in days],
        time_zone=time_zone,
    )
