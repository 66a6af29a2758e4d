"""/stats: the summary of a channel's period, its buttons, bad periods, the charts' caption."""

from html import escape

from bot.i18n_texts import sources as sources_texts
from services.analytics import (
    EARLIEST_DAY,
    MAX_PERIOD_DAYS,
    ChannelReport,
    InvalidPeriod,
    Period,
    PeriodProblem,
    ViewsStatus,
    change_percent,
)
from services.domain.analytics import PostStats
from services.domain.channels import ChannelRecord
from services.i18n import Message, Messages, Translator
from services.i18n_texts.charts import untitled_post

# texts.NAME here, stats_texts.NAME elsewhere: the message stats-name, its English in
# services/locales/stats.pot.
texts = Messages("stats")
__getattr__ = texts.__getattr__


PERIOD_PROBLEMS = texts.each("PROBLEM", PeriodProblem)
VIEWS_NOTES = texts.each("VIEWS", (ViewsStatus.PRIVATE, ViewsStatus.PENDING, ViewsStatus.FAILING))


SUMMARY_TOP_POSTS = 3
POST_TITLE_LENGTH = 40
# Babel patterns of a period's days: the year once, on the last day (25 Oct – 31 Oct 2026).
DAY_MONTH = "d MMM"
DAY_MONTH_YEAR = "d MMM y"
NO_VALUE = "—"
MINUS = "−"  # the typographic minus, as in "−43%"


def invalid_period(t: Translator, error: InvalidPeriod, *, examples: Message = texts.USAGE) -> str:
    reason = t(
        PERIOD_PROBLEMS[error.problem],
        detail=escape(error.detail),
        earliest=EARLIEST_DAY,
        max_days=t.number(MAX_PERIOD_DAYS),
    )
    return reason + t(examples)


def period_button(t: Translator, days: int, *, current: bool) -> str:
    return t(texts.CURRENT_PERIOD_BUTTON if current else texts.PERIOD_BUTTON, days=days)


def period_range(t: Translator, period: Period) -> str:
    first, last = period.first_day, period.last_day
    return t(
        texts.PERIOD_RANGE,
        first_day=t.date(first, DAY_MONTH if first.year == last.year else DAY_MONTH_YEAR),
        last_day=t.date(last, DAY_MONTH_YEAR),
    )


def charts_caption(t: Translator, report: ChannelReport) -> str:
    return t(
        texts.CHARTS_CAPTION,
        title=escape(report.channel.title),
        period=period_range(t, report.period),
    )


def _number(t: Translator, value: float | None) -> str:
    return NO_VALUE if value is None else t.number(value, digits=0)


def _percent(t: Translator, value: float | None, digits: int) -> str:
    """A value already in percent (68.2 for 68.2%), in the locale's way."""
    return NO_VALUE if value is None else t.percent(value / 100, digits=digits)


def _signed(t: Translator, value: int) -> str:
    if value > 0:
        return "+" + t.number(value)
    return MINUS + t.number(-value) if value < 0 else t.number(0)


def _signed_percent(t: Translator, change: float) -> str:
    return (MINUS if change < 0 else "+") + t.percent(abs(change) / 100, digits=0)


def _trend(t: Translator, current: float | None, previous: float | None) -> str:
    """▲ 12% / ▼ 5% against the previous period; nothing when there is no comparison."""
    change = change_percent(current, previous)
    if change is None:
        return ""
    if round(change) == 0:
        return " ▬ " + t.percent(0, digits=0)
    return f" {'▲' if change > 0 else '▼'} {t.percent(abs(change) / 100, digits=0)}"


def _versus_median(t: Translator, views_24h: float | None, median: float | None) -> str:
    change = change_percent(views_24h, median)
    return "" if change is None else t(texts.VERSUS_MEDIAN, change=_signed_percent(t, change))


def _post_title(t: Translator, post: PostStats) -> str:
    first_line = next((line.strip() for line in post.text.splitlines() if line.strip()), "")
    title = first_line or untitled_post(t, post.media_kind)
    if len(title) > POST_TITLE_LENGTH:
        title = title[: POST_TITLE_LENGTH - 1].rstrip() + "…"
    return escape(title)


def _post_link(t: Translator, channel: ChannelRecord, post: PostStats) -> str:
    if channel.username is None:
        return _post_title(t, post)
    url = f"https://t.me/{channel.username}/{post.message_id}"
    return f'<a href="{url}">{_post_title(t, post)}</a>'


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def stats_summary(t: Translator, report: ChannelReport) -> str:
    """The /stats message: key numbers with trends, top posts, the best time to post."""
    now, before = report.current, report.previous
    with_views = report.views_status is not ViewsStatus.PRIVATE
    lines = [
        t(texts.TITLE, title=escape(report.channel.title)),
        t.plural(texts.PERIOD, report.period.days, period=period_range(t, report.period)),
    ]
    if note := VIEWS_NOTES.get(report.views_status):
        lines += ["", t(note)]
    lines += [
        "",
        t(
            texts.SUBSCRIBERS,
            subscribers=_number(t, now.subscribers),
            change=_signed(t, now.subscriber_change),
            trend=_trend(t, now.subscribers, before.subscribers),
        ),
        t(
            texts.JOINS_LEAVES,
            joins=t.number(now.joins),
            leaves=t.number(now.leaves),
            net=_signed(t, now.net_growth),
            trend=_trend(t, now.net_growth, before.net_growth),
        ),
        t(texts.POSTS, posts=t.number(now.posts), trend=_trend(t, now.posts, before.posts)),
    ]
    if with_views:
        lines += [
            t(
                texts.AVERAGE_REACH,
                reach=_number(t, now.average_reach),
                trend=_trend(t, now.average_reach, before.average_reach),
            ),
            t(texts.ERR, err=_percent(t, now.err, 1), trend=_trend(t, now.err, before.err)),
            t(
                texts.ENGAGEMENT,
                engagement=_percent(t, now.engagement_rate, 2),
                trend=_trend(t, now.engagement_rate, before.engagement_rate),
            ),
            t(
                texts.VIEWS_AT_24H,
                median=_number(t, now.median_views_24h),
                versus=_versus_median(t, now.median_views_24h, report.median_views_24h),
            ),
        ]
        lines += _top_posts(t, report) + _best_time(t, report)
    lines += sources_texts.stats_section(t, report.sources)
    lines += ["", t.plural(texts.ARROWS, report.period.days)]
    return "\n".join(lines)


def _top_posts(t: Translator, report: ChannelReport) -> list[str]:
    if report.current.posts == 0:
        return ["", t(texts.NO_POSTS_IN_PERIOD)]
    if not report.top_by_views:
        return []
    lines = ["", t(texts.TOP_POSTS)]
    for place, post in enumerate(report.top_by_views[:SUMMARY_TOP_POSTS], 1):
        engagement = (
            t(texts.POST_ENGAGEMENT, engagement=_percent(t, post.engagement, 1))
            if post.engagement is not None
            else ""
        )
        at_24h = (
            t(
                texts.POST_AT_24H,
                views=t.number(post.views_24h),
                versus=_versus_median(t, post.views_24h, report.median_views_24h),
            )
            if post.views_24h is not None
            else ""
        )
        lines.append(
            t(
                texts.TOP_POST,
                place=place,
                post=_post_link(t, report.channel, post),
                views=_number(t, post.views),
                engagement=engagement,
                at_24h=at_24h,
            )
        )
    if report.top_by_engagement:
        best = report.top_by_engagement[0]
        lines.append(
            t(
                texts.MOST_ENGAGING,
                post=_post_link(t, report.channel, best),
                engagement=_percent(t, best.engagement, 1),
            )
        )
    return lines


def _best_time(t: Translator, report: ChannelReport) -> list[str]:
    times = report.posting_times
    if not times.slots or times.slots[0].relative is None:
        return []
    best = times.slots[0]
    return [
        "",
        t(
            texts.BEST_TIME,
            time_zone=escape(report.time_zone),
            weekday=t.weekday(best.weekday),
            hours=f"{_hour(best.hour)}–{_hour((best.hour + 1) % 24)}",
            change=_signed_percent(t, (best.relative - 1) * 100),
        ),
        t(
            texts.BEST_DAYS_AND_HOURS,
            days=", ".join(t.weekday(slot.weekday) for slot in times.weekdays[:2]),
            hours=", ".join(_hour(slot.hour) for slot in times.hours[:2]),
        ),
    ]
