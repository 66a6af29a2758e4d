"""/insights, Score a draft, the weekly digest and its switch in /settings."""

import math
from datetime import datetime
from html import escape

from bot.i18n_texts.stats import _trend, stats_summary
from services.i18n import Message, PluralMessage, Translator
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

INSIGHTS_BUTTON = Message("insights-button", "💡 Insights")
SCORE_BUTTON = Message("insights-score-button", "✍️ Score a draft")
SCORE_ANOTHER_BUTTON = Message("insights-score-another-button", "✍️ Score another draft")
DIGEST_ON_BUTTON = Message("insights-digest-on-button", "📬 Weekly digest: on")
DIGEST_OFF_BUTTON = Message("insights-digest-off-button", "📬 Weekly digest: off")
DIGEST_LINE_ON = Message(
    "insights-digest-line-on", "📬 Weekly digest: <b>on</b> (Mondays at 9:00 your time)"
)
DIGEST_LINE_OFF = Message("insights-digest-line-off", "📬 Weekly digest: <b>off</b>")
DIGEST_SWITCHED_ON = Message(
    "insights-digest-switched-on",
    "✅ The weekly digest is on: every Monday at 9:00 your time, last week's numbers, the top "
    "post and the insights of each channel. See /settings.",
)
DIGEST_SWITCHED_OFF = Message(
    "insights-digest-switched-off", "✅ The weekly digest is off. See /settings."
)

TRAINING = PluralMessage(
    "insights-training",
    "⏳ Learning what drives views in {channel} from its {n} post…",
    "⏳ Learning what drives views in {channel} from its {n} posts…",
)
TOO_FEW_POSTS = PluralMessage(
    "insights-too-few-posts",
    "📉 {channel} has {have} posts with views so far; insights need {needed} more post with "
    "views (a post's views count once it is a day old).",
    "📉 {channel} has {have} posts with views so far; insights need {needed} more posts with "
    "views (a post's views count once it is a day old).",
)
TITLE = Message("insights-title", "💡 <b>Insights: {channel}</b>")
ACCURACY = PluralMessage(
    "insights-accuracy",
    "Learnt from {posts} posts. On the latest {n} post, held out, predictions were off by "
    "{model} on average; the channel's median for the hour of day was off by {baseline}.",
    "Learnt from {posts} posts. On the latest {n} posts, held out, predictions were off by "
    "{model} on average; the channel's median for the hour of day was off by {baseline}.",
)
DRIVERS = Message("insights-drivers", "<b>What drives views</b>")
EFFECT = Message(
    "insights-effect",
    "• {feature}: ×{multiplier} views (×{low}–{high}), {with_it} posts against {without}",
)
NO_EFFECTS = Message(
    "insights-no-effects",
    "• Nothing stands out from the noise yet, so nothing is claimed: more posts will tell.",
)
SLOTS = Message("insights-slots", "<b>Best times in the next 7 days</b> (a typical post)")
SLOT = Message("insights-slot", "• {slot}: ≈{views} views at 24 h ({low}–{high})")
WEEK = Message("insights-week", "<b>The last 7 days against the 7 before</b>")
WEEK_POSTS = Message("insights-week-posts", "• Posts: {posts}{trend}")
WEEK_VIEWS = Message("insights-week-views", "• Median views at 24 h: {views}{trend}")
ANALYSIS = Message(
    "insights-analysis", "<b>Analysis</b> (written by a language model from these figures)"
)
IDEAS = Message("insights-ideas", "<b>Ideas for the next posts</b>")
IDEA = Message("insights-idea", "{n}. {idea}")
OWN_IDEAS = Message(
    "insights-own-ideas",
    "<b>Ideas from your own best posts</b> (worked out from this channel's history, no "
    "language model)",
)
OWN_BEST_POST = Message("insights-own-best-post", "• Like your post «{excerpt}»")
OWN_MORE_OF = Message("insights-own-more-of", "• More {feature} (×{multiplier})")
OWN_LESS_OF = Message("insights-own-less-of", "• Fewer {feature} (×{multiplier})")
NOTES = {
    LanguageModelNote.FAILED: Message(
        "insights-note-failed",
        "ℹ️ The language model did not answer in time or properly, so these are the offline "
        "insights.",
    ),
    LanguageModelNote.NO_ALLOWANCE: Message(
        "insights-note-no-allowance",
        "ℹ️ This month's insights allowance is used up, so no language model was asked: these "
        "are the offline insights. /plan",
    ),
}

ASK_DRAFT = Message(
    "insights-ask-draft",
    "✍️ Send or forward the draft to score for {channel}: a text, or a photo with its caption.",
)
DRAFT_EMPTY = Message(
    "insights-draft-empty",
    "⚠️ There is no text to score. Send the draft's text, or a photo with its caption.",
)
DRAFT_STICKER = Message(
    "insights-draft-sticker",
    "⚠️ A sticker can't be scored: channel posts are texts and captions. Send the draft's text, "
    "or a photo with its caption.",
)
DRAFT_UNSUPPORTED = Message(
    "insights-draft-unsupported",
    "⚠️ I can score a text, or a photo, video or file with a caption. Send the draft that way.",
)
DRAFT_TOO_LONG = Message(
    "insights-draft-too-long",
    "⚠️ That draft has {length} characters; a Telegram post holds at most {limit}. Shorten it "
    "and send it again.",
)
SCORE_TITLE = Message("insights-score-title", "✍️ <b>Draft score: {score}/100</b> for {channel}")
SCORE_VIEWS = Message(
    "insights-score-views",
    "Expected views at 24 h: ≈{views} ({low}–{high}), published {slot}, the best time in the "
    "next 7 days.",
)
SCORE_RANK = Message("insights-score-rank", "Better than {score} in 100 of this channel's posts.")
SCORE_UP = Message("insights-score-up", "<b>Pushes it up</b>")
SCORE_DOWN = Message("insights-score-down", "<b>Holds it back</b>")
SCORE_NO_EFFECTS = Message(
    "insights-score-no-effects", "No effect backed by this channel's posts applies to this draft."
)
SCORE_LIFT = Message("insights-score-lift", "• {feature}: ×{multiplier}")

DIGEST_TITLE = Message("insights-digest-title", "📬 <b>Weekly digest</b>")
DIGEST_DRIVERS = Message("insights-digest-drivers", "<b>What drives views</b> (see /insights)")
DIGEST_NO_MODEL = Message(
    "insights-digest-no-model", "Send /insights to learn what drives views in this channel."
)

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
        EFFECT,
        feature=feature_label(t, effect.feature).capitalize(),
        multiplier=_times(t, effect.multiplier),
        low=_times(t, effect.low),
        high=_times(t, effect.high),
        with_it=t.number(effect.posts_with),
        without=t.number(effect.posts_without),
    )


def too_few_posts(t: Translator, channel: str, error: TooFewPosts) -> str:
    return t.plural(
        TOO_FEW_POSTS,
        error.needed,
        channel=escape(channel),
        have=error.have,
        needed=t.number(error.needed),
    )


def training(t: Translator, channel: str, posts: int) -> str:
    return t.plural(TRAINING, posts, channel=escape(channel))


def _slot_line(t: Translator, slot: SlotForecast) -> str:
    return t(
        SLOT,
        slot=_slot(t, slot.starts),
        views=_views(t, slot.views),
        low=_views(t, slot.low),
        high=_views(t, slot.high),
    )


def _drivers(t: Translator, summary: ModelSummary) -> list[str]:
    effects = summary.effects[:_SHOWN_EFFECTS]
    return [effect_line(t, effect) for effect in effects] or [t(NO_EFFECTS)]


def insights_message(t: Translator, report: InsightsReport) -> str:
    summary = report.summary
    week = report.week
    lines = [
        t(TITLE, channel=escape(report.channel.display_name)),
        t.plural(
            ACCURACY,
            summary.holdout_posts,
            posts=t.number(summary.posts),
            model=_error(t, summary.model_error),
            baseline=_error(t, summary.baseline_error),
        ),
        "",
        t(DRIVERS),
        *_drivers(t, summary),
        "",
        t(SLOTS),
        *(_slot_line(t, slot) for slot in report.best_slots),
        "",
        t(WEEK),
        t(
            WEEK_POSTS,
            posts=t.number(week.current.posts),
            trend=_trend(t, week.current.posts, week.previous.posts),
        ),
        t(
            WEEK_VIEWS,
            views="—"
            if week.current.median_views_24h is None
            else _views(t, week.current.median_views_24h),
            trend=_trend(t, week.current.median_views_24h, week.previous.median_views_24h),
        ),
        "",
    ]
    if report.analysis is not None:
        analysis = report.analysis
        lines += [t(ANALYSIS), escape(analysis.analysis[:_ANALYSIS_CHARS]), "", t(IDEAS)]
        lines += [
            t(IDEA, n=n, idea=escape(idea[:_IDEA_CHARS]))
            for n, idea in enumerate(analysis.ideas, 1)
        ]
        return "\n".join(lines)
    if report.note is not None:
        lines += [t(NOTES[report.note]), ""]
    lines.append(t(OWN_IDEAS))
    lines += [
        t(OWN_BEST_POST, excerpt=_excerpt(post.text))
        for post in report.best_posts
        if post.text.strip()
    ]
    for effect in summary.effects[:3]:
        own = OWN_MORE_OF if effect.multiplier > 1 else OWN_LESS_OF
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
        t(SCORE_TITLE, score=score.score, channel=escape(score.channel.display_name)),
        t(
            SCORE_VIEWS,
            views=_views(t, score.views),
            low=_views(t, score.low),
            high=_views(t, score.high),
            slot=_slot(t, score.best_slot.starts),
        ),
        t(SCORE_RANK, score=score.score),
        "",
    ]
    ups = [effect for effect in score.lifts if effect.multiplier > 1]
    downs = [effect for effect in score.lifts if effect.multiplier < 1]
    for title, effects in ((SCORE_UP, ups), (SCORE_DOWN, downs)):
        if effects:
            lines.append(t(title))
            lines += [
                t(
                    SCORE_LIFT,
                    feature=feature_label(t, effect.feature).capitalize(),
                    multiplier=_times(t, effect.multiplier),
                )
                for effect in effects
            ]
    if not score.lifts:
        lines.append(t(SCORE_NO_EFFECTS))
    return "\n".join(lines)


def draft_too_long(t: Translator, length: int) -> str:
    return t(DRAFT_TOO_LONG, length=t.number(length), limit=t.number(MAX_DRAFT_CHARS))


def digest_line(t: Translator, enabled: bool) -> str:
    return t(DIGEST_LINE_ON if enabled else DIGEST_LINE_OFF)


def digest_message(t: Translator, digest: WeeklyDigest) -> str:
    lines = [t(DIGEST_TITLE), "", stats_summary(t, digest.week), ""]
    if digest.effects:
        lines.append(t(DIGEST_DRIVERS))
        lines += [effect_line(t, effect) for effect in digest.effects[:3]]
    else:
        lines.append(t(DIGEST_NO_MODEL))
    return "\n".join(lines)
