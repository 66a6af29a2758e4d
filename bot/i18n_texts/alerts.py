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
from services.alerts import QUESTIONS as ASKED
from services.alerts import Question, ThresholdField
from services.domain.alerts import AlertFiring, AlertKind, AlertRuleRecord
from services.i18n import Message, Messages, PluralMessage, Translator

# texts.NAME here, alerts_texts.NAME elsewhere: the message alerts-name, its English in
# services/locales/alerts.pot.
texts = Messages("alerts")
__getattr__ = texts.__getattr__

# kind: (emoji, name, what it watches for, in one line)
KINDS: dict[AlertKind, tuple[str, Message, Message]] = {
    AlertKind.SUBSCRIBER_DROP: (
        "📉",
        Message("alerts-kind-subscriber-drop"),
        Message("alerts-kind-subscriber-drop-explained"),
    ),
    AlertKind.SUBSCRIBER_SURGE: (
        "📈",
        Message("alerts-kind-subscriber-surge"),
        Message("alerts-kind-subscriber-surge-explained"),
    ),
    AlertKind.MILESTONE: (
        "🏁",
        Message("alerts-kind-milestone"),
        Message("alerts-kind-milestone-explained"),
    ),
    AlertKind.POST_VIEWS: (
        "👀",
        Message("alerts-kind-post-views"),
        Message("alerts-kind-post-views-explained"),
    ),
    AlertKind.POST_UNDERPERFORMS: (
        "🐢",
        Message("alerts-kind-post-underperforms"),
        Message("alerts-kind-post-underperforms-explained"),
    ),
    AlertKind.REACTION_SPIKE: (
        "🔥",
        Message("alerts-kind-reaction-spike"),
        Message("alerts-kind-reaction-spike-explained"),
    ),
    AlertKind.UNSUBSCRIBE_SPIKE: (
        "🚪",
        Message("alerts-kind-unsubscribe-spike"),
        Message("alerts-kind-unsubscribe-spike-explained"),
    ),
    AlertKind.POSTING_GAP: (
        "💤",
        Message("alerts-kind-posting-gap"),
        Message("alerts-kind-posting-gap-explained"),
    ),
    AlertKind.SOURCE_BURST: ("🧲", sources_texts.ALERT_KIND, sources_texts.ALERT_KIND_EXPLAINED),
}

# Not in the wizard (KINDS): copy alerts come with /watch.
_COPY_KIND = ("🪞", copies_texts.KIND_NAME, copies_texts.KIND_EXPLAINED)


RULE_SUMMARIES = texts.each(
    "RULE",
    AlertKind,
    elsewhere={
        AlertKind.SOURCE_BURST: sources_texts.ALERT_RULE,
        AlertKind.COPY: copies_texts.RULE_SUMMARY,
    },
)


# The wizard's question for each threshold it asks of a kind (services/alerts.py): the message
# alerts-wizard-<kind>-<field>; a link burst's comes with the sources texts.
QUESTIONS: dict[tuple[AlertKind, ThresholdField], Message] = {
    (kind, question.field): getattr(texts, f"WIZARD_{kind.name}_{question.field.name}")
    for kind, questions in ASKED.items()
    if kind is not AlertKind.SOURCE_BURST
    for question in questions
} | {(AlertKind.SOURCE_BURST, ThresholdField.FACTOR): sources_texts.ALERT_QUESTION}
# What an answer may be, as the object of "Send …".
BOUNDS = texts.each("WIZARD_BOUNDS", ThresholdField)


DROP_REASONS = {
    "blocked": Message("alerts-history-blocked"),
    "muted": Message("alerts-history-muted"),
    "paused": Message("alerts-history-paused"),
    "failed": texts.NOT_DELIVERED,
}


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
    return "?" if hours is None else t.plural(texts.HOURS, hours)


def _duration(t: Translator, minutes: int) -> str:
    """2 h 5 min, or 5 min under an hour."""
    hours, minutes = divmod(minutes, 60)
    parts = [t.plural(texts.HOURS, hours)] if hours else []
    return " ".join([*parts, t.plural(texts.MINUTES, minutes)])


def rule_summary(t: Translator, rule: AlertRuleRecord) -> str:
    """What the rule fires on, in a few words."""
    limits = rule.thresholds
    summary = RULE_SUMMARIES[rule.kind]
    hours = _hours(t, limits.hours)
    if isinstance(summary, PluralMessage):  # the number is the rule's amount
        return t.plural(summary, limits.amount or 0, hours=hours)
    share = _share(t, limits.percent) if limits.percent is not None else None
    subscribers = (
        t.plural(texts.RULE_SUBSCRIBERS, limits.amount) if limits.amount is not None else None
    )
    if share and subscribers:
        change = t(texts.RULE_SHARE_OR_SUBSCRIBERS, share=share, subscribers=subscribers)
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
    line = t(
        texts.LIST_RULE, number=number, kind=kind_name(t, rule.kind), summary=rule_summary(t, rule)
    )
    if rule.paused:
        return f"{line} · {t(texts.LIST_RULE_PAUSED)}"
    if rule.muted_until is not None and rule.muted_until > now:
        return f"{line} · {t(texts.LIST_RULE_MUTED, until=_local(t, rule.muted_until, time_zone))}"
    return line


def alerts_list(t: Translator, page: Page[AlertRuleRecord], time_zone: str, now: datetime) -> str:
    if not page.items:
        return t(texts.NO_ALERTS)
    lines = [t(texts.LIST_TITLE)]
    channel_id = None
    for number, rule in page.numbered():
        if rule.channel_id != channel_id:
            channel_id = rule.channel_id
            lines.append("\n" + t(texts.LIST_CHANNEL, channel=escape(rule.channel_title)))
        lines.append(_rule_line(t, number, rule, time_zone, now))
    lines += page_line(t, page)
    lines.append("\n" + t(texts.LIST_FOOTER))
    return "\n".join(lines)


def choose_kind(t: Translator) -> str:
    lines = [
        t(texts.KIND_LINE, emoji=emoji, name=t(name), explained=t(explained))
        for emoji, name, explained in KINDS.values()
    ]
    return "\n\n".join([t(texts.CHOOSE_KIND), "\n".join(lines)])


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
        both = t(texts.RULE_SHARE_OR_SUBSCRIBERS, share=asked.default, subscribers=100)
        return t(text, both=both)
    return t(text)


def question(
    t: Translator, kind: AlertKind, asked: Question, step: int, steps: int, channel_title: str
) -> str:
    return t(
        texts.QUESTION,
        kind=kind_name(t, kind),
        channel=escape(channel_title),
        step=step,
        steps=steps,
        question=_question_text(t, kind, asked),
        bounds=_bounds(t, asked),
    )


def invalid_answer(t: Translator, asked: Question, default: str) -> str:
    return t(texts.INVALID_ANSWER, bounds=_bounds(t, asked), example=escape(default))


def created(t: Translator, rule: AlertRuleRecord) -> str:
    return t(
        texts.CREATED,
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
                texts.LOST if kind is AlertKind.SUBSCRIBER_DROP else texts.GAINED,
                d["change"],
                share=share,
                hours=_hours(t, d["hours"]),
                joins=_figure(t, d.get("joins")),
                leaves=_figure(t, d.get("leaves")),
            )
        case AlertKind.MILESTONE:
            return t.plural(
                texts.REACHED if d["up"] else texts.FELL_BELOW,
                d["milestone"],
                subscribers=_figure(t, d.get("subscribers")),
                previous=_figure(t, d.get("previous")),
            )
        case AlertKind.POST_VIEWS:
            return t.plural(
                texts.POST_REACHED,
                d["views"],
                age=_duration(t, d["minutes"]),
                amount=_figure(t, d.get("amount")),
                hours=_hours(t, d["hours"]),
            )
        case AlertKind.POST_UNDERPERFORMS:
            share = d["views"] / d["median"] if d["median"] else 0
            return t.plural(
                texts.POST_UNDERPERFORMS,
                d["views"],
                hours=_hours(t, d["hours"]),
                share=t.percent(share, digits=0),
                median=_figure(t, d.get("median")),
            )
        case AlertKind.REACTION_SPIKE:
            return t.plural(texts.REACTIONS, d["gained"], usual=_figure(t, d.get("usual")))
        case AlertKind.UNSUBSCRIBE_SPIKE:
            return t.plural(texts.LEAVES, d["leaves"], baseline=_figure(t, d.get("baseline")))
        case AlertKind.COPY:
            return copies_texts.copy_facts(t, d)
        case AlertKind.POSTING_GAP:
            hours = _hours(t, d["hours"])
            if last := d.get("last_post_at"):
                moment = _local(t, datetime.fromtimestamp(last, UTC), time_zone)
                return t(texts.NO_POST_SINCE, hours=hours, last_post=moment)
            return t(texts.NO_POST_AT_ALL, hours=hours)
        case AlertKind.SOURCE_BURST:
            return sources_texts.alert_facts(t, d)


def _link(t: Translator, message: AlertMessage) -> str | None:
    username = message.rule.channel_username
    if username is None:
        return None  # a private channel has no public link
    if post_id := message.details.get("message_id"):
        return t(texts.OPEN_POST, url=f"https://t.me/{username}/{post_id}")
    return t(texts.OPEN_CHANNEL, url=f"https://t.me/{username}")


def alert_message(t: Translator, message: AlertMessage) -> str:
    """The alert as its rule's owner receives it, in the owner's language."""
    rule = message.rule
    text = t(
        texts.FIRED,
        kind=kind_name(t, rule.kind),
        channel=escape(rule.channel_title),
        facts=_facts(t, rule.kind, message.details, message.time_zone),
    )
    if (link := _link(t, message)) is not None:
        text = f"{text}\n{link}"
    return t(texts.FIRED_TEST, alert=text) if message.is_test else text


def _firing_status(t: Translator, firing: AlertFiring, time_zone: str) -> str | None:
    if firing.sent_at is not None:
        return None
    if firing.dropped_at is not None:
        return t(DROP_REASONS.get(firing.drop_reason or "", texts.NOT_DELIVERED))
    return t(texts.WAITING_UNTIL, until=_local(t, firing.deliver_after, time_zone))


def history(t: Translator, firings: list[AlertFiring], time_zone: str) -> str:
    if not firings:
        return t(texts.NO_HISTORY)
    lines = [t(texts.HISTORY_TITLE)]
    for firing in firings:
        values = {
            "fired_at": _local(t, firing.fired_at, time_zone),
            "kind": kind_name(t, firing.rule.kind),
            "channel": escape(firing.rule.channel_title),
            "facts": _facts(t, firing.rule.kind, firing.details, time_zone),
        }
        status = _firing_status(t, firing, time_zone)
        entry = (
            t(texts.HISTORY_ENTRY, **values)
            if status is None
            else t(texts.HISTORY_ENTRY_WITH_STATUS, status=status, **values)
        )
        lines.append("\n" + entry)
    return "\n".join(lines)
