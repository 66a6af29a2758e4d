"""Every text the bot sends, in one place (HTML parse mode), ready for translation."""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time
from html import escape
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.alerts import AlertFiring, AlertKind, AlertRuleRecord
from db.channels import ChannelRecord, ChannelSummary
from db.preferences import PreferencesRecord
from services.alert_delivery import AlertMessage
from services.alerts import Question, ThresholdField
from services.entitlements import LimitReached, PlanStatus
from services.plans import Plan

START = (
    "👋 <b>AnalyticBot</b> keeps the numbers of your Telegram channel: posts, views, "
    "reactions, subscribers joining and leaving, and how your channel grows.\n\n"
    "<b>How to start</b>\n"
    "1. Tap <b>Add to my channel</b> below and pick your channel. Telegram asks you to make "
    "me an admin: I only need to read, I never post.\n"
    "2. I'll message you here as soon as the channel is connected.\n\n"
    "Already made me an admin? Send <code>/add @yourchannel</code>.\n"
    "See everything I can do with /help."
)
ADD_TO_CHANNEL_BUTTON = "➕ Add to my channel"
MY_CHANNELS_BUTTON = "📋 My channels"

HELP = (
    "<b>Commands</b>\n"
    "/channels: your tracked channels\n"
    "/add @channel: track a channel where I am already an admin\n"
    "/remove @channel: stop tracking a channel\n"
    "/plan: your plan, its limits and this period's usage\n"
    "/alerts: messages the moment something happens in your channel\n"
    "/alerts history: the last alerts\n"
    "/settings: your time zone and quiet hours\n"
    "/help: this message\n\n"
    "I record what happens in each channel from the moment I become its admin. "
    "Only the channel's admins can see its numbers: I check that with Telegram."
)

SORRY = (
    "😔 Sorry, something went wrong on our side. Please try again. Reference: <code>{ref}</code>"
)
SLOW_DOWN = "⏳ Too many requests at once. Please wait a moment."
UNKNOWN_COMMAND = "🤔 I don't know the command {command}. Send /help to see what I can do."
FREE_TEXT = (
    "I work with commands. Send /channels to see your channels, or /help for everything I can do."
)

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


def channel_list(summaries: list[ChannelSummary], now: datetime) -> str:
    lines = ["<b>Your channels</b>"]
    for summary in summaries:
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
    return "\n".join(lines)


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
        f"⏸ I'm no longer an admin of <b>{escape(title)}</b>, so I stopped tracking it. "
        "Everything recorded so far is kept."
    )


COMMANDS = {
    "start": "What this bot does",
    "channels": "Your tracked channels",
    "add": "Track a channel: /add @channel",
    "remove": "Stop tracking a channel",
    "plan": "Your plan and usage",
    "alerts": "Alerts: drops, surges, milestones and more",
    "settings": "Time zone and quiet hours",
    "help": "All commands",
}

STALE_BUTTON = "This button no longer works. Send the command again."

ALLOWANCE_NAMES = {
    "channels": "channels tracked",
    "history_days": "days of history",
    "exports_per_day": "CSV exports a day",
    "alert_rules": "alert rules",
    "share_link_hours": "hours a share link can live",
    "watermarks_per_day": "watermarks a day",
    "insights_per_month": "AI insights a month",
}
UPGRADE_BUTTON = "⭐ Upgrade"


def limit_reached(error: LimitReached) -> str:
    name = ALLOWANCE_NAMES[error.allowance.value]
    return f"🔒 Your {error.plan.name} plan allows {error.allowed:,} {name}. Upgrade to get more."


def _limit(allowed: int | None) -> str:
    return "unlimited" if allowed is None else f"{allowed:,}"


def plan_status(status: PlanStatus) -> str:
    lines = [f"<b>Your plan: {status.plan.name}</b>"]
    if status.expires_at is not None:
        lines.append(f"Renews or ends on {status.expires_at:%Y-%m-%d}")
    lines.append("")
    for line in status.usage:
        name = ALLOWANCE_NAMES[line.allowance.value]
        if line.used is None:
            lines.append(f"• {name}: {_limit(line.allowed)}")
        else:
            lines.append(f"• {name}: {line.used:,} of {_limit(line.allowed)}")
    return "\n".join(lines)


def plans_overview(plans: Iterable[Plan]) -> str:
    blocks = ["<b>Plans</b>"]
    for plan in plans:
        price = "free" if not plan.is_paid else f"${plan.price_usd_cents / 100:.0f} a month"
        limits = "\n".join(
            f"• {ALLOWANCE_NAMES[allowance.value]}: {_limit(allowed)}"
            for allowance, allowed in plan.limits.items()
        )
        blocks.append(f"\n<b>{plan.name}</b> ({price})\n{limits}")
    return "\n".join(blocks)


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


def _number(value: float | None) -> str:
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
            f"{_number(limits.percent)}%" if limits.percent is not None else "",
            f"{_number(limits.amount)} subscribers" if limits.amount is not None else "",
        )
        if part
    )
    return _RULE_SUMMARIES[rule.kind].format(
        change=change,
        amount=_number(limits.amount),
        percent=_number(limits.percent),
        hours=limits.hours,
        factor=_number(limits.factor),
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


def alerts_list(rules: list[AlertRuleRecord], time_zone: str, now: datetime) -> str:
    if not rules:
        return ALERTS_NONE
    lines = ["🔔 <b>Your alerts</b>"]
    channel_id = None
    for number, rule in enumerate(rules, 1):
        if rule.channel_id != channel_id:
            channel_id = rule.channel_id
            lines.append(f"\n📢 <b>{escape(rule.channel_title)}</b>")
        lines.append(_rule_line(number, rule, time_zone, now))
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
        low=_number(question.minimum), high=_number(question.maximum)
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
                f"{verb} <b>{_number(d['change'])}</b> subscribers{share} in the last "
                f"{d['hours']} h: {_number(d['joins'])} joined, {_number(d['leaves'])} left."
            )
        case AlertKind.MILESTONE:
            crossed = "Reached" if d["up"] else "Fell below"
            return (
                f"{crossed} <b>{_number(d['milestone'])}</b> subscribers: now "
                f"{_number(d['subscribers'])}, before {_number(d['previous'])}."
            )
        case AlertKind.POST_VIEWS:
            return (
                f"A post reached <b>{_number(d['views'])}</b> views {_age(d['minutes'])} after "
                f"publishing (your threshold: {_number(d['amount'])} within {d['hours']} h)."
            )
        case AlertKind.POST_UNDERPERFORMS:
            share = d["views"] * 100 / d["median"] if d["median"] else 0
            return (
                f"A post has <b>{_number(d['views'])}</b> views at {d['hours']} h: {share:.0f}% "
                f"of the channel's median at that age ({_number(d['median'])})."
            )
        case AlertKind.REACTION_SPIKE:
            return (
                f"A post got <b>{_number(d['gained'])}</b> reactions in the last hour; a post "
                f"usually gets {_number(d['usual'])} in its first hour."
            )
        case AlertKind.UNSUBSCRIBE_SPIKE:
            return (
                f"<b>{_number(d['leaves'])}</b> subscribers left in the last hour; usually "
                f"{_number(d['baseline'])} an hour."
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


# --------------------------------------------------------------------------- settings


def preferences(record: PreferencesRecord, now: datetime) -> str:
    quiet = (
        f"{record.quiet_hours[0]:%H:%M}–{record.quiet_hours[1]:%H:%M}"
        if record.quiet_hours
        else "off"
    )
    return (
        "⚙️ <b>Settings</b>\n\n"
        f"🌍 Time zone: <b>{escape(record.time_zone)}</b> (it is {_local(now, record.time_zone)} "
        "there)\n"
        f"🌙 Quiet hours: <b>{quiet}</b>\n\n"
        "Alerts that fire during quiet hours wait and arrive when they end."
    )


TIME_ZONE_BUTTON = "🌍 Time zone"
QUIET_HOURS_BUTTON = "🌙 Quiet hours"
ASK_TIME_ZONE = (
    "Send your time zone, like <code>Europe/Berlin</code> or <code>America/New_York</code>. "
    "A city alone works too: <code>Berlin</code>."
)
BAD_TIME_ZONE = (
    "⚠️ I don't know that time zone. Send a name like <code>Europe/Berlin</code>, "
    "<code>Asia/Tokyo</code> or <code>UTC</code>."
)
ASK_QUIET_HOURS = (
    "Send your quiet hours like <code>22:00-07:00</code>, or <code>off</code> to have none."
)
BAD_QUIET_HOURS = (
    "⚠️ Send two different times of day like <code>22:00-07:00</code>, or <code>off</code>."
)


def time_zone_set(name: str) -> str:
    return f"✅ Time zone set to <b>{escape(name)}</b>. See /settings."


def quiet_hours_set(quiet_hours: tuple[time, time] | None) -> str:
    if quiet_hours is None:
        return "✅ Quiet hours are off: alerts arrive at any time. See /settings."
    starts, ends = quiet_hours
    return (
        f"✅ Quiet hours set to <b>{starts:%H:%M}–{ends:%H:%M}</b>: alerts that fire then "
        "arrive when they end. See /settings."
    )
