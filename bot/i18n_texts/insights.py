"""/insights, Score a draft, the weekly digest and its switch in /settings."""

import math
from datetime import datetime
from html import escape

from bot.i18n_texts.stats import _trend, stats_summary
from services.i18n import Messages, Translator
from services.i18n_texts.insights import feature_label
from services.insights.model import Effect, ModelSummary, TooFewPosts
from services.insights.service import (
    MAX_DRAFT_CHARS,
    DraftScore,
    InsightsReport,
    LanguageModelNote,
    SlotForecast,
    WeeklyDigest,
)

# texts.NAME here, insights_texts.NAME elsewhere: the message insights-name, its English in
# services/locales/insights.pot.
texts = Messages("insights")
__getattr__ = texts.__getattr__


NOTES = texts.each("NOTE", LanguageModelNote)


_SHOWN_EFFECTS = 6
_EXCERPT = 80
_ANALYSIS_CHARS = 1200
_IDEA_CHARS = 250


def _times(t: Translator, value: float) -> str:
    return t.number(value, digits=2 if value < 1 else 1)


def _views(t: Translator, value: float) -> str:
    return t.number(round(value))


def _error(t: Translator, log_error: float) -> str:
    """A mean absolute error of log views as the typical factor off, in percent."""
    return t.percent(math.exp(log_error) - 1, digits=0)


def _slot(t: Translator, starts: datetime) -> str:
    return f"{t.weekday(starts.weekday())} {t.moment(starts)}"


def _excerpt(text: str, limit: int = _EXCERPT) -> str:
    line = " ".join(text.split())
    return escape(line if len(line) <= limit else line[: limit - 1].rstrip() + "…")


def effect_line(t: Translator, effect: Effect) -> str:
    return t(
        texts.EFFECT,
        feature=feature_label(t, effect.feature).capitalize(),
        multiplier=_times(t, effect.multiplier),
        low=_times(t, effect.low),
        high=_times(t, effect.high),
        with_it=t.number(effect.posts_with),
        without=t.number(effect.posts_without),
    )


def too_few_posts(t: Translator, channel: str, error: TooFewPosts) -> str:
    return t.plural(
        texts.TOO_FEW_POSTS,
        error.needed,
        channel=escape(channel),
        have=error.have,
        needed=t.number(error.needed),
    )


def training(t: Translator, channel: str, posts: int) -> str:
    return t.plural(texts.TRAINING, posts, channel=escape(channel))


def _slot_line(t: Translator, slot: SlotForecast) -> str:
    return t(
        texts.SLOT,
        slot=_slot(t, slot.starts),
        views=_views(t, slot.views),
        low=_views(t, slot.low),
        high=_views(t, slot.high),
    )


def _drivers(t: Translator, summary: ModelSummary) -> list[str]:
    effects = summary.effects[:_SHOWN_EFFECTS]
    return [effect_line(t, effect) for effect in effects] or [t(texts.NO_EFFECTS)]


def insights_message(t: Translator, report: InsightsReport) -> str:
    summary = report.summary
    week = report.week
    lines = [
        t(texts.TITLE, channel=escape(report.channel.display_name)),
        t.plural(
            texts.ACCURACY,
            summary.holdout_posts,
            posts=t.number(summary.posts),
            model=_error(t, summary.model_error),
            baseline=_error(t, summary.baseline_error),
        ),
        "",
        t(texts.DRIVERS),
        *_drivers(t, summary),
        "",
        t(texts.SLOTS),
        *(_slot_line(t, slot) for slot in report.best_slots),
        "",
        t(texts.WEEK),
        t(
            texts.WEEK_POSTS,
            posts=t.number(week.current.posts),
            trend=_trend(t, week.current.posts, week.previous.posts),
        ),
        t(
            texts.WEEK_VIEWS,
            views="—"
            if week.current.median_views_24h is None
            else _views(t, week.current.median_views_24h),
            trend=_trend(t, week.current.median_views_24h, week.previous.median_views_24h),
        ),
        "",
    ]
    if report.analysis is not None:
        analysis = report.analysis
        lines += [
            t(texts.ANALYSIS),
            escape(analysis.analysis[:_ANALYSIS_CHARS]),
            "",
            t(texts.IDEAS),
        ]
        lines += [
            t(texts.IDEA, n=n, idea=escape(idea[:_IDEA_CHARS]))
            for n, idea in enumerate(analysis.ideas, 1)
        ]
        return "\n".join(lines)
    if report.note is not None:
        lines += [t(NOTES[report.note]), ""]
    lines.append(t(texts.OWN_IDEAS))
    lines += [
        t(texts.OWN_BEST_POST, excerpt=_excerpt(post.text))
        for post in report.best_posts
        if post.text.strip()
    ]
    for effect in summary.effects[:3]:
        own = texts.OWN_MORE_OF if effect.multiplier > 1 else texts.OWN_LESS_OF
        lines.append(
            t(
                own,
                feature=feature_label(t, effect.feature),
                multiplier=_times(t, effect.multiplier),
            )
        )
    return "\n".join(lines)


def score_message(t: Translator, score: DraftScore) -> str:
    lines = [
        t(texts.SCORE_TITLE, score=score.score, channel=escape(score.channel.display_name)),
        t(
            texts.SCORE_VIEWS,
            views=_views(t, score.views),
            low=_views(t, score.low),
            high=_views(t, score.high),
            slot=_slot(t, score.best_slot.starts),
        ),
        t(texts.SCORE_RANK, score=score.score),
        "",
    ]
    ups = [effect for effect in score.lifts if effect.multiplier > 1]
    downs = [effect for effect in score.lifts if effect.multiplier < 1]
    for title, effects in ((texts.SCORE_UP, ups), (texts.SCORE_DOWN, downs)):
        if effects:
            lines.append(t(title))
            lines += [
                t(
                    texts.SCORE_LIFT,
                    feature=feature_label(t, effect.feature).capitalize(),
                    multiplier=_times(t, effect.multiplier),
                )
                for effect in effects
            ]
    if not score.lifts:
        lines.append(t(texts.SCORE_NO_EFFECTS))
    return "\n".join(lines)


def draft_too_long(t: Translator, length: int) -> str:
    return t(texts.DRAFT_TOO_LONG, length=t.number(length), limit=t.number(MAX_DRAFT_CHARS))


def digest_line(t: Translator, enabled: bool) -> str:
    return t(texts.DIGEST_LINE_ON if enabled else texts.DIGEST_LINE_OFF)


def digest_message(t: Translator, digest: WeeklyDigest) -> str:
    lines = [t(texts.DIGEST_TITLE), "", stats_summary(t, digest.week), ""]
    if digest.effects:
        lines.append(t(texts.DIGEST_DRIVERS))
        lines += [effect_line(t, effect) for effect in digest.effects[:3]]
    else:
        lines.append(t(texts.DIGEST_NO_MODEL))
    return "\n".join(lines)
