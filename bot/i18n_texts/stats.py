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
from services.i18n import Message, PluralMessage, Translator
from services.i18n_texts.charts import untitled_post

STATS_BUTTON = Message("stats-channel-button", "📊 Stats {title}")
CHARTS_BUTTON = Message("stats-charts-button", "📈 Charts")
EXPORT_BUTTON = Message("stats-export-button", "📄 Export CSV")
SHARE_BUTTON = Message("stats-share-button", "🔗 Share")
PERIOD_BUTTON = Message("stats-period-button", "{days}d")
CURRENT_PERIOD_BUTTON = Message("stats-current-period-button", "• {days}d •")

PERIOD_PROBLEMS = {
    PeriodProblem.BAD_DATE: Message("stats-problem-bad-date", "There is no such date: {detail}."),
    PeriodProblem.ONE_DATE: Message(
        "stats-problem-one-date", "A range needs two dates: the first day and the last."
    ),
    PeriodProblem.TOO_MANY_DATES: Message(
        "stats-problem-too-many-dates", "Give two dates at most: the first day and the last."
    ),
    PeriodProblem.REVERSED: Message(
        "stats-problem-reversed", "The range ends before it starts. Put the earlier date first."
    ),
    PeriodProblem.FUTURE: Message(
        "stats-problem-future",
        "The range ends in the future ({detail}). End it today at the latest.",
    ),
    PeriodProblem.TOO_EARLY: Message(
        "stats-problem-too-early",
        "The range starts before Telegram existed ({detail}). Start it on {earliest} or later.",
    ),
    PeriodProblem.BAD_DAYS: Message(
        "stats-problem-bad-days", "A period has from 1 to {max_days} days."
    ),
    PeriodProblem.UNEXPECTED: Message(
        "stats-problem-unexpected", "I don't understand <code>{detail}</code>."
    ),
}
USAGE = Message(
    "stats-usage",
    "\n\nFor example:\n<code>/stats</code> — the last 30 days\n"
    "<code>/stats @yourchannel 7d</code>\n"
    "<code>/stats from 2026-10-01 to 2026-10-31</code>",
)
VIEWS_NOTES = {
    ViewsStatus.PRIVATE: Message(
        "stats-views-private",
        "🔒 Views are not available for private channels: Telegram shows view counts only "
        "on public channels' web preview. Everything else is below.",
    ),
    ViewsStatus.PENDING: Message(
        "stats-views-pending", "⏳ Views are being collected; they will show here soon."
    ),
    ViewsStatus.FAILING: Message(
        "stats-views-failing",
        "⚠️ Views could not be updated lately; the numbers shown are the last known.",
    ),
}
NO_POSTS_IN_PERIOD = Message("stats-no-posts", "No posts in this period.")

PERIOD_RANGE = Message("stats-period-range", "{first_day} – {last_day}")
CHARTS_CAPTION = Message("stats-charts-caption", "📈 <b>{title}</b> · {period}")
TITLE = Message("stats-summary-title", "📊 <b>{title}</b>")
PERIOD = PluralMessage("stats-summary-period", "{period} ({n} day)", "{period} ({n} days)")
SUBSCRIBERS = Message(
    "stats-summary-subscribers", "👥 Subscribers: {subscribers} ({change}){trend}"
)
JOINS_LEAVES = Message(
    "stats-summary-joins-leaves", "➕ Joined {joins} · ➖ Left {leaves} · net {net}{trend}"
)
POSTS = Message("stats-summary-posts", "📝 Posts: {posts}{trend}")
AVERAGE_REACH = Message("stats-summary-average-reach", "👁 Average reach: {reach}{trend}")
ERR = Message("stats-summary-err", "📈 ERR: {err}{trend}")
ENGAGEMENT = Message("stats-summary-engagement", "❤️ Engagement: {engagement}{trend}")
VIEWS_AT_24H = Message("stats-summary-views-24h", "⏱ Views at 24 h: median {median}{versus}")
VERSUS_MEDIAN = Message("stats-summary-versus-median", " ({change} vs channel median)")
TOP_POSTS = Message("stats-summary-top-posts", "🏆 <b>Top posts</b>")
TOP_POST = Message("stats-summary-top-post", "{place}. {post} — 👁 {views}{engagement}{at_24h}")
POST_ENGAGEMENT = Message("stats-summary-post-engagement", " · ❤️ {engagement}")
POST_AT_24H = Message("stats-summary-post-24h", " · 24 h: {views}{versus}")
MOST_ENGAGING = Message("stats-summary-most-engaging", "🔥 Most engaging: {post} — ❤️ {engagement}")
BEST_TIME = Message(
    "stats-summary-best-time",
    "🕐 <b>Best time to post</b> ({time_zone}): {weekday} {hours}, views {change} vs average",
)
BEST_DAYS_AND_HOURS = Message(
    "stats-summary-best-days-hours", "Best days: {days} · best hours: {hours}"
)
ARROWS = PluralMessage(
    "stats-summary-arrows",
    "<i>Arrows compare with the {n} day before.</i>",
    "<i>Arrows compare with the {n} days before.</i>",
)

SUMMARY_TOP_POSTS = 3
POST_TITLE_LENGTH = 40
# Babel patterns of a period's days: the year once, on the last day (25 Oct – 31 Oct 2026).
DAY_MONTH = "d MMM"
DAY_MONTH_YEAR = "d MMM y"
NO_VALUE = "—"
MINUS = "−"  # the typographic minus, as in "−43%"


def invalid_period(t: Translator, error: InvalidPeriod, *, examples: Message = USAGE) -> str:
    reason = t(
        PERIOD_PROBLEMS[error.problem],
        detail=escape(error.detail),
        earliest=EARLIEST_DAY,
        max_days=t.number(MAX_PERIOD_DAYS),
    )
    return reason + t(examples)


def period_button(t: Translator, days: int, *, current: bool) -> str:
    return t(CURRENT_PERIOD_BUTTON if current else PERIOD_BUTTON, days=days)


def period_range(t: Translator, period: Period) -> str:
    first, last = period.first_day, period.last_day
    return t(
        PERIOD_RANGE,
        first_day=t.date(first, DAY_MONTH if first.year == last.year else DAY_MONTH_YEAR),
        last_day=t.date(last, DAY_MONTH_YEAR),
    )


def charts_caption(t: Translator, report: ChannelReport) -> str:
    return t(
        CHARTS_CAPTION, title=escape(report.channel.title), period=period_range(t, report.period)
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
    return "" if change is None else t(VERSUS_MEDIAN, change=_signed_percent(t, change))


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
        t(TITLE, title=escape(report.channel.title)),
        t.plural(PERIOD, report.period.days, period=period_range(t, report.period)),
    ]
    if note := VIEWS_NOTES.get(report.views_status):
        lines += ["", t(note)]
    lines += [
        "",
        t(
            SUBSCRIBERS,
            subscribers=_number(t, now.subscribers),
            change=_signed(t, now.subscriber_change),
            trend=_trend(t, now.subscribers, before.subscribers),
        ),
        t(
            JOINS_LEAVES,
            joins=t.number(now.joins),
            leaves=t.number(now.leaves),
            net=_signed(t, now.net_growth),
            trend=_trend(t, now.net_growth, before.net_growth),
        ),
        t(POSTS, posts=t.number(now.posts), trend=_trend(t, now.posts, before.posts)),
    ]
    if with_views:
        lines += [
            t(
                AVERAGE_REACH,
                reach=_number(t, now.average_reach),
                trend=_trend(t, now.average_reach, before.average_reach),
            ),
            t(ERR, err=_percent(t, now.err, 1), trend=_trend(t, now.err, before.err)),
            t(
                ENGAGEMENT,
                engagement=_percent(t, now.engagement_rate, 2),
                trend=_trend(t, now.engagement_rate, before.engagement_rate),
            ),
            t(
                VIEWS_AT_24H,
                median=_number(t, now.median_views_24h),
                versus=_versus_median(t, now.median_views_24h, report.median_views_24h),
            ),
        ]
        lines += _top_posts(t, report) + _best_time(t, report)
    lines += sources_texts.stats_section(t, report.sources)
    lines += ["", t.plural(ARROWS, report.period.days)]
    return "\n".join(lines)


def _top_posts(t: Translator, report: ChannelReport) -> list[str]:
    if report.current.posts == 0:
        return ["", t(NO_POSTS_IN_PERIOD)]
    if not report.top_by_views:
        return []
    lines = ["", t(TOP_POSTS)]
    for place, post in enumerate(report.top_by_views[:SUMMARY_TOP_POSTS], 1):
        engagement = (
            t(POST_ENGAGEMENT, engagement=_percent(t, post.engagement, 1))
            if post.engagement is not None
            else ""
        )
        at_24h = (
            t(
                POST_AT_24H,
                views=t.number(post.views_24h),
                versus=_versus_median(t, post.views_24h, report.median_views_24h),
            )
            if post.views_24h is not None
            else ""
        )
        lines.append(
            t(
                TOP_POST,
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
                MOST_ENGAGING,
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
            BEST_TIME,
            time_zone=escape(report.time_zone),
            weekday=t.weekday(best.weekday),
            hours=f"{_hour(best.hour)}–{_hour((best.hour + 1) % 24)}",
            change=_signed_percent(t, (best.relative - 1) * 100),
        ),
        t(
            BEST_DAYS_AND_HOURS,
            days=", ".join(t.weekday(slot.weekday) for slot in times.weekdays[:2]),
            hours=", ".join(_hour(slot.hour) for slot in times.hours[:2]),
        ),
    ]
