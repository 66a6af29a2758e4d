"""Insights: what drives a channel's views, a draft's score, ideas, and the weekly digest.

The channel's own history is the data, so all of it works with no language model; one, when
configured, adds a written analysis and five ideas from the computed figures.
"""

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from db.insights import InsightsRepository
from services.analytics import AnalyticsService, ChannelReport, Period
from services.channels import ChannelService
from services.clock import Clock
from services.domain.channels import ChannelRecord
from services.domain.insights import DigestRecipient, StoredInsightModel, TrainingSize
from services.entitlements import EntitlementsService, LimitReached
from services.i18n import ENGLISH
from services.i18n_texts.insights import feature_label
from services.insights.features import PostFacts
from services.insights.language_model import Analysis, LanguageModel, LanguageModelFailed
from services.insights.model import (
    MIN_POSTS,
    Effect,
    ModelSummary,
    StoredModelOutdated,
    TooFewPosts,
    TrainedModel,
    effect_features,
    load_model,
    percentile_of,
    train,
    upcoming_slots,
)
from services.outgoing import MessageRejected, OutgoingQueue, QueueClosed, RecipientBlocked
from services.plans import Allowance

log = logging.getLogger(__name__)

# Retrain once this many posts (or a tenth more) or views counts (a quarter more) are new.
_NEW_POSTS = 10
_NEW_OBSERVATIONS = 50
BEST_SLOTS = 3
EXCERPT_CHARS = 300
# Telegram's limits: a message's text, a media caption.
MAX_DRAFT_CHARS = 4096

OnTraining = Callable[[int], Awaitable[None]]


class LanguageModelNote(StrEnum):
    """Why a configured language model added nothing this time."""

    FAILED = "failed"
    NO_ALLOWANCE = "no_allowance"


@dataclass(frozen=True)
class SlotForecast:
    starts: datetime  # in the owner's time zone
    views: float
    low: float
    high: float


@dataclass(frozen=True)
class ExamplePost:
    message_id: int
    text: str  # its start


@dataclass(frozen=True)
class InsightsReport:
    channel: ChannelRecord
    summary: ModelSummary
    best_slots: list[SlotForecast]
    week: ChannelReport  # the last seven days against the seven before
    best_posts: list[ExamplePost]
    analysis: Analysis | None
    note: LanguageModelNote | None  # why a configured language model added nothing


@dataclass(frozen=True)
class StoredInsights:
    """What the channel's stored model says, read without training or counting a run."""

    summary: ModelSummary | None  # None: no model trained yet
    trained_at: datetime | None
    best_slots: list[SlotForecast]
    posts_needed: int  # more posts with views before a model can be trained (0: enough)


@dataclass(frozen=True)
class DraftScore:
    channel: ChannelRecord
    views: float  # at 24 hours, published in the best slot
    low: float
    high: float
    score: int  # 0–100: the percentile among the channel's own posts
    best_slot: SlotForecast
    lifts: list[Effect]  # the backed effects the draft has, up or down
    summary: ModelSummary


@dataclass(frozen=True)
class WeeklyDigest:
    user_id: int
    channel: ChannelRecord
    week: ChannelReport
    effects: list[Effect]  # backed, from the channel's stored model; empty without one


class DigestSender(Protocol):
    async def send_digest(self, digest: WeeklyDigest) -> None: ...


class DraftTooLong(ValueError):
    pass


def retrain_due(trained: TrainingSize, now: TrainingSize) -> bool:
    new_posts = now.posts - trained.posts
    new_observations = now.observations - trained.observations
    return new_posts >= min(_NEW_POSTS, max(1, trained.posts // 10)) or (
        new_observations >= max(_NEW_OBSERVATIONS, trained.observations // 4)
    )


@dataclass(frozen=True)
class InsightsService:
    repository: InsightsRepository
    analytics: AnalyticsService
    channels: ChannelService
    entitlements: EntitlementsService
    outgoing: OutgoingQueue
    digest_sender: DigestSender
    clock: Clock
    _: KW_ONLY
    language_model: LanguageModel | None

    async def report(
        self,
        *,
        user_id: int,
        channel: ChannelRecord,
        time_zone: str,
        language: str,
        on_training: OnTraining | None = None,
    ) -> InsightsReport:
        """Counts one insights run; raises LimitReached, or TooFewPosts (a run that gives no
        insights is given back).

        The caller has checked that the user administers the channel.
        """
        await self.entitlements.consume(user_id=user_id, allowance=Allowance.INSIGHTS_PER_MONTH)
        try:
            return await self._report(user_id, channel, time_zone, language, on_training)
        except Exception:
            await self.entitlements.refund(user_id=user_id, allowance=Allowance.INSIGHTS_PER_MONTH)
            raise

    async def _report(
        self,
        user_id: int,
        channel: ChannelRecord,
        time_zone: str,
        language: str,
        on_training: OnTraining | None,
    ) -> InsightsReport:
        model = await self._model(channel, time_zone, on_training)
        summary = model.summary
        slots = self._best_slots(model, PostFacts(self.clock.now(), "", summary.usual_media))
        week = await self.analytics.report(
            user_id=user_id,
            channel=channel,
            period=Period.last_days(7, today=self.analytics.today(time_zone)),
            time_zone=time_zone,
        )
        best = await self._examples(channel, summary.best_posts)
        analysis, note = None, None
        if self.language_model is not None:
            worst = await self._examples(channel, summary.worst_posts)
            analysis, note = await self._analyse(
                user_id, channel, summary, slots, best, worst, language
            )
        return InsightsReport(
            channel=channel,
            summary=summary,
            best_slots=slots[:BEST_SLOTS],
            week=week,
            best_posts=best[:3],
            analysis=analysis,
            note=note,
        )

    async def stored(self, *, channel: ChannelRecord) -> StoredInsights:
        """The last trained model's claims and best slots, as stored; never trains and does
        not count against the insights allowance. The caller has checked the admin."""
        now = self.clock.now()
        stored = await self.repository.stored_model(channel_id=channel.id)
        if stored is None:
            size = await self.repository.training_size(channel_id=channel.id, now=now)
            return StoredInsights(None, None, [], max(0, MIN_POSTS - size.posts))
        model = load_model(stored.model, stored.summary)
        slots = self._best_slots(model, PostFacts(now, "", model.summary.usual_media))
        return StoredInsights(model.summary, stored.trained_at, slots[:BEST_SLOTS], 0)

    async def score(
        self,
        *,
        channel: ChannelRecord,
        time_zone: str,
        text: str,
        media_kind: str | None,
        on_training: OnTraining | None = None,
    ) -> DraftScore:
        """The draft's views at 24 h in its best slot of the next seven days, and its score.

        Raises TooFewPosts, DraftTooLong.
        """
        if len(text) > MAX_DRAFT_CHARS:
            raise DraftTooLong(len(text))
        model = await self._model(channel, time_zone, on_training)
        draft = PostFacts(self.clock.now(), text, media_kind)
        best = self._best_slots(model, draft)[0]
        facts = PostFacts(best.starts, text, media_kind)
        has = effect_features(facts)
        return DraftScore(
            channel=channel,
            views=best.views,
            low=best.low,
            high=best.high,
            score=percentile_of(best.views, model.summary.views_percentiles),
            best_slot=best,
            lifts=[effect for effect in model.summary.effects if effect.feature in has],
            summary=model.summary,
        )

    async def digest_enabled(self, *, user_id: int) -> bool:
        return await self.repository.digest_enabled(user_id=user_id)

    async def set_digest(self, *, user_id: int, enabled: bool) -> None:
        await self.repository.set_digest(user_id=user_id, enabled=enabled)

    async def send_due_digests(self) -> int:
        """Each owner whose Monday 9:00 has come gets last week's digest of each channel, through
        the outgoing queue; returns how many were sent."""
        sent = 0
        due = await self.repository.claim_due_digests(now=self.clock.now())
        for number, recipient in enumerate(due):
            try:
                sent += await self._send_digests(recipient)
            except RecipientBlocked:
                log.info("digest: user %s blocked the bot", recipient.user_id)
            except MessageRejected as error:
                log.warning("digest: Telegram refused user %s's: %s", recipient.user_id, error)
            except QueueClosed:
                # Shutting down: this one and those after it are due again, for the next look.
                for left in due[number:]:
                    await self.repository.unclaim_digest(
                        user_id=left.user_id, week_start=left.week_start
                    )
                raise
        return sent

    async def _send_digests(self, recipient: DigestRecipient) -> int:
        """Last week's digest of each of the owner's tracked channels; how many went."""
        week = Period(
            first_day=recipient.week_start - timedelta(days=7),
            last_day=recipient.week_start - timedelta(days=1),
        )
        sent = 0
        # A week is long: Telegram is asked again whether the owner still administers each.
        for channel in await self.channels.administered_channels(user_id=recipient.user_id):
            report = await self.analytics.report(
                user_id=recipient.user_id,
                channel=channel,
                period=week,
                time_zone=recipient.time_zone,
            )
            stored = await self.repository.stored_model(channel_id=channel.id)
            effects = ModelSummary.from_json(stored.summary).effects if stored else []
            digest = WeeklyDigest(recipient.user_id, channel, report, effects)
            await self.outgoing.send(
                recipient.user_id, lambda digest=digest: self.digest_sender.send_digest(digest)
            )
            sent += 1
        return sent

    async def close(self) -> None:
        if self.language_model is not None:
            await self.language_model.close()

    async def _model(
        self, channel: ChannelRecord, time_zone: str, on_training: OnTraining | None
    ) -> TrainedModel:
        """The stored model, or a new one when enough is new (or the owner's zone changed)."""
        now = self.clock.now()
        size = await self.repository.training_size(channel_id=channel.id, now=now)
        stored = await self.repository.stored_model(channel_id=channel.id)
        if (
            stored is not None
            and stored.summary.get("time_zone") == time_zone
            and not retrain_due(stored.size, size)
        ):
            try:
                return load_model(stored.model, stored.summary)
            except StoredModelOutdated as error:
                log.info("stored model of channel %s is trained anew: %s", channel.id, error)
        if size.posts < MIN_POSTS:
            raise TooFewPosts(size.posts)
        if on_training is not None:
            await on_training(size.posts)
        histories = await self.repository.histories(channel_id=channel.id, now=now)
        # Fitting is CPU work: in a thread, so the bot keeps answering meanwhile.
        model = await asyncio.get_running_loop().run_in_executor(None, train, histories, time_zone)
        await self.repository.store_model(
            model=StoredInsightModel(
                channel_id=channel.id,
                trained_at=now,
                size=size,
                model=model.predictor_bytes(),
                summary=model.summary.as_json(),
            )
        )
        return model

    def _best_slots(self, model: TrainedModel, post: PostFacts) -> list[SlotForecast]:
        """The post in each slot of the next seven days, best first, with the model's range."""
        summary = model.summary
        slots = upcoming_slots(post.local_time, summary.time_zone)
        views = model.predict([PostFacts(slot, post.text, post.media_kind) for slot in slots])
        low, high = _range_factors(summary)
        forecasts = [
            SlotForecast(starts=slot, views=float(v), low=float(v) * low, high=float(v) * high)
            for slot, v in zip(slots, views, strict=True)
        ]
        return sorted(forecasts, key=lambda forecast: forecast.views, reverse=True)

    async def _examples(self, channel: ChannelRecord, message_ids: list[int]) -> list[ExamplePost]:
        texts = await self.repository.texts(channel_id=channel.id, message_ids=message_ids)
        return [
            ExamplePost(message_id, texts[message_id][:EXCERPT_CHARS])
            for message_id in message_ids
            if message_id in texts
        ]

    async def _analyse(
        self,
        user_id: int,
        channel: ChannelRecord,
        summary: ModelSummary,
        slots: list[SlotForecast],
        best: list[ExamplePost],
        worst: list[ExamplePost],
        language: str,
    ) -> tuple[Analysis | None, LanguageModelNote | None]:
        """Each call counts against the insights allowance; a failed one is given back."""
        assert self.language_model is not None
        try:
            await self.entitlements.consume(user_id=user_id, allowance=Allowance.INSIGHTS_PER_MONTH)
        except LimitReached:
            return None, LanguageModelNote.NO_ALLOWANCE
        try:
            analysis = await self.language_model.analyse(
                figures(channel, summary, slots, best, worst), language=language
            )
        except LanguageModelFailed:
            await self.entitlements.refund(user_id=user_id, allowance=Allowance.INSIGHTS_PER_MONTH)
            return None, LanguageModelNote.FAILED
        return analysis, None


def _range_factors(summary: ModelSummary) -> tuple[float, float]:
    return math.exp(summary.residual_low), math.exp(summary.residual_high)


def figures(
    channel: ChannelRecord,
    summary: ModelSummary,
    slots: list[SlotForecast],
    best: list[ExamplePost],
    worst: list[ExamplePost],
) -> dict:
    """What the language model is told: the computed figures and the posts' texts, no more."""
    return {
        "channel": channel.title,
        "posts_analysed": summary.posts,
        "median_views_at_24h": round(summary.median_views),
        "model_error_vs_baseline": round(summary.model_error / summary.baseline_error, 2)
        if summary.baseline_error
        else None,
        "effects": [
            {
                "feature": feature_label(ENGLISH, effect.feature),
                "views_multiplier": round(effect.multiplier, 2),
                "interval_95": [round(effect.low, 2), round(effect.high, 2)],
                "posts_with": effect.posts_with,
                "posts_without": effect.posts_without,
            }
            for effect in summary.effects
        ],
        "best_slots": [
            {"starts": slot.starts.strftime("%A %H:%M"), "expected_views": round(slot.views)}
            for slot in slots[:BEST_SLOTS]
        ],
        "best_posts": [post.text for post in best],
        "worst_posts": [post.text for post in worst],
    }
