"""A channel's views model: trained on its own posts, evaluated on its latest ones.

Two fits share the posts. The predictor (scikit-learn's Ridge on log views, structured features
and hashed n-grams) scores drafts and is judged, on the most recent posts held out in time,
against the naive baseline: the channel's median views for the hour of day. The evidence fit
(least squares on the structured features and the channel's frequent words) gives each claim its
size and standard error; scikit-learn gives none, so it is solved here from the Gram matrix,
which also lets every "this slot against the others" fit reuse one matrix product.
"""

import math
import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import sklearn
from sklearn.linear_model import Ridge

from services.domain.insights import PostViewsHistory
from services.insights.curve import fit_curve, views_at_24h
from services.insights.features import (
    PostFacts,
    flags_of,
    hour_block,
    media_of,
    model_matrix,
    structured_matrix,
    structured_names,
    words_of,
)

MIN_POSTS = 40  # fewer posts with views get no model
HOLDOUT_SHARE = 0.2  # the latest fifth of the posts judges the model
MIN_CLAIM_POSTS = 20  # a claim needs this many posts on each side
# How many standard errors an effect must stand from none; words are many, so they need more.
Z_FEATURE = 3.0
Z_WORD = 3.5
MIN_EFFECT = 0.10  # ×0.9 to ×1.1 is not worth saying
MAX_WORDS = 150
_RIDGE_ALPHA = 1.0
_EVIDENCE_RIDGE = 1e-3  # keeps the evidence fit solvable when two columns coincide
_Z_95 = 1.96
# The stored predictor's layout: bump it when the features or the pickled object change. A model
# stored by another format or scikit-learn version is retrained rather than unpickled.
MODEL_FORMAT = 1


@dataclass(frozen=True)
class Effect:
    """A backed claim: posts with `feature` get `multiplier` times the views of those without."""

    feature: str  # "media:photo", "hours:6", "weekday:4", "long_text", "word:giveaway", ...
    multiplier: float
    low: float  # the 95 % interval
    high: float
    posts_with: int
    posts_without: int


@dataclass(frozen=True)
class ModelSummary:
    """The figures of a trained model, stored as JSON next to it."""

    posts: int
    holdout_posts: int
    model_error: float  # mean absolute error of log views on the held-out posts
    baseline_error: float  # the same for the median by hour of day
    residual_low: float  # 10th and 90th percentiles of held-out log errors: a prediction's range
    residual_high: float
    median_views: float
    views_percentiles: list[float]  # views at 24 h at percentiles 0..100
    effects: list[Effect]
    curve: list[float | None]
    best_posts: list[int]  # message ids, most viewed first
    worst_posts: list[int]
    usual_media: str | None
    time_zone: str  # the owner's, whose hours and weekdays the slots are
    # What made the stored predictor; models stored before these were kept have None.
    model_format: int | None = None
    sklearn_version: str | None = None

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ModelSummary":
        return cls(**{**data, "effects": [Effect(**effect) for effect in data["effects"]]})


@dataclass(frozen=True)
class TrainedModel:
    predictor: Ridge
    summary: ModelSummary

    def predictor_bytes(self) -> bytes:
        return pickle.dumps(self.predictor, protocol=pickle.HIGHEST_PROTOCOL)

    def predict(self, posts: Sequence[PostFacts]) -> np.ndarray:
        """Views at 24 hours."""
        return np.expm1(np.maximum(self.predictor.predict(model_matrix(posts)), 0))


class TooFewPosts(Exception):
    def __init__(self, have: int) -> None:
        super().__init__(f"{have} posts with views, {MIN_POSTS} needed")
        self.have = have
        self.needed = MIN_POSTS - have


class StoredModelOutdated(Exception):
    """The stored model was made by another format or scikit-learn, or does not load: train anew."""


def load_model(predictor: bytes, summary: dict) -> TrainedModel:
    """A stored model, as train() made it (the bytes are the bot's own, from its database);
    raises StoredModelOutdated when this version of the bot cannot use it."""
    made_by = (summary.get("model_format"), summary.get("sklearn_version"))
    if made_by != (MODEL_FORMAT, sklearn.__version__):
        raise StoredModelOutdated(f"made by format and scikit-learn {made_by}")
    try:
        return TrainedModel(
            predictor=pickle.loads(predictor), summary=ModelSummary.from_json(summary)
        )
    except Exception as error:  # unpickling can fail in any way a changed class makes it
        raise StoredModelOutdated(f"does not load: {error!r}") from error


def train(posts: Sequence[PostViewsHistory], time_zone: str) -> TrainedModel:
    """Fit, judge and summarise; raises TooFewPosts. Blocking: run it in a thread."""
    curve = fit_curve(posts)
    zone = ZoneInfo(time_zone)
    usable = []
    for post in sorted(posts, key=lambda post: post.posted_at):
        views = views_at_24h(post, curve)
        if views is not None:
            facts = PostFacts(post.posted_at.astimezone(zone), post.text, post.media_kind)
            usable.append((post, facts, views))
    if len(usable) < MIN_POSTS:
        raise TooFewPosts(len(usable))
    facts = [item[1] for item in usable]
    views = np.array([item[2] for item in usable])
    log_views = np.log1p(views)
    structured = structured_matrix(facts)
    features = model_matrix(facts, structured)

    split = len(usable) - max(10, int(len(usable) * HOLDOUT_SHARE))
    judged = _ridge().fit(features[:split], log_views[:split])
    errors = judged.predict(features[split:]) - log_views[split:]
    hours = np.array([post.local_time.hour for post in facts])
    baseline = _median_by_hour(hours[:split], log_views[:split], hours[split:])
    predictor = _ridge().fit(features, log_views)

    by_views = sorted(range(len(usable)), key=lambda i: views[i], reverse=True)
    media = Counter(media_of(post.media_kind) for post in facts)
    summary = ModelSummary(
        posts=len(usable),
        holdout_posts=len(usable) - split,
        model_error=float(np.mean(np.abs(errors))),
        baseline_error=float(np.mean(np.abs(baseline - log_views[split:]))),
        residual_low=float(np.percentile(-errors, 10)),
        residual_high=float(np.percentile(-errors, 90)),
        median_views=float(np.median(views)),
        views_percentiles=[float(v) for v in np.percentile(views, range(101))],
        effects=evidence(facts, log_views, structured),
        curve=list(curve.share),
        best_posts=[usable[i][0].message_id for i in by_views[:5]],
        worst_posts=[usable[i][0].message_id for i in by_views[-5:][::-1]],
        usual_media=media.most_common(1)[0][0],
        time_zone=time_zone,
        model_format=MODEL_FORMAT,
        sklearn_version=sklearn.__version__,
    )
    return TrainedModel(predictor=predictor, summary=summary)


def _ridge() -> Ridge:
    return Ridge(alpha=_RIDGE_ALPHA, solver="lsqr", tol=1e-2)


def _median_by_hour(hours: np.ndarray, log_views: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    overall = float(np.median(log_views))
    medians = {hour: float(np.median(log_views[hours == hour])) for hour in set(hours.tolist())}
    return np.array([medians.get(hour, overall) for hour in wanted.tolist()])


def evidence(
    posts: Sequence[PostFacts], log_views: np.ndarray, structured: np.ndarray
) -> list[Effect]:
    """The effects the posts back: each with its size, interval and the posts on each side.

    Media kinds, flags and words come from one fit with the slots held constant; a slot (hours,
    weekday) is compared with all the others, each in a fit of its own on the same Gram matrix.
    """
    names = structured_names()
    found = [words_of(post.text) for post in posts]
    counts = Counter(word for words in found for word in words)
    most = len(posts) // 2
    words = [w for w, n in counts.most_common() if MIN_CLAIM_POSTS <= n <= most][:MAX_WORDS]
    column_of = {word: column for column, word in enumerate(words)}
    word_matrix = np.zeros((len(posts), len(words)))
    for row, post_words in enumerate(found):
        for word in post_words & column_of.keys():
            word_matrix[row, column_of[word]] = 1
    # Columns: intercept, structured (hours, weekdays, media, flags), words.
    design = np.hstack([np.ones((len(posts), 1)), structured, word_matrix])
    columns = ["intercept", *names, *(f"word:{w}" for w in words)]
    gram = design.T @ design
    moment = design.T @ log_views
    totals = design.sum(axis=0)
    hours = [i for i, name in enumerate(columns) if name.startswith("hours:")]
    weekdays = [i for i, name in enumerate(columns) if name.startswith("weekday:")]
    rest = [i for i in range(len(columns)) if i not in hours and i not in weekdays]

    def backed(index: int, fit: dict[int, tuple[float, float]], z: float) -> Effect | None:
        with_it = int(totals[index])
        without = len(posts) - with_it
        if min(with_it, without) < MIN_CLAIM_POSTS:
            return None
        coefficient, error = fit[index]
        if error <= 0 or abs(coefficient) < z * error:
            return None
        if abs(math.exp(coefficient) - 1) < MIN_EFFECT:
            return None
        return Effect(
            feature=columns[index],
            multiplier=math.exp(coefficient),
            low=math.exp(coefficient - _Z_95 * error),
            high=math.exp(coefficient + _Z_95 * error),
            posts_with=with_it,
            posts_without=without,
        )

    effects: list[Effect] = []
    # Slots held constant by leaving out the most common hours and weekday of each.
    main = rest + _all_but_most_common(hours, totals) + _all_but_most_common(weekdays, totals)
    fit = _least_squares(gram, moment, log_views, main)
    for index in rest[1:]:
        z = Z_WORD if columns[index].startswith("word:") else Z_FEATURE
        if (effect := backed(index, fit, z)) is not None:
            effects.append(effect)
    for group, others in ((hours, weekdays), (weekdays, hours)):
        held = [*rest, *_all_but_most_common(others, totals)]
        effects += _slot_effects(
            group, held, lambda columns: _least_squares(gram, moment, log_views, columns), backed
        )
    return sorted(effects, key=lambda e: abs(math.log(e.multiplier)), reverse=True)


def _slot_effects(
    group: list[int],
    held: list[int],
    fit: Callable[[list[int]], dict[int, tuple[float, float]]],
    backed: Callable[[int, dict[int, tuple[float, float]], float], Effect | None],
) -> list[Effect]:
    """Slots against the others, strongest first: a slot once found is held in the fit, so the
    slots after it are measured against ordinary ones, not against an average it lifts."""
    found: list[Effect] = []
    chosen: list[int] = []
    while True:
        candidates = []
        for index in group:
            if index in chosen:
                continue
            effect = backed(index, fit([*held, *chosen, index]), Z_FEATURE)
            if effect is not None:
                candidates.append((abs(math.log(effect.multiplier)), index, effect))
        if not candidates:
            return found
        _, index, effect = max(candidates)
        chosen.append(index)
        found.append(effect)


def _all_but_most_common(group: list[int], totals: np.ndarray) -> list[int]:
    present = [i for i in group if totals[i] > 0]
    if not present:
        return []
    most = max(present, key=lambda i: totals[i])
    return [i for i in present if i != most]


def _least_squares(
    gram: np.ndarray, moment: np.ndarray, y: np.ndarray, columns: list[int]
) -> dict[int, tuple[float, float]]:
    """Coefficients and standard errors of y on the given design columns."""
    sub_gram = gram[np.ix_(columns, columns)] + _EVIDENCE_RIDGE * np.eye(len(columns))
    sub_moment = moment[columns]
    inverse = np.linalg.pinv(sub_gram)
    beta = inverse @ sub_moment
    residual = float(y @ y - 2 * beta @ sub_moment + beta @ sub_gram @ beta)
    dof = max(len(y) - len(columns), 1)
    variance = max(residual, 0.0) / dof
    errors = np.sqrt(np.maximum(np.diag(inverse) * variance, 0.0))
    return {
        column: (float(b), float(e)) for column, b, e in zip(columns, beta, errors, strict=True)
    }


def upcoming_slots(now: datetime, time_zone: str, *, days: int = 7) -> list[datetime]:
    """The start of each three-hour slot in the next `days` days, in the owner's time zone."""
    local = now.astimezone(ZoneInfo(time_zone))
    moment = local.replace(hour=hour_block(local.hour) * 3, minute=0, second=0, microsecond=0)
    slots = []
    while (moment := moment + timedelta(hours=3)) < local + timedelta(days=days):
        slots.append(moment)
    return slots


def percentile_of(views: float, percentiles: Sequence[float]) -> int:
    """Where views stand among the channel's posts: 0 (below all) to 100 (above all)."""
    return int(sum(1 for value in percentiles[1:] if value <= views))


def effect_features(facts: PostFacts) -> set[str]:
    """The claim features a post or draft has (so the backed effects that apply to it)."""
    features = {
        f"hours:{hour_block(facts.local_time.hour)}",
        f"weekday:{facts.local_time.weekday()}",
    }
    if (media := media_of(facts.media_kind)) is not None:
        features.add(f"media:{media}")
    features |= {flag for flag, present in flags_of(facts.text).items() if present}
    features |= {f"word:{word}" for word in words_of(facts.text)}
    return features
