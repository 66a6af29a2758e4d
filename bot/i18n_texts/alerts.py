"""/alerts: the kinds, the list and its buttons, the new-alert wizard, fired alerts, the history.

A fired alert is rendered by bot/alert_sender.py outside any update, with the translator of the
rule's owner; everything else is rendered for the user who asked.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n_texts import copies as copies_texts
from bot.i18n_texts import sources as sources_texts
from bot.i18n_texts.common import page_line
from bot.paging import Page
from services.alert_delivery import AlertMessage
from services.alerts import Question, ThresholdField
from services.domain.alerts import AlertFiring, AlertKind, AlertRuleRecord
from services.i18n import Message, PluralMessage, Translator

# kind: (emoji, name, what it watches for, in one line)
KINDS: dict[AlertKind, tuple[str, Message, Message]] = {
    AlertKind.SUBSCRIBER_DROP: (
        "📉",
        Message("alerts-kind-subscriber-drop", "Subscriber drop"),
        Message(
            "alerts-kind-subscriber-drop-explained",
            "the channel loses a share or a number of subscribers within some hours",
        ),
    ),
    AlertKind.SUBSCRIBER_SURGE: (
        "📈",
        Message("alerts-kind-subscriber-surge", "Subscriber surge"),
        Message(
            "alerts-kind-subscriber-surge-explained",
            "the channel gains a share or a number of subscribers within some hours",
        ),
    ),
    AlertKind.MILESTONE: (
        "🏁",
        Message("alerts-kind-milestone", "Milestone"),
        Message(
            "alerts-kind-milestone-explained", "the subscriber count crosses a number, up or down"
        ),
    ),
    AlertKind.POST_VIEWS: (
        "👀",
        Message("alerts-kind-post-views", "Post views"),
        Message(
            "alerts-kind-post-views-explained",
            "a post reaches a number of views within some hours of publishing",
        ),
    ),
    AlertKind.POST_UNDERPERFORMS: (
        "🐢",
        Message("alerts-kind-post-underperforms", "Post underperforms"),
        Message(
            "alerts-kind-post-underperforms-explained",
            "a post has fewer views than usual for its age",
        ),
    ),
    AlertKind.REACTION_SPIKE: (
        "🔥",
        Message("alerts-kind-reaction-spike", "Reaction spike"),
        Message(
            "alerts-kind-reaction-spike-explained",
            "a post gets several times the reactions a post usually gets in its first hour",
        ),
    ),
    AlertKind.UNSUBSCRIBE_SPIKE: (
        "🚪",
        Message("alerts-kind-unsubscribe-spike", "Unsubscribe spike"),
        Message(
            "alerts-kind-unsubscribe-spike-explained",
            "more people leave in an hour than several times the usual hourly number",
        ),
    ),
    AlertKind.POSTING_GAP: (
        "💤",
        Message("alerts-kind-posting-gap", "Posting gap"),
        Message("alerts-kind-posting-gap-explained", "no new post for a number of hours"),
    ),
    AlertKind.SOURCE_BURST: ("🧲", sources_texts.ALERT_KIND, sources_texts.ALERT_KIND_EXPLAINED),
}

# Not in the wizard (KINDS): copy alerts come with /watch.
_COPY_KIND = ("🪞", copies_texts.KIND_NAME, copies_texts.KIND_EXPLAINED)

# Durations, in the accusative a Russian sentence wants ("за 5 минут", "через 2 часа").
HOURS = PluralMessage("alerts-hours", "{n} h", "{n} h")
MINUTES = PluralMessage("alerts-minutes", "{n} min", "{n} min")

# ----------------------------------------------------------------- what a rule fires on
RULE_SUBSCRIBERS = PluralMessage("alerts-rule-subscribers", "{n} subscriber", "{n} subscribers")
RULE_SHARE_OR_SUBSCRIBERS = Message("alerts-rule-share-or-subscribers", "{share} or {subscribers}")
RULE_SUMMARIES = {
    AlertKind.SUBSCRIBER_DROP: Message(
        "alerts-rule-subscriber-drop", "lose {change} within {hours}"
    ),
    AlertKind.SUBSCRIBER_SURGE: Message(
        "alerts-rule-subscriber-surge", "gain {change} within {hours}"
    ),
    AlertKind.MILESTONE: PluralMessage(
        "alerts-rule-milestone", "cross {n} subscriber", "cross {n} subscribers"
    ),
    AlertKind.POST_VIEWS: PluralMessage(
        "alerts-rule-post-views",
        "a post reaches {n} view within {hours}",
        "a post reaches {n} views within {hours}",
    ),
    AlertKind.POST_UNDERPERFORMS: Message(
        "alerts-rule-post-underperforms", "a post has under {share} of the usual views at {hours}"
    ),
    AlertKind.REACTION_SPIKE: Message(
        "alerts-rule-reaction-spike", "a post gets {factor}× the usual reactions in an hour"
    ),
    AlertKind.UNSUBSCRIBE_SPIKE: Message(
        "alerts-rule-unsubscribe-spike", "{factor}× the usual leaves in an hour"
    ),
    AlertKind.POSTING_GAP: Message("alerts-rule-posting-gap", "no post for {hours}"),
    AlertKind.SOURCE_BURST: sources_texts.ALERT_RULE,
    AlertKind.COPY: copies_texts.RULE_SUMMARY,
}

# ----------------------------------------------------------------------------- the list
NO_ALERTS = Message(
    "alerts-list-empty",
    "🔔 <b>Alerts</b>\n\nYou have no alerts yet. Tap <b>Add alert</b> and I'll message you "
    "the moment something happens in your channel: a drop in subscribers, a post taking off, "
    "a milestone, a quiet spell.",
)
LIST_TITLE = Message("alerts-list-title", "🔔 <b>Your alerts</b>")
LIST_CHANNEL = Message("alerts-list-channel", "📢 <b>{channel}</b>")
LIST_RULE = Message("alerts-list-rule", "{number}. {kind}: {summary}")
LIST_RULE_PAUSED = Message("alerts-list-rule-paused", "⏸ paused")
LIST_RULE_MUTED = Message("alerts-list-rule-muted", "🔕 muted until {until}")
LIST_FOOTER = Message(
    "alerts-list-footer", "The buttons act on the alert with that number. Quiet hours: /settings."
)
ADD_ALERT_BUTTON = Message("alerts-add-button", "➕ Add alert")
HISTORY_BUTTON = Message("alerts-history-button", "📜 History")
PAUSE_BUTTON = Message("alerts-pause-button", "⏸ Pause {number}")
RESUME_BUTTON = Message("alerts-resume-button", "▶️ Resume {number}")
DELETE_BUTTON = Message("alerts-delete-button", "🗑 Delete {number}")
TEST_BUTTON = Message("alerts-test-button", "🧪 Test {number}")
RULE_GONE = Message("alerts-rule-gone", "That alert no longer exists. Send /alerts to see yours.")
TEST_SENT = Message("alerts-test-sent", "Test alert sent.")

# ---------------------------------------------------------------------------- the wizard
CHOOSE_KIND = Message("alerts-wizard-choose-kind", "🔔 <b>New alert</b>. What should I watch for?")
KIND_LINE = Message("alerts-wizard-kind-line", "{emoji} <b>{name}</b>: {explained}.")
CHOOSE_CHANNEL = Message("alerts-wizard-choose-channel", "Which channel should I watch?")
CANCEL_BUTTON = Message("alerts-wizard-cancel-button", "✖️ Cancel")
CANCELLED = Message("alerts-wizard-cancelled", "Nothing set.")
CHOOSE_WITH_BUTTONS = Message(
    "alerts-wizard-choose-with-buttons", "Please choose with the buttons above, or tap Cancel."
)
QUESTION = Message(
    "alerts-wizard-question",
    "{kind} · <b>{channel}</b> · step {step} of {steps}\n\n{question}\n"
    "Send {bounds}, or tap the button for the suggested value.",
)
QUESTIONS: dict[tuple[AlertKind, ThresholdField], Message] = {
    (AlertKind.SUBSCRIBER_DROP, ThresholdField.CHANGE): Message(
        "alerts-wizard-subscriber-drop-change",
        "How big a loss? Send a share like <code>5%</code>, a number of subscribers like "
        "<code>100</code>, or both: <code>{both}</code>.",
    ),
    (AlertKind.SUBSCRIBER_DROP, ThresholdField.HOURS): Message(
        "alerts-wizard-subscriber-drop-hours", "Within how many hours?"
    ),
    (AlertKind.SUBSCRIBER_SURGE, ThresholdField.CHANGE): Message(
        "alerts-wizard-subscriber-surge-change",
        "How big a gain? Send a share like <code>10%</code>, a number of subscribers like "
        "<code>100</code>, or both: <code>{both}</code>.",
    ),
    (AlertKind.SUBSCRIBER_SURGE, ThresholdField.HOURS): Message(
        "alerts-wizard-subscriber-surge-hours", "Within how many hours?"
    ),
    (AlertKind.MILESTONE, ThresholdField.AMOUNT): Message(
        "alerts-wizard-milestone-amount",
        "Which subscriber count? I'll tell you when the channel crosses it, up or down.",
    ),
    (AlertKind.POST_VIEWS, ThresholdField.AMOUNT): Message(
        "alerts-wizard-post-views-amount", "How many views?"
    ),
    (AlertKind.POST_VIEWS, ThresholdField.HOURS): Message(
        "alerts-wizard-post-views-hours", "Within how many hours of publishing?"
    ),
    (AlertKind.POST_UNDERPERFORMS, ThresholdField.PERCENT): Message(
        "alerts-wizard-post-underperforms-percent",
        "Below what share of the channel's usual (median) views?",
    ),
    (AlertKind.POST_UNDERPERFORMS, ThresholdField.HOURS): Message(
        "alerts-wizard-post-underperforms-hours",
        "At what age of the post, in hours? I compare its views with your other posts' "
        "views at the same age.",
    ),
    (AlertKind.REACTION_SPIKE, ThresholdField.FACTOR): Message(
        "alerts-wizard-reaction-spike-factor",
        "How many times the reactions a post usually gets in its first hour?",
    ),
    (AlertKind.UNSUBSCRIBE_SPIKE, ThresholdField.FACTOR): Message(
        "alerts-wizard-unsubscribe-spike-factor",
        "How many times the usual number of leaves per hour (the past week's average)?",
    ),
    (AlertKind.POSTING_GAP, ThresholdField.HOURS): Message(
        "alerts-wizard-posting-gap-hours", "After how many hours without a post?"
    ),
    (AlertKind.SOURCE_BURST, ThresholdField.FACTOR): sources_texts.ALERT_QUESTION,
}
# What an answer may be, as the object of "Send …".
BOUNDS = {
    ThresholdField.CHANGE: Message(
        "alerts-wizard-bounds-change", "a share up to 100%, or a whole number from {low} to {high}"
    ),
    ThresholdField.PERCENT: Message(
        "alerts-wizard-bounds-percent", "a percentage from {low} to {high}"
    ),
    ThresholdField.HOURS: Message(
        "alerts-wizard-bounds-hours", "a whole number of hours from {low} to {high}"
    ),
    ThresholdField.FACTOR: Message("alerts-wizard-bounds-factor", "a number from {low} to {high}"),
    ThresholdField.AMOUNT: Message(
        "alerts-wizard-bounds-amount", "a whole number from {low} to {high}"
    ),
}
INVALID_ANSWER = Message(
    "alerts-wizard-invalid-answer",
    "⚠️ That doesn't work here. Send {bounds}, for example <code>{example}</code>.",
)
USE_DEFAULT_BUTTON = Message("alerts-wizard-use-default-button", "✅ Use {default}")
CREATED = Message(
    "alerts-wizard-created",
    "✅ Alert set for <b>{channel}</b>: {kind}, {summary}.\n"
    "I'll message you the moment it fires. Manage your alerts with /alerts.",
)

# ------------------------------------------------------------------------- a fired alert
FIRED = Message("alerts-fired", "🔔 <b>{kind}</b> in <b>{channel}</b>\n{facts}")
FIRED_TEST = Message(
    "alerts-fired-test",
    "🧪 <b>Test alert</b>, with made-up numbers. A real one looks like this:\n\n{alert}",
)
OPEN_POST = Message("alerts-fired-open-post", '<a href="{url}">Open the post</a>')
OPEN_CHANNEL = Message("alerts-fired-open-channel", '<a href="{url}">Open the channel</a>')
VIEW_STATS_BUTTON = Message("alerts-fired-view-stats-button", "📊 View stats")
MUTE_BUTTON = Message("alerts-fired-mute-button", "🔕 Mute 24 h")
MUTED = Message("alerts-fired-muted", "🔕 Muted for 24 hours.")
# What happened, with its numbers; `n` is the number in bold.
LOST = PluralMessage(
    "alerts-fired-subscriber-drop",
    "Lost <b>{n}</b> subscriber{share} in the last {hours}: {joins} joined, {leaves} left.",
    "Lost <b>{n}</b> subscribers{share} in the last {hours}: {joins} joined, {leaves} left.",
)
GAINED = PluralMessage(
    "alerts-fired-subscriber-surge",
    "Gained <b>{n}</b> subscriber{share} in the last {hours}: {joins} joined, {leaves} left.",
    "Gained <b>{n}</b> subscribers{share} in the last {hours}: {joins} joined, {leaves} left.",
)
REACHED = PluralMessage(
    "alerts-fired-milestone-reached",
    "Reached <b>{n}</b> subscriber: now {subscribers}, before {previous}.",
    "Reached <b>{n}</b> subscribers: now {subscribers}, before {previous}.",
)
FELL_BELOW = PluralMessage(
    "alerts-fired-milestone-fell-below",
    "Fell below <b>{n}</b> subscriber: now {subscribers}, before {previous}.",
    "Fell below <b>{n}</b> subscribers: now {subscribers}, before {previous}.",
)
POST_REACHED = PluralMessage(
    "alerts-fired-post-views",
    "A post reached <b>{n}</b> view {age} after publishing "
    "(your threshold: {amount} within {hours}).",
    "A post reached <b>{n}</b> views {age} after publishing "
    "(your threshold: {amount} within {hours}).",
)
POST_UNDERPERFORMS = PluralMessage(
    "alerts-fired-post-underperforms",
    "A post has <b>{n}</b> view at {hours}: {share} of the channel's median at that age "
    "({median}).",
    "A post has <b>{n}</b> views at {hours}: {share} of the channel's median at that age "
    "({median}).",
)
REACTIONS = PluralMessage(
    "alerts-fired-reaction-spike",
    "A post got <b>{n}</b> reaction in the last hour; a post usually gets {usual} in its first "
    "hour.",
    "A post got <b>{n}</b> reactions in the last hour; a post usually gets {usual} in its first "
    "hour.",
)
LEAVES = PluralMessage(
    "alerts-fired-unsubscribe-spike",
    "<b>{n}</b> subscriber left in the last hour; usually {baseline} an hour.",
    "<b>{n}</b> subscribers left in the last hour; usually {baseline} an hour.",
)
NO_POST_SINCE = Message(
    "alerts-fired-posting-gap", "No new post for <b>{hours}</b>: the last one was on {last_post}."
)
NO_POST_AT_ALL = Message(
    "alerts-fired-posting-gap-none", "No new post for <b>{hours}</b>: none since the alert was set."
)

# --------------------------------------------------------------------------- the history
NO_HISTORY = Message("alerts-history-empty", "📜 No alerts have fired yet. Your alerts: /alerts.")
HISTORY_TITLE = Message("alerts-history-title", "📜 <b>Last alerts</b>")
HISTORY_ENTRY = Message("alerts-history-entry", "{fired_at} · {kind} · <b>{channel}</b>\n{facts}")
HISTORY_ENTRY_WITH_STATUS = Message(
    "alerts-history-entry-with-status", "{fired_at} · {kind} · <b>{channel}</b> ({status})\n{facts}"
)
NOT_DELIVERED = Message("alerts-history-not-delivered", "not delivered")
DROP_REASONS = {
    "blocked": Message("alerts-history-blocked", "not delivered: the bot was blocked"),
    "muted": Message("alerts-history-muted", "muted"),
    "paused": Message("alerts-history-paused", "paused"),
    "failed": NOT_DELIVERED,
}
WAITING_UNTIL = Message("alerts-history-waiting", "waiting until {until}")


def kind_name(t: Translator, kind: AlertKind) -> str:
    """📉 Subscriber drop."""
    emoji, name, _ = KINDS.get(kind, _COPY_KIND)
    return f"{emoji} {t(name)}"


def _figure(t: Translator, value: float | None) -> str:
    """1,234 for whole numbers, 2.5 otherwise; ? where the number is unknown."""
    return "?" if value is None else t.number(value)


def _share(t: Translator, percent: float) -> str:
    """5% for a threshold of 5 (percent), 2.5% for 2.5."""
    return t.percent(percent / 100, digits=0 if float(percent).is_integer() else 1)


def _local(t: Translator, moment: datetime, time_zone: str) -> str:
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return t.moment(moment.astimezone(zone))


def _hours(t: Translator, hours: int | None) -> str:
    return "?" if hours is None else t.plural(HOURS, hours)


def _duration(t: Translator, minutes: int) -> str:
    """2 h 5 min, or 5 min under an hour."""
    hours, minutes = divmod(minutes, 60)
    parts = [t.plural(HOURS, hours)] if hours else []
    return " ".join([*parts, t.plural(MINUTES, minutes)])


def rule_summary(t: Translator, rule: AlertRuleRecord) -> str:
    """What the rule fires on, in a few words."""
    limits = rule.thresholds
    summary = RULE_SUMMARIES[rule.kind]
    hours = _hours(t, limits.hours)
    if isinstance(summary, PluralMessage):  # the number is the rule's amount
        return t.plural(summary, limits.amount or 0, hours=hours)
    share = _share(t, limits.percent) if limits.percent is not None else None
    subscribers = t.plural(RULE_SUBSCRIBERS, limits.amount) if limits.amount is not None else None
    if share and subscribers:
        change = t(RULE_SHARE_OR_SUBSCRIBERS, share=share, subscribers=subscribers)
    else:
        change = share or subscribers or "?"
    return t(
        summary,
        change=change,
        share=share or "?",
        hours=hours,
        factor=_figure(t, limits.factor),
    )


def _rule_line(
    t: Translator, number: int, rule: AlertRuleRecord, time_zone: str, now: datetime
) -> str:
    line = t(LIST_RULE, number=number, kind=kind_name(t, rule.kind), summary=rule_summary(t, rule))
    if rule.paused:
        return f"{line} · {t(LIST_RULE_PAUSED)}"
    if rule.muted_until is not None and rule.muted_until > now:
        return f"{line} · {t(LIST_RULE_MUTED, until=_local(t, rule.muted_until, time_zone))}"
    return line


def alerts_list(t: Translator, page: Page[AlertRuleRecord], time_zone: str, now: datetime) -> str:
    if not page.items:
        return t(NO_ALERTS)
    lines = [t(LIST_TITLE)]
    channel_id = None
    for number, rule in page.numbered():
        if rule.channel_id != channel_id:
            channel_id = rule.channel_id
            lines.append("\n" + t(LIST_CHANNEL, channel=escape(rule.channel_title)))
        lines.append(_rule_line(t, number, rule, time_zone, now))
    lines += page_line(t, page)
    lines.append("\n" + t(LIST_FOOTER))
    return "\n".join(lines)


def choose_kind(t: Translator) -> str:
    lines = [
        t(KIND_LINE, emoji=emoji, name=t(name), explained=t(explained))
        for emoji, name, explained in KINDS.values()
    ]
    return "\n\n".join([t(CHOOSE_KIND), "\n".join(lines)])


def _bounds(t: Translator, question: Question) -> str:
    return t(
        BOUNDS[question.field],
        low=_figure(t, question.minimum),
        high=_figure(t, question.maximum),
    )


def _question_text(t: Translator, kind: AlertKind, asked: Question) -> str:
    text = QUESTIONS[kind, asked.field]
    if asked.field is ThresholdField.CHANGE:
        # Both at once, joined as the rule's summary joins them: "5% or 100".
        both = t(RULE_SHARE_OR_SUBSCRIBERS, share=asked.default, subscribers=100)
        return t(text, both=both)
    return t(text)


def question(
    t: Translator, kind: AlertKind, asked: Question, step: int, steps: int, channel_title: str
) -> str:
    return t(
        QUESTION,
        kind=kind_name(t, kind),
        channel=escape(channel_title),
        step=step,
        steps=steps,
        question=_question_text(t, kind, asked),
        bounds=_bounds(t, asked),
    )


def invalid_answer(t: Translator, asked: Question, default: str) -> str:
    return t(INVALID_ANSWER, bounds=_bounds(t, asked), example=escape(default))


def created(t: Translator, rule: AlertRuleRecord) -> str:
    return t(
        CREATED,
        channel=escape(rule.channel_title),
        kind=kind_name(t, rule.kind),
        summary=rule_summary(t, rule),
    )


def _facts(t: Translator, kind: AlertKind, details: Mapping[str, Any], time_zone: str) -> str:
    """What happened, with its numbers."""
    d = details
    match kind:
        case AlertKind.SUBSCRIBER_DROP | AlertKind.SUBSCRIBER_SURGE:
            share = f" ({t.percent(d['change'] / d['base'])})" if d.get("base") else ""
            return t.plural(
                LOST if kind is AlertKind.SUBSCRIBER_DROP else GAINED,
                d["change"],
                share=share,
                hours=_hours(t, d["hours"]),
                joins=_figure(t, d.get("joins")),
                leaves=_figure(t, d.get("leaves")),
            )
        case AlertKind.MILESTONE:
            return t.plural(
                REACHED if d["up"] else FELL_BELOW,
                d["milestone"],
                subscribers=_figure(t, d.get("subscribers")),
                previous=_figure(t, d.get("previous")),
            )
        case AlertKind.POST_VIEWS:
            return t.plural(
                POST_REACHED,
                d["views"],
                age=_duration(t, d["minutes"]),
                amount=_figure(t, d.get("amount")),
                hours=_hours(t, d["hours"]),
            )
        case AlertKind.POST_UNDERPERFORMS:
            share = d["views"] / d["median"] if d["median"] else 0
            return t.plural(
                POST_UNDERPERFORMS,
                d["views"],
                hours=_hours(t, d["hours"]),
                share=t.percent(share, digits=0),
                median=_figure(t, d.get("median")),
            )
        case AlertKind.REACTION_SPIKE:
            return t.plural(REACTIONS, d["gained"], usual=_figure(t, d.get("usual")))
        case AlertKind.UNSUBSCRIBE_SPIKE:
            return t.plural(LEAVES, d["leaves"], baseline=_figure(t, d.get("baseline")))
        case AlertKind.COPY:
            return copies_texts.copy_facts(t, d)
        case AlertKind.POSTING_GAP:
            hours = _hours(t, d["hours"])
            if last := d.get("last_post_at"):
                moment = _local(t, datetime.fromtimestamp(last, UTC), time_zone)
                return t(NO_POST_SINCE, hours=hours, last_post=moment)
            return t(NO_POST_AT_ALL, hours=hours)
        case AlertKind.SOURCE_BURST:
            return sources_texts.alert_facts(t, d)


def _link(t: Translator, message: AlertMessage) -> str | None:
    username = message.rule.channel_username
    if username is None:
        return None  # a private channel has no public link
    if post_id := message.details.get("message_id"):
        return t(OPEN_POST, url=f"https://t.me/{username}/{post_id}")
    return t(OPEN_CHANNEL, url=f"https://t.me/{username}")


def alert_message(t: Translator, message: AlertMessage) -> str:
    """The alert as its rule's owner receives it, in the owner's language."""
    rule = message.rule
    text = t(
        FIRED,
        kind=kind_name(t, rule.kind),
        channel=escape(rule.channel_title),
        facts=_facts(t, rule.kind, message.details, message.time_zone),
    )
    if (link := _link(t, message)) is not None:
        text = f"{text}\n{link}"
    return t(FIRED_TEST, alert=text) if message.is_test else text


def _firing_status(t: Translator, firing: AlertFiring, time_zone: str) -> str | None:
    if firing.sent_at is not None:
        return None
    if firing.dropped_at is not None:
        return t(DROP_REASONS.get(firing.drop_reason or "", NOT_DELIVERED))
    return t(WAITING_UNTIL, until=_local(t, firing.deliver_after, time_zone))


def history(t: Translator, firings: list[AlertFiring], time_zone: str) -> str:
    if not firings:
        return t(NO_HISTORY)
    lines = [t(HISTORY_TITLE)]
    for firing in firings:
        values = {
            "fired_at": _local(t, firing.fired_at, time_zone),
            "kind": kind_name(t, firing.rule.kind),
            "channel": escape(firing.rule.channel_title),
            "facts": _facts(t, firing.rule.kind, firing.details, time_zone),
        }
        status = _firing_status(t, firing, time_zone)
        entry = (
            t(HISTORY_ENTRY, **values)
            if status is None
            else t(HISTORY_ENTRY_WITH_STATUS, status=status, **values)
        )
        lines.append("\n" + entry)
    return "\n".join(lines)
