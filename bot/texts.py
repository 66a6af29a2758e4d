"""Every text the bot sends, in one place (HTML parse mode), ready for translation."""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.paging import Page
from services.alert_delivery import AlertMessage
from services.alerts import Question, ThresholdField
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
from services.domain.alerts import AlertFiring, AlertKind, AlertRuleRecord
from services.domain.analytics import PostStats
from services.domain.channels import ChannelRecord, ChannelSummary
from services.entitlements import LimitReached, PlanStatus
from services.exports import ChannelExport, ExportKind, ExportTooLarge
from services.plans import Plan
from services.watermark import Position
from services.watermarking import MarkPanel

SLOW_DOWN = "⏳ Too many requests at once. Please wait a moment."
ADD_USAGE = (
    "Send the channel's @username or id after the command, for example:\n"
    "<code>/add @yourchannel</code>\n\n"
    "Make me an admin of the channel first: tap <b>Add to my channel</b> under /start."
)
INVALID_CHANNEL_REF = (
    "That doesn't look like a channel. Send its @username, a t.me link or its id (-100…)."
)
CHANNEL_NOT_FOUND = (
    "I can't find that channel. Check the @username; for a private channel, "
    "make me an admin first and then use its id."
)
NOT_A_CHANNEL = "That is a group or a private chat. I track channels only."
BOT_NOT_ADMIN = (
    "I'm not an admin of <b>{title}</b> yet. Add me as an admin first "
    "(tap <b>Add to my channel</b> under /start), then try again."
)
NOT_CHANNEL_ADMIN = (
    "Only admins of a channel can do that, and Telegram says you are not one of them."
)
NO_CHANNELS = (
    "You have no channels yet. Tap <b>Add to my channel</b> under /start, "
    "or send <code>/add @yourchannel</code>."
)
CHOOSE_CHANNEL = "Which channel?"


def channel_now_tracked(channel: ChannelRecord, *, was_tracked: bool) -> str:
    if was_tracked:
        return f"✅ <b>{escape(channel.title)}</b> is already tracked. See it in /channels."
    return (
        f"✅ Now tracking <b>{escape(channel.title)}</b>.\n"
        "From now on I record its posts, reactions, subscribers joining and leaving, "
        "and its subscriber count. See it in /channels."
    )


def _ago(moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


PREVIOUS_PAGE_BUTTON = "◀"
NEXT_PAGE_BUTTON = "▶"
PAGE_OF = "Page {number} of {count}"


def _page_line(page: Page) -> list[str]:
    """The line that says where a paged list is, when it has more than one page."""
    if page.count == 1:
        return []
    return ["\n" + PAGE_OF.format(number=page.number, count=page.count)]


def channel_list(page: Page[ChannelSummary], now: datetime) -> str:
    lines = ["<b>Your channels</b>"]
    for summary in page.items:
        channel = summary.channel
        name = escape(channel.title)
        handle = f" (@{escape(channel.username)})" if channel.username else ""
        subscribers = (
            f"{summary.subscribers:,} subscribers"
            if summary.subscribers is not None
            else "counting…"
        )
        last_post = (
            f"last post {_ago(summary.last_post_at, now)}"
            if summary.last_post_at
            else "no posts yet"
        )
        status = "" if channel.is_tracked else "\n    ⏸ not tracked"
        lines.append(f"\n📢 <b>{name}</b>{handle}\n    👥 {subscribers} · 📝 {last_post}{status}")
    return "\n".join(lines + _page_line(page))


def remove_confirm(channel: ChannelRecord) -> str:
    return (
        f"Stop tracking <b>{escape(channel.title)}</b>?\n\n"
        "<b>Keep data</b>: I stop recording; what I have stays, and /add resumes.\n"
        "<b>Delete data</b>: I stop and delete everything recorded for this channel, "
        "for all its admins. This cannot be undone."
    )


REMOVE_KEEP_BUTTON = "⏸ Stop, keep data"
REMOVE_DELETE_BUTTON = "🗑 Stop and delete data"
CANCEL_BUTTON = "✖️ Cancel"
REMOVE_CANCELLED = "Nothing changed."
REMOVE_BUTTON = "🗑 Remove {title}"
RESUME_BUTTON = "▶️ Resume {title}"


def removed(channel: ChannelRecord, *, deleted: bool) -> str:
    if deleted:
        return f"🗑 Stopped tracking <b>{escape(channel.title)}</b> and deleted its data."
    return (
        f"⏸ Stopped tracking <b>{escape(channel.title)}</b>. Its data is kept; "
        f"<code>/add {channel.id}</code> resumes tracking."
    )


def bot_removed_from_channel(title: str) -> str:
    return (
        f"⏸ I'm no longer an admin of <b>{escape(title)}</b>, so I stopped tracking it, and "
        "its stats and share links are closed. Everything recorded so far is kept: make me an "
        "admin again to pick up where I left off."
    )


STALE_BUTTON = "This button no longer works. Send the command again."

ALLOWANCE_NAMES = {
    "channels": "channels tracked",
    "history_days": "days of history",
    "exports_per_day": "CSV exports a day",
    "alert_rules": "alert rules",
    "share_link_hours": "hours a share link can live",
    "share_links": "live share links",
    "watermarks_per_day": "watermarks a day",
    "insights_per_month": "AI insights a month",
}
UPGRADE_BUTTON = "⭐ Upgrade"


def limit_reached(error: LimitReached) -> str:
    name = ALLOWANCE_NAMES[error.allowance.value]
    return f"🔒 Your {error.plan.name} plan allows {error.allowed:,} {name}. Upgrade to get more."


def _limit(allowed: int | None) -> str:
    return "unlimited" if allowed is None else f"{allowed:,}"


def _date(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d}"


def usd(cents: int) -> str:
    return f"${cents / 100:,.0f}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


_PAID_BY = {"stripe": "paid by card", "stars": "paid with Telegram Stars", "admin": "granted"}


def plan_status(status: PlanStatus) -> str:
    lines = [f"<b>Your plan: {status.plan.name}</b>"]
    if status.expires_at is not None:
        verb = "Renews on" if status.renews else "Ends on"
        paid_by = _PAID_BY.get(status.source or "")
        lines.append(f"{verb} {_date(status.expires_at)}" + (f" ({paid_by})" if paid_by else ""))
    lines.append("")
    for line in status.usage:
        name = ALLOWANCE_NAMES[line.allowance.value]
        if line.used is None:
            lines.append(f"• {name}: {_limit(line.allowed)}")
        else:
            lines.append(f"• {name}: {line.used:,} of {_limit(line.allowed)}")
    if status.source == "stripe":
        lines.append("\nCard and invoices: /billing · stop renewing: /cancel")
    return "\n".join(lines)


def _plan_limits(plan: Plan) -> str:
    return "\n".join(
        f"• {ALLOWANCE_NAMES[allowance.value]}: {_limit(allowed)}"
        for allowance, allowed in plan.limits.items()
    )


def plans_overview(plans: Iterable[Plan]) -> str:
    blocks = ["<b>Plans</b>"]
    for plan in plans:
        price = "free" if not plan.is_paid else f"{usd(plan.price_usd_cents)} a month"
        blocks.append(f"\n<b>{plan.name}</b> ({price})\n{_plan_limits(plan)}")
    return "\n".join(blocks)


# --- watermarking

WATERMARK_HOW = (
    "Send me a photo, a file or an album: I send it back with this mark, in the same form. "
    "Send images as files to keep full quality."
)
# Colour presets of the panel: value, button, name.
WATERMARK_COLORS = {
    "#FFFFFF": ("⚪", "white"),
    "#000000": ("⚫", "black"),
    "#E53935": ("🔴", "red"),
    "#FDD835": ("🟡", "yellow"),
    "#1E88E5": ("🔵", "blue"),
}
WATERMARK_POSITION_BUTTONS = {
    Position.TOP_LEFT: "↖",
    Position.TOP: "⬆",
    Position.TOP_RIGHT: "↗",
    Position.LEFT: "⬅",
    Position.CENTER: "⏺",
    Position.RIGHT: "➡",
    Position.BOTTOM_LEFT: "↙",
    Position.BOTTOM: "⬇",
    Position.BOTTOM_RIGHT: "↘",
    Position.TILED: "🔁 Tiled",
}
WATERMARK_SMALLER_BUTTON = "➖ Smaller"
WATERMARK_LARGER_BUTTON = "➕ Larger"
WATERMARK_FAINTER_BUTTON = "◻️ Fainter"
WATERMARK_STRONGER_BUTTON = "◼️ Stronger"
WATERMARK_TEXT_BUTTON = "✏️ Text"
WATERMARK_LOGO_BUTTON = "🖼 Logo"
WATERMARK_SAVE_BUTTON = "💾 Save as preset"
WATERMARK_PRESETS_BUTTON = "📚 Presets"
WATERMARK_APPLY_BUTTON = "✅ Apply"
WATERMARK_DISCARD_BUTTON = "↩️ Discard"
WATERMARK_BACK_BUTTON = "⬅️ Back"

WATERMARK_ASK_TEXT = (
    "✏️ Send the text for your mark (up to 100 characters), for example <code>© Your Name</code>."
)
WATERMARK_NEEDS_TEXT = (
    "I have no channel of yours whose name I could put on your images.\n" + WATERMARK_ASK_TEXT
)
WATERMARK_ASK_LOGO = (
    "🖼 Send your logo as a PNG <b>file</b>, up to 2 MB. As a file it keeps its transparency."
)
WATERMARK_LOGO_AS_FILE = "Send the logo as a file, please: as a photo it loses its transparency."
WATERMARK_ASK_PRESET_NAME = "💾 Send a name for this preset (up to 32 characters)."
WATERMARK_CHOOSE_CHANNEL = (
    "Which channel's name should mark your images? I'll remember it; "
    "change it any time with /watermark."
)
WATERMARK_APPLIED = "✅ Applied: your images get this mark now."
WATERMARK_UNCHANGED = "That's as far as it goes."
WATERMARK_NO_PRESETS = "No presets yet: tap 💾 Save as preset first."


def watermark_panel(panel: MarkPanel) -> str:
    spec = panel.spec
    if panel.preset_name is None:
        title = "🖋 <b>Your watermark</b> (your channel's name)"
    else:
        title = f"🖋 <b>Your watermark</b>, preset <b>{escape(panel.preset_name)}</b>"
    mark = f"“{escape(spec.text)}”" if spec.text is not None else "your logo"
    settings = [
        f"Position {spec.position.value.replace('-', ' ')}",
        f"size {(spec.relative_size or 0) * 100:.0f}%",
        f"opacity {spec.opacity * 100:.0f}%",
    ]
    if spec.text is not None:
        settings.append(f"colour {WATERMARK_COLORS.get(spec.color, ('', spec.color))[1]}")
    lines = [title, f"Mark: {mark}", " · ".join(settings)]
    if panel.has_draft:
        lines.append("👀 This is a preview: tap <b>✅ Apply</b> to use it.")
    return "\n".join([*lines, "", WATERMARK_HOW])


def watermark_channel_chosen(name: str) -> str:
    return (
        f"✅ Your images will be marked with <b>{escape(name)}</b>. "
        "Change it any time with /watermark."
    )


def watermark_preset_saved(name: str) -> str:
    return f"💾 Saved as <b>{escape(name)}</b>; your images get this mark now."


def watermark_rejected(reason: str) -> str:
    return f"⚠️ {escape(reason)}"


def watermark_failures(failures: list[tuple[str | None, str]]) -> str:
    """Why images could not be watermarked: (the image's name in an album, or None; why)."""
    if len(failures) == 1:
        name, reason = failures[0]
        return f"⚠️ {escape(name)}: {escape(reason)}" if name else f"⚠️ {escape(reason)}"
    lines = [f"⚠️ {len(failures)} images couldn't be watermarked:"]
    lines += [f"• {escape(name or '')}: {escape(reason)}" for name, reason in failures]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- /stats

STATS_BUTTON = "📊 Stats {title}"
CHARTS_BUTTON = "📈 Charts"
EXPORT_BUTTON = "📄 Export CSV"
SHARE_BUTTON = "🔗 Share"
SUMMARY_TOP_POSTS = 3
POST_TITLE_LENGTH = 40
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

PERIOD_PROBLEMS = {
    PeriodProblem.BAD_DATE: "There is no such date: {detail}.",
    PeriodProblem.ONE_DATE: "A range needs two dates: the first day and the last.",
    PeriodProblem.TOO_MANY_DATES: "Give two dates at most: the first day and the last.",
    PeriodProblem.REVERSED: "The range ends before it starts. Put the earlier date first.",
    PeriodProblem.FUTURE: "The range ends in the future ({detail}). End it today at the latest.",
    PeriodProblem.TOO_EARLY: (
        "The range starts before Telegram existed ({detail}). Start it on {earliest} or later."
    ),
    PeriodProblem.BAD_DAYS: "A period has from 1 to {max_days} days.",
    PeriodProblem.UNEXPECTED: "I don't understand <code>{detail}</code>.",
}
STATS_USAGE = (
    "\n\nFor example:\n<code>/stats</code> — the last 30 days\n"
    "<code>/stats @yourchannel 7d</code>\n"
    "<code>/stats from 2026-10-01 to 2026-10-31</code>"
)
VIEWS_NOTES = {
    ViewsStatus.PRIVATE: (
        "🔒 Views are not available for private channels: Telegram shows view counts only "
        "on public channels' web preview. Everything else is below."
    ),
    ViewsStatus.PENDING: "⏳ Views are being collected; they will show here soon.",
    ViewsStatus.FAILING: (
        "⚠️ Views could not be updated lately; the numbers shown are the last known."
    ),
}
NO_POSTS_IN_PERIOD = "No posts in this period."


def invalid_period(error: InvalidPeriod, *, examples: str = STATS_USAGE) -> str:
    reason = PERIOD_PROBLEMS[error.problem].format(
        detail=escape(error.detail), earliest=EARLIEST_DAY, max_days=f"{MAX_PERIOD_DAYS:,}"
    )
    return reason + examples


def period_button(days: int, *, current: bool) -> str:
    return f"• {days}d •" if current else f"{days}d"


def period_range(period: Period) -> str:
    first, last = period.first_day, period.last_day
    start = f"{first:%-d %b}" if first.year == last.year else f"{first:%-d %b %Y}"
    return f"{start} – {last:%-d %b %Y}"


def charts_caption(report: ChannelReport) -> str:
    return f"📈 <b>{escape(report.channel.title)}</b> · {period_range(report.period)}"


def _number(value: float | None, digits: int = 0, suffix: str = "") -> str:
    return "—" if value is None else f"{value:,.{digits}f}{suffix}"


def _signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else f"−{-value:,}" if value < 0 else "0"


def _trend(current: float | None, previous: float | None) -> str:
    """▲ 12% / ▼ 5% against the previous period; nothing when there is no comparison."""
    change = change_percent(current, previous)
    if change is None:
        return ""
    if round(change) == 0:
        return " ▬ 0%"
    return f" {'▲' if change > 0 else '▼'} {abs(change):,.0f}%"


def _post_title(post: PostStats) -> str:
    first_line = next((line.strip() for line in post.text.splitlines() if line.strip()), "")
    title = first_line or f"[{post.media_kind or 'post'}]"
    if len(title) > POST_TITLE_LENGTH:
        title = title[: POST_TITLE_LENGTH - 1].rstrip() + "…"
    return escape(title)


def _post_link(channel: ChannelRecord, post: PostStats) -> str:
    if channel.username is None:
        return _post_title(post)
    return f'<a href="https://t.me/{channel.username}/{post.message_id}">{_post_title(post)}</a>'


def _percent(change: float) -> str:
    return f"{change:+,.0f}%".replace("-", "−")


def _versus_median(views_24h: float | None, median: float | None) -> str:
    change = change_percent(views_24h, median)
    return "" if change is None else f" ({_percent(change)} vs channel median)"


def _views_at_24h(post: PostStats, median: float | None) -> str:
    if post.views_24h is None:
        return ""
    return f" · 24 h: {post.views_24h:,}{_versus_median(post.views_24h, median)}"


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def stats_summary(report: ChannelReport) -> str:
    """The /stats message: key numbers with trends, top posts, the best time to post."""
    now, before = report.current, report.previous
    with_views = report.views_status is not ViewsStatus.PRIVATE
    lines = [
        f"📊 <b>{escape(report.channel.title)}</b>",
        f"{period_range(report.period)} ({report.period.days} days)",
    ]
    if note := VIEWS_NOTES.get(report.views_status):
        lines += ["", note]
    lines += [
        "",
        f"👥 Subscribers: {_number(now.subscribers)} "
        f"({_signed(now.subscriber_change)}){_trend(now.subscribers, before.subscribers)}",
        f"➕ Joined {now.joins:,} · ➖ Left {now.leaves:,} · net {_signed(now.net_growth)}"
        f"{_trend(now.net_growth, before.net_growth)}",
        f"📝 Posts: {now.posts:,}{_trend(now.posts, before.posts)}",
    ]
    if with_views:
        lines += [
            f"👁 Average reach: {_number(now.average_reach)}"
            f"{_trend(now.average_reach, before.average_reach)}",
            f"📈 ERR: {_number(now.err, 1, '%')}{_trend(now.err, before.err)}",
            f"❤️ Engagement: {_number(now.engagement_rate, 2, '%')}"
            f"{_trend(now.engagement_rate, before.engagement_rate)}",
            f"⏱ Views at 24 h: median {_number(now.median_views_24h)}"
            f"{_versus_median(now.median_views_24h, report.median_views_24h)}",
        ]
    if with_views:
        lines += _top_posts(report) + _best_time(report)
    lines += ["", f"<i>Arrows compare with the {report.period.days} days before.</i>"]
    return "\n".join(lines)


def _top_posts(report: ChannelReport) -> list[str]:
    if report.current.posts == 0:
        return ["", NO_POSTS_IN_PERIOD]
    if not report.top_by_views:
        return []
    lines = ["", "🏆 <b>Top posts</b>"]
    for place, post in enumerate(report.top_by_views[:SUMMARY_TOP_POSTS], 1):
        engagement = f" · ❤️ {post.engagement:.1f}%" if post.engagement is not None else ""
        lines.append(
            f"{place}. {_post_link(report.channel, post)} — 👁 {post.views:,}{engagement}"
            f"{_views_at_24h(post, report.median_views_24h)}"
        )
    if report.top_by_engagement:
        best = report.top_by_engagement[0]
        lines.append(
            f"🔥 Most engaging: {_post_link(report.channel, best)} — ❤️ {best.engagement:.1f}%"
        )
    return lines


def _best_time(report: ChannelReport) -> list[str]:
    times = report.posting_times
    if not times.slots or times.slots[0].relative is None:
        return []
    best = times.slots[0]
    days = ", ".join(WEEKDAY_NAMES[slot.weekday] for slot in times.weekdays[:2])
    hours = ", ".join(_hour(slot.hour) for slot in times.hours[:2])
    return [
        "",
        f"🕐 <b>Best time to post</b> ({escape(report.time_zone)}): "
        f"{WEEKDAY_NAMES[best.weekday]} {_hour(best.hour)}–{_hour((best.hour + 1) % 24)}, "
        f"views {_percent((best.relative - 1) * 100)} vs average",
        f"Best days: {days} · best hours: {hours}",
    ]


# -------------------------------------------------------------------------- exports

EXPORT_EXAMPLES = (
    "\n\nFor example:\n<code>/export</code> — the last 30 days\n"
    "<code>/export @yourchannel 7d</code>\n"
    "<code>/export from 2026-10-01 to 2026-10-31</code>"
)
EXPORT_KIND_NAMES = {
    ExportKind.POSTS: "posts",
    ExportKind.SUBSCRIBERS: "daily subscribers",
    ExportKind.JOINS_LEAVES: "daily joins and leaves",
}
EXPORT_DONE = "✅ Done. Your files are below."


def export_progress(kind: ExportKind, rows: int) -> str:
    return f"⏳ Preparing {EXPORT_KIND_NAMES[kind]}… {rows:,} rows"


def export_caption(export: ChannelExport) -> str:
    posts = export.file(ExportKind.POSTS).rows
    return (
        f"📄 <b>{escape(export.channel.title)}</b> · {period_range(export.period)}: "
        f"{posts:,} posts, daily subscribers, daily joins and leaves.\n"
        "CSV in UTF-8: opens in Excel, Google Sheets and Numbers."
    )


def export_too_large(error: ExportTooLarge) -> str:
    return (
        f"📦 The {EXPORT_KIND_NAMES[error.kind]} file would be larger than "
        f"{error.max_bytes / 1024 / 1024:,.0f} MB, more than I can send. "
        "Try a shorter period."
    )


# --------------------------------------------------------------------------- alerts

ALERT_KINDS: dict[AlertKind, tuple[str, str, str]] = {
    # kind: (emoji, name, what it watches for, in one line)
    AlertKind.SUBSCRIBER_DROP: (
        "📉",
        "Subscriber drop",
        "the channel loses a share or a number of subscribers within some hours",
    ),
    AlertKind.SUBSCRIBER_SURGE: (
        "📈",
        "Subscriber surge",
        "the channel gains a share or a number of subscribers within some hours",
    ),
    AlertKind.MILESTONE: ("🏁", "Milestone", "the subscriber count crosses a number, up or down"),
    AlertKind.POST_VIEWS: (
        "👀",
        "Post views",
        "a post reaches a number of views within some hours of publishing",
    ),
    AlertKind.POST_UNDERPERFORMS: (
        "🐢",
        "Post underperforms",
        "a post has fewer views than usual for its age",
    ),
    AlertKind.REACTION_SPIKE: (
        "🔥",
        "Reaction spike",
        "a post gets several times the reactions a post usually gets in its first hour",
    ),
    AlertKind.UNSUBSCRIBE_SPIKE: (
        "🚪",
        "Unsubscribe spike",
        "more people leave in an hour than several times the usual hourly number",
    ),
    AlertKind.POSTING_GAP: ("💤", "Posting gap", "no new post for a number of hours"),
}


def _kind(kind: AlertKind) -> str:
    emoji, name, _ = ALERT_KINDS[kind]
    return f"{emoji} {name}"


def _figure(value: float | None) -> str:
    """1,234 for whole numbers, 2.5 otherwise."""
    if value is None:
        return "?"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _local(moment: datetime, time_zone: str) -> str:
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return f"{moment.astimezone(zone):%d %b %H:%M}"


_RULE_SUMMARIES = {
    AlertKind.SUBSCRIBER_DROP: "lose {change} within {hours} h",
    AlertKind.SUBSCRIBER_SURGE: "gain {change} within {hours} h",
    AlertKind.MILESTONE: "cross {amount} subscribers",
    AlertKind.POST_VIEWS: "a post reaches {amount} views within {hours} h",
    AlertKind.POST_UNDERPERFORMS: "a post has under {percent}% of the usual views at {hours} h",
    AlertKind.REACTION_SPIKE: "a post gets {factor}× the usual reactions in an hour",
    AlertKind.UNSUBSCRIBE_SPIKE: "{factor}× the usual leaves in an hour",
    AlertKind.POSTING_GAP: "no post for {hours} h",
}


def rule_summary(rule: AlertRuleRecord) -> str:
    """What the rule fires on, in a few words."""
    limits = rule.thresholds
    change = " or ".join(
        part
        for part in (
            f"{_figure(limits.percent)}%" if limits.percent is not None else "",
            f"{_figure(limits.amount)} subscribers" if limits.amount is not None else "",
        )
        if part
    )
    return _RULE_SUMMARIES[rule.kind].format(
        change=change,
        amount=_figure(limits.amount),
        percent=_figure(limits.percent),
        hours=limits.hours,
        factor=_figure(limits.factor),
    )


def _rule_line(number: int, rule: AlertRuleRecord, time_zone: str, now: datetime) -> str:
    status = ""
    if rule.paused:
        status = " · ⏸ paused"
    elif rule.muted_until is not None and rule.muted_until > now:
        status = f" · 🔕 muted until {_local(rule.muted_until, time_zone)}"
    return f"{number}. {_kind(rule.kind)}: {escape(rule_summary(rule))}{status}"


ALERTS_NONE = (
    "🔔 <b>Alerts</b>\n\nYou have no alerts yet. Tap <b>Add alert</b> and I'll message you "
    "the moment something happens in your channel: a drop in subscribers, a post taking off, "
    "a milestone, a quiet spell."
)


def alerts_list(page: Page[AlertRuleRecord], time_zone: str, now: datetime) -> str:
    if not page.items:
        return ALERTS_NONE
    lines = ["🔔 <b>Your alerts</b>"]
    channel_id = None
    for number, rule in page.numbered():
        if rule.channel_id != channel_id:
            channel_id = rule.channel_id
            lines.append(f"\n📢 <b>{escape(rule.channel_title)}</b>")
        lines.append(_rule_line(number, rule, time_zone, now))
    lines += _page_line(page)
    lines.append("\nThe buttons act on the alert with that number. Quiet hours: /settings.")
    return "\n".join(lines)


ADD_ALERT_BUTTON = "➕ Add alert"
HISTORY_BUTTON = "📜 History"
PAUSE_BUTTON = "⏸ Pause {number}"
RESUME_ALERT_BUTTON = "▶️ Resume {number}"
DELETE_BUTTON = "🗑 Delete {number}"
TEST_BUTTON = "🧪 Test {number}"
VIEW_STATS_BUTTON = "📊 View stats"
MUTE_BUTTON = "🔕 Mute 24 h"
RULE_GONE = "That alert no longer exists. Send /alerts to see yours."
TEST_SENT = "Test alert sent."
MUTED = "🔕 Muted for 24 hours."
ALERT_DELETED = "Alert deleted."

ALERT_CHOOSE_KIND = "🔔 <b>New alert</b>. What should I watch for?\n\n" + "\n".join(
    f"{emoji} <b>{name}</b>: {explained}." for emoji, name, explained in ALERT_KINDS.values()
)
ALERT_CHOOSE_CHANNEL = "Which channel should I watch?"
ALERT_CANCELLED = "Nothing set."
ALERT_CHOOSE_WITH_BUTTONS = "Please choose with the buttons above, or tap Cancel."

_QUESTIONS: dict[tuple[AlertKind, ThresholdField], str] = {
    (AlertKind.SUBSCRIBER_DROP, ThresholdField.CHANGE): (
        "How big a loss? Send a share like <code>5%</code>, a number of subscribers like "
        "<code>100</code>, or both: <code>5% or 100</code>."
    ),
    (AlertKind.SUBSCRIBER_DROP, ThresholdField.HOURS): "Within how many hours?",
    (AlertKind.SUBSCRIBER_SURGE, ThresholdField.CHANGE): (
        "How big a gain? Send a share like <code>10%</code>, a number of subscribers like "
        "<code>100</code>, or both: <code>10% or 100</code>."
    ),
    (AlertKind.SUBSCRIBER_SURGE, ThresholdField.HOURS): "Within how many hours?",
    (AlertKind.MILESTONE, ThresholdField.AMOUNT): (
        "Which subscriber count? I'll tell you when the channel crosses it, up or down."
    ),
    (AlertKind.POST_VIEWS, ThresholdField.AMOUNT): "How many views?",
    (AlertKind.POST_VIEWS, ThresholdField.HOURS): "Within how many hours of publishing?",
    (AlertKind.POST_UNDERPERFORMS, ThresholdField.PERCENT): (
        "Below what share of the channel's usual (median) views?"
    ),
    (AlertKind.POST_UNDERPERFORMS, ThresholdField.HOURS): (
        "At what age of the post, in hours? I compare its views with your other posts' "
        "views at the same age."
    ),
    (AlertKind.REACTION_SPIKE, ThresholdField.FACTOR): (
        "How many times the reactions a post usually gets in its first hour?"
    ),
    (AlertKind.UNSUBSCRIBE_SPIKE, ThresholdField.FACTOR): (
        "How many times the usual number of leaves per hour (the past week's average)?"
    ),
    (AlertKind.POSTING_GAP, ThresholdField.HOURS): "After how many hours without a post?",
}


_BOUNDS = {
    ThresholdField.CHANGE: "a share up to 100%, or a whole number from {low} to {high}",
    ThresholdField.PERCENT: "a percentage from {low} to {high}",
    ThresholdField.HOURS: "a whole number of hours from {low} to {high}",
    ThresholdField.FACTOR: "a number from {low} to {high}",
    ThresholdField.AMOUNT: "a whole number from {low} to {high}",
}


def _bounds(question: Question) -> str:
    return _BOUNDS[question.field].format(
        low=_figure(question.minimum), high=_figure(question.maximum)
    )


def alert_question(
    kind: AlertKind, question: Question, step: int, steps: int, channel_title: str
) -> str:
    return (
        f"{_kind(kind)} · <b>{escape(channel_title)}</b> · step {step} of {steps}\n\n"
        f"{_QUESTIONS[kind, question.field]}\nSend {_bounds(question)}, "
        "or tap the button for the suggested value."
    )


def invalid_answer(question: Question, default: str) -> str:
    return (
        f"⚠️ That doesn't work here. Send {_bounds(question)}, "
        f"for example <code>{escape(default)}</code>."
    )


def use_default_button(default: str) -> str:
    return f"✅ Use {default}"


def alert_created(rule: AlertRuleRecord) -> str:
    return (
        f"✅ Alert set for <b>{escape(rule.channel_title)}</b>: {_kind(rule.kind)}, "
        f"{escape(rule_summary(rule))}.\n"
        "I'll message you the moment it fires. Manage your alerts with /alerts."
    )


def _age(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _facts(kind: AlertKind, details: Mapping[str, Any], time_zone: str) -> str:
    """What happened, with its numbers."""
    d = details
    match kind:
        case AlertKind.SUBSCRIBER_DROP | AlertKind.SUBSCRIBER_SURGE:
            verb = "Lost" if kind is AlertKind.SUBSCRIBER_DROP else "Gained"
            share = f" ({d['change'] * 100 / d['base']:.1f}%)" if d.get("base") else ""
            return (
                f"{verb} <b>{_figure(d['change'])}</b> subscribers{share} in the last "
                f"{d['hours']} h: {_figure(d['joins'])} joined, {_figure(d['leaves'])} left."
            )
        case AlertKind.MILESTONE:
            crossed = "Reached" if d["up"] else "Fell below"
            return (
                f"{crossed} <b>{_figure(d['milestone'])}</b> subscribers: now "
                f"{_figure(d['subscribers'])}, before {_figure(d['previous'])}."
            )
        case AlertKind.POST_VIEWS:
            return (
                f"A post reached <b>{_figure(d['views'])}</b> views {_age(d['minutes'])} after "
                f"publishing (your threshold: {_figure(d['amount'])} within {d['hours']} h)."
            )
        case AlertKind.POST_UNDERPERFORMS:
            share = d["views"] * 100 / d["median"] if d["median"] else 0
            return (
                f"A post has <b>{_figure(d['views'])}</b> views at {d['hours']} h: {share:.0f}% "
                f"of the channel's median at that age ({_figure(d['median'])})."
            )
        case AlertKind.REACTION_SPIKE:
            return (
                f"A post got <b>{_figure(d['gained'])}</b> reactions in the last hour; a post "
                f"usually gets {_figure(d['usual'])} in its first hour."
            )
        case AlertKind.UNSUBSCRIBE_SPIKE:
            return (
                f"<b>{_figure(d['leaves'])}</b> subscribers left in the last hour; usually "
                f"{_figure(d['baseline'])} an hour."
            )
        case AlertKind.POSTING_GAP:
            last = d.get("last_post_at")
            since = (
                f"the last one was on {_local(datetime.fromtimestamp(last, UTC), time_zone)}"
                if last
                else "none since the alert was set"
            )
            return f"No new post for <b>{d['hours']} h</b>: {since}."


def _link(message: AlertMessage) -> str:
    username = message.rule.channel_username
    if username is None:
        return ""  # a private channel has no public link
    post_id = message.details.get("message_id")
    if post_id:
        return f'\n<a href="https://t.me/{username}/{post_id}">Open the post</a>'
    return f'\n<a href="https://t.me/{username}">Open the channel</a>'


def alert_message(message: AlertMessage) -> str:
    rule = message.rule
    text = (
        f"🔔 <b>{_kind(rule.kind)}</b> in <b>{escape(rule.channel_title)}</b>\n"
        f"{_facts(rule.kind, message.details, message.time_zone)}{_link(message)}"
    )
    if message.is_test:
        return f"🧪 <b>Test alert</b>, with made-up numbers. A real one looks like this:\n\n{text}"
    return text


_FIRING_STATUS = {
    "blocked": "not delivered: the bot was blocked",
    "muted": "muted",
    "paused": "paused",
    "failed": "not delivered",
}


def alert_history(firings: list[AlertFiring], time_zone: str) -> str:
    if not firings:
        return "📜 No alerts have fired yet. Your alerts: /alerts."
    lines = ["📜 <b>Last alerts</b>"]
    for firing in firings:
        if firing.sent_at is not None:
            status = ""
        elif firing.dropped_at is not None:
            status = f" ({_FIRING_STATUS.get(firing.drop_reason or '', 'not delivered')})"
        else:
            status = f" (waiting until {_local(firing.deliver_after, time_zone)})"
        facts = _facts(firing.rule.kind, firing.details, time_zone)
        lines.append(
            f"\n{_local(firing.fired_at, time_zone)} · {_kind(firing.rule.kind)} · "
            f"<b>{escape(firing.rule.channel_title)}</b>{status}\n{facts}"
        )
    return "\n".join(lines)
