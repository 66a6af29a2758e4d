"""Alert rules: what each kind asks for, managing a user's rules, and evaluating all of them."""

import logging
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from db.alerts.evaluation import AlertEvaluationRepository
from db.alerts.outbox import AlertOutboxRepository
from db.alerts.rules import AlertRulesRepository
from services.alert_delivery import AlertDeliveryService, AlertMessage
from services.channels import ChannelService
from services.clock import Clock
from services.domain.alerts import AlertFiring, AlertKind, AlertRuleRecord, AlertThresholds
from services.entitlements import EntitlementsService
from services.errors import not_found_as
from services.ingestion import IngestedChannels
from services.plans import Allowance

log = logging.getLogger(__name__)

MUTE_FOR = timedelta(hours=24)
HISTORY_LENGTH = 10


class ThresholdField(StrEnum):
    CHANGE = "change"  # a loss or a gain: "5%", "100", or both ("5% or 100")
    AMOUNT = "amount"
    PERCENT = "percent"
    HOURS = "hours"
    FACTOR = "factor"


@dataclass(frozen=True)
class Question:
    """One threshold the wizard asks for, with its bounds and the answer a tap on Default gives."""

    field: ThresholdField
    minimum: float
    maximum: float
    default: str | None  # None: worked out from the channel (the next milestone)


def _subscriber_change(default: str) -> tuple[Question, ...]:
    """A loss or gain (its bounds are those of the subscriber count), within some hours."""
    return (
        Question(ThresholdField.CHANGE, 1, 10_000_000, default),
        Question(ThresholdField.HOURS, 1, 168, "24"),
    )


# What each kind asks, in order.
QUESTIONS: Mapping[AlertKind, tuple[Question, ...]] = {
    AlertKind.SUBSCRIBER_DROP: _subscriber_change("5%"),
    AlertKind.SUBSCRIBER_SURGE: _subscriber_change("10%"),
    AlertKind.MILESTONE: (Question(ThresholdField.AMOUNT, 1, 1_000_000_000, None),),
    AlertKind.POST_VIEWS: (
        Question(ThresholdField.AMOUNT, 1, 1_000_000_000, "1000"),
        Question(ThresholdField.HOURS, 1, 168, "24"),
    ),
    AlertKind.POST_UNDERPERFORMS: (
        Question(ThresholdField.PERCENT, 1, 99, "50"),
        Question(ThresholdField.HOURS, 1, 72, "24"),
    ),
    AlertKind.REACTION_SPIKE: (Question(ThresholdField.FACTOR, 1.5, 100, "3"),),
    AlertKind.UNSUBSCRIBE_SPIKE: (Question(ThresholdField.FACTOR, 1.5, 100, "3"),),
    AlertKind.POSTING_GAP: (Question(ThresholdField.HOURS, 1, 720, "48"),),
    AlertKind.SOURCE_BURST: (Question(ThresholdField.FACTOR, 1.5, 100, "5"),),
    # Nothing to ask: /watch sets copy alerts up, and the wizard does not offer them.
    AlertKind.COPY: (),
}

# Which kinds an ingested batch can set off, by what it wrote.
_KINDS_AFTER_SUBSCRIBER_EVENTS = (
    AlertKind.SUBSCRIBER_DROP,
    AlertKind.SUBSCRIBER_SURGE,
    AlertKind.MILESTONE,
    AlertKind.UNSUBSCRIBE_SPIKE,
    AlertKind.SOURCE_BURST,
)
_KINDS_AFTER_REACTIONS = (AlertKind.REACTION_SPIKE,)
_KINDS_AFTER_VIEWS = (AlertKind.POST_VIEWS, AlertKind.POST_UNDERPERFORMS)

# ASCII digits, few of them: a threshold of 400 nines is no threshold (and float infinity).
# The words after them are what people type in English and in Russian (the wizard speaks both).
_DAY_UNITS = r"d|days?|д|дн|дня|дней|день"
_HOURS = re.compile(rf"^([0-9]{{1,6}})\s*(h|hours?|ч|час|часа|часов|{_DAY_UNITS})?$", re.ASCII)
_EITHER = re.compile(r"\s+(?:or|and|или|и)\s+|[\s;/]+")
_TIMES = re.compile(r"\s*(x|×|times|х|раза?)$")  # the Russian х is Cyrillic
_DECIMAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?", re.ASCII)


class InvalidAnswer(ValueError):
    """The text does not answer the question within its bounds."""

    def __init__(self, question: Question, text: str) -> None:
        super().__init__(f"{question.field.value}: {text!r}")
        self.question = question


class RuleNotFound(Exception):
    """No such rule among the user's (deleted, or someone else's)."""


def _number(text: str) -> float | None:
    """1000, 1,000, 1 000, 1.5k, 2m, 2.5 or 2,5 as a number; None if it is none of these."""
    text = text.strip().lower().replace("_", "").replace(" ", "")
    multiplier = 1
    if text.endswith(("k", "m")):
        multiplier = 1000 if text[-1] == "k" else 1_000_000
        text = text[:-1]
    if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", text):
        text = text.replace(",", "")
    text = text.replace(",", ".")
    if not _DECIMAL.fullmatch(text):
        return None
    return float(text) * multiplier


def _whole(value: float | None, question: Question) -> int | None:
    if value is None or value != int(value) or not question.minimum <= value <= question.maximum:
        return None
    return int(value)


def _within(value: float | None, minimum: float, maximum: float) -> float | None:
    return value if value is not None and minimum <= value <= maximum else None


def _change(question: Question, text: str) -> dict[str, int | float]:
    text = re.sub(r"\s+%", "%", text.strip().lower())
    parts = [p for p in _EITHER.split(text) if p]
    answer: dict[str, int | float] = {}
    for part in parts:
        if part.endswith("%"):
            percent = _within(_number(part.rstrip("%")), 0.1, 100)
            if percent is None or "percent" in answer:
                raise InvalidAnswer(question, text)
            answer["percent"] = percent
        else:
            amount = _whole(_number(part), question)
            if amount is None or "amount" in answer:
                raise InvalidAnswer(question, text)
            answer["amount"] = amount
    if not answer:
        raise InvalidAnswer(question, text)
    return answer


def parse_answer(question: Question, text: str) -> dict[str, int | float]:
    """The threshold columns an answer sets; raises InvalidAnswer with the question."""
    cleaned = text.strip().lower()
    match question.field:
        case ThresholdField.CHANGE:
            return _change(question, text)
        case ThresholdField.AMOUNT:
            value: int | float | None = _whole(_number(cleaned), question)
        case ThresholdField.PERCENT:
            value = _within(_number(cleaned.rstrip("% ")), question.minimum, question.maximum)
        case ThresholdField.FACTOR:
            factor = _TIMES.sub("", cleaned)
            value = _within(_number(factor), question.minimum, question.maximum)
        case ThresholdField.HOURS:
            match_hours = _HOURS.match(cleaned)
            value = None
            if match_hours is not None:
                days = re.fullmatch(_DAY_UNITS, match_hours.group(2) or "") is not None
                value = _whole(int(match_hours.group(1)) * (24 if days else 1), question)
    if value is None:
        raise InvalidAnswer(question, text)
    return {question.field.value: value}


class UnexpectedThreshold(ValueError):
    """A threshold the rule's kind does not use."""

    def __init__(self, kind: AlertKind, name: str) -> None:
        super().__init__(f"{kind.value} rules have no {name}")
        self.kind = kind
        self.name = name


def checked_thresholds(kind: AlertKind, given: AlertThresholds) -> AlertThresholds:
    """Thresholds given as numbers (the API's), held to the wizard's questions and bounds.

    Each value goes through the parser of the wizard's answers, so both doors accept the
    same rules; raises InvalidAnswer for a missing or out-of-bounds value and
    UnexpectedThreshold for one the kind does not use.
    """
    values = {name: value for name, value in vars(given).items() if value is not None}
    answers: dict[str, int | float] = {}
    for question in QUESTIONS[kind]:
        if question.field is ThresholdField.CHANGE:
            parts = [f"{values.pop('percent')}%"] if "percent" in values else []
            parts += [str(values.pop("amount"))] if "amount" in values else []
            answers |= parse_answer(question, " or ".join(parts))
        elif question.field.value in values:
            answers |= parse_answer(question, str(values.pop(question.field.value)))
        else:
            raise InvalidAnswer(question, "")
    for name in values:
        raise UnexpectedThreshold(kind, name)
    return thresholds_from(answers)


def thresholds_from(answers: Mapping[str, int | float]) -> AlertThresholds:
    """The rule's threshold columns from the wizard's collected answers."""
    return AlertThresholds(
        amount=int(answers["amount"]) if "amount" in answers else None,
        percent=float(answers["percent"]) if "percent" in answers else None,
        hours=int(answers["hours"]) if "hours" in answers else None,
        factor=float(answers["factor"]) if "factor" in answers else None,
    )


def next_milestone(subscribers: int | None) -> int:
    """The next round number above a count: 1,480 -> 2,000; 9,870 -> 10,000."""
    if not subscribers or subscribers < 100:
        return 100 if subscribers else 1000
    step = 10 ** (len(str(subscribers)) - 1)
    return (subscribers // step + 1) * step


def sample_details(rule: AlertRuleRecord, now: datetime) -> dict[str, Any]:
    """Made-up numbers that would set the rule off, for its Test button."""
    limits = rule.thresholds
    base = 1000
    change = max(limits.amount or 0, math.ceil(base * (limits.percent or 0) / 100))
    factor = limits.factor or 3
    samples: dict[AlertKind, dict[str, Any]] = {
        AlertKind.SUBSCRIBER_DROP: {"change": change, "joins": 2, "leaves": change + 2},
        AlertKind.SUBSCRIBER_SURGE: {"change": change, "joins": change + 2, "leaves": 2},
        AlertKind.MILESTONE: {"subscribers": limits.amount, "previous": (limits.amount or 1) - 1},
        AlertKind.POST_VIEWS: {"views": limits.amount, "minutes": (limits.hours or 1) * 30},
        AlertKind.POST_UNDERPERFORMS: {"views": int(base * (limits.percent or 50) / 100) - 1},
        AlertKind.REACTION_SPIKE: {"gained": math.ceil(factor * 10) + 1, "usual": 10},
        AlertKind.UNSUBSCRIBE_SPIKE: {"leaves": math.ceil(factor * 2) + 1, "baseline": 2},
        AlertKind.POSTING_GAP: {
            "last_post_at": int((now - timedelta(hours=limits.hours or 1)).timestamp())
        },
        AlertKind.SOURCE_BURST: {
            "reason": "burst",
            "link": "Spring promo",
            "joins": math.ceil(factor * 4) + 1,
            "usual": 4,
        },
        AlertKind.COPY: {
            "watched_username": "example",
            "watched_message_id": 1,
            "delay_minutes": 95,
            "similarity": 0.94,
            "match": "text",
        },
    }
    common = {
        "base": base,
        "median": base,
        "hours": limits.hours,
        "amount": limits.amount,
        "percent": limits.percent,
        "factor": limits.factor,
        "milestone": limits.amount,
        "up": True,
        "message_id": None,
    }
    return common | samples[rule.kind]


@dataclass(frozen=True)
class AlertService:
    """A user's rules, and the evaluation of everyone's: every minute, and after ingestion."""

    rules: AlertRulesRepository
    evaluation: AlertEvaluationRepository
    firings: AlertOutboxRepository
    channels: ChannelService
    entitlements: EntitlementsService
    delivery: AlertDeliveryService
    clock: Clock

    async def ensure_room_for_rule(self, *, user_id: int) -> None:
        """Raises LimitReached when the user's plan allows no further rule."""
        await self.entitlements.ensure_room(user_id=user_id, allowance=Allowance.ALERT_RULES)

    async def create_rule(
        self, *, user_id: int, channel_id: int, kind: AlertKind, thresholds: AlertThresholds
    ) -> AlertRuleRecord:
        """A new rule on a channel the user administers (asks Telegram); within the plan."""
        await self.channels.require_admin(user_id=user_id, channel_id=channel_id)
        await self.ensure_room_for_rule(user_id=user_id)
        return await self.rules.create_rule(
            owner_id=user_id,
            channel_id=channel_id,
            kind=kind,
            thresholds=thresholds,
            created_at=self.clock.now(),
        )

    async def default_answer(self, *, kind: AlertKind, question: Question, channel_id: int) -> str:
        if question.default is not None:
            return question.default
        subscribers = await self.rules.latest_subscribers(channel_id=channel_id)
        return str(next_milestone(subscribers))

    async def list_rules(self, *, user_id: int) -> list[AlertRuleRecord]:
        return await self.rules.list_rules(owner_id=user_id)

    async def get_rule(self, *, user_id: int, rule_id: int) -> AlertRuleRecord:
        with not_found_as(RuleNotFound(rule_id)):
            return await self.rules.get_rule(rule_id=rule_id, owner_id=user_id)

    async def set_paused(self, *, user_id: int, rule_id: int, paused: bool) -> AlertRuleRecord:
        with not_found_as(RuleNotFound(rule_id)):
            return await self.rules.update_rule(rule_id=rule_id, owner_id=user_id, paused=paused)

    async def mute(self, *, user_id: int, rule_id: int) -> AlertRuleRecord:
        """Silence the rule for a day; what it would announce meanwhile is not kept."""
        until = self.clock.now() + MUTE_FOR
        with not_found_as(RuleNotFound(rule_id)):
            return await self.rules.update_rule(
                rule_id=rule_id, owner_id=user_id, muted_until=until
            )

    async def delete(self, *, user_id: int, rule_id: int) -> None:
        with not_found_as(RuleNotFound(rule_id)):
            await self.rules.delete_rule(rule_id=rule_id, owner_id=user_id)

    async def send_test(self, *, user_id: int, rule_id: int, time_zone: str, locale: str) -> None:
        """Send the rule's alert with made-up numbers, the way a real one arrives."""
        rule = await self.get_rule(user_id=user_id, rule_id=rule_id)
        now = self.clock.now()
        message = AlertMessage(
            rule=rule,
            details=sample_details(rule, now),
            fired_at=now,
            time_zone=time_zone,
            locale=locale,
            is_test=True,
        )
        await self.delivery.send_test(message)

    async def history(self, *, user_id: int) -> list[AlertFiring]:
        return await self.firings.history(owner_id=user_id, limit=HISTORY_LENGTH)

    async def evaluate(
        self,
        *,
        kinds: Collection[AlertKind] = tuple(AlertKind),
        channel_ids: Collection[int] | None = None,
    ) -> int:
        """Store a firing for each active rule whose condition holds now, and have it delivered.

        One set-based statement per kind covers every rule (of the channels given, or all).
        """
        fired = await self.evaluation.evaluate(
            now=self.clock.now(),
            kinds=list(kinds),
            channel_ids=list(channel_ids) if channel_ids is not None else None,
        )
        if fired:
            log.info("%d alert(s) fired", fired)
            self.delivery.wake()
        return fired

    async def on_ingested(self, batch: IngestedChannels) -> None:
        """Check at once the rules a batch of channel events can set off, for those channels."""
        if batch.subscriber_events:
            await self.evaluate(
                kinds=_KINDS_AFTER_SUBSCRIBER_EVENTS, channel_ids=batch.subscriber_events
            )
        if batch.reactions:
            await self.evaluate(kinds=_KINDS_AFTER_REACTIONS, channel_ids=batch.reactions)

    async def on_views_collected(self, *, channel_ids: Collection[int]) -> None:
        """Check at once the view rules of channels whose post views were just collected."""
        if channel_ids:
            await self.evaluate(kinds=_KINDS_AFTER_VIEWS, channel_ids=channel_ids)
