"""The insights model on generated histories: planted effects found at their size, noise not
claimed, late views brought back to 24 hours, retraining only when enough is new."""

import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest
from insights_history import NOISE_FEATURES, PLANTED, TIME_ZONE, generate, true_share

from services.domain.insights import PostViewsHistory, TrainingSize
from services.insights.curve import fit_curve, views_at_24h
from services.insights.features import PostFacts
from services.insights.model import MIN_POSTS, TooFewPosts, load_model, train, upcoming_slots
from services.insights.service import retrain_due


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_planted_effects_are_found_within_a_quarter_and_noise_is_not(seed):
    model = train([p.history for p in generate(600, seed=seed)], TIME_ZONE)

    found = {effect.feature: effect for effect in model.summary.effects}
    for feature, truth in PLANTED.items():
        assert feature in found, (feature, sorted(found))
        assert abs(found[feature].multiplier / truth - 1) <= 0.25, (feature, found[feature])
        assert found[feature].low < found[feature].multiplier < found[feature].high
    claimed_noise = [f for f in found if f in NOISE_FEATURES or f.startswith("weekday:")]
    assert claimed_noise == []
    assert set(found) == set(PLANTED)


def test_the_model_beats_the_median_by_hour_on_the_latest_posts():
    summary = train([p.history for p in generate(600)], TIME_ZONE).summary

    assert summary.holdout_posts == 120
    assert summary.model_error < summary.baseline_error


def test_too_few_posts_get_no_model():
    with pytest.raises(TooFewPosts) as refused:
        train([p.history for p in generate(MIN_POSTS - 5)], TIME_ZONE)
    assert refused.value.needed == 5


def test_views_seen_only_late_are_brought_back_to_24_hours():
    posts = generate(300, late_share=0.5)
    curve = fit_curve([p.history for p in posts])

    assert curve.share_at(72) == pytest.approx(true_share(72), rel=0.02)
    late = [p for p in posts if len(p.history.observations) == 1]
    assert late and all(p.history.observations[0][0] > 100 for p in late)
    for post in late:
        assert views_at_24h(post.history, curve) == pytest.approx(post.views_24h, rel=0.05)


def test_a_post_seen_only_in_its_first_hour_is_not_learnt_from():
    post = PostViewsHistory(1, datetime(2026, 10, 1, tzinfo=UTC), "", None, ((0.5, 10),))
    assert views_at_24h(post, fit_curve([post])) is None


def test_a_stored_model_predicts_as_the_trained_one():
    model = train([p.history for p in generate(200)], TIME_ZONE)
    stored = load_model(model.predictor_bytes(), model.summary.as_json())

    facts = [p.history for p in generate(5, seed=99)]
    drafts = [PostFacts(p.posted_at, p.text, p.media_kind) for p in facts]
    assert list(stored.predict(drafts)) == pytest.approx(list(model.predict(drafts)))
    assert stored.summary == model.summary


@pytest.mark.parametrize(
    ("trained", "now", "due"),
    [
        pytest.param(TrainingSize(600, 2400), TrainingSize(605, 2420), False, id="a-few-new"),
        pytest.param(TrainingSize(600, 2400), TrainingSize(610, 2440), True, id="ten-new-posts"),
        pytest.param(TrainingSize(50, 200), TrainingSize(55, 220), True, id="a-tenth-more"),
        pytest.param(TrainingSize(600, 2400), TrainingSize(600, 3000), True, id="new-views"),
    ],
)
def test_retraining_waits_for_enough_that_is_new(trained, now, due):
    assert retrain_due(trained, now) is due


def test_slots_follow_the_owner_time_zone():
    now = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)  # Monday 9:30 in Moscow
    slots = upcoming_slots(now, TIME_ZONE)
    assert slots[0].hour == 12 and slots[0].tzinfo is not None
    assert len(slots) == 56  # Monday 12:00 to the next Monday 9:00
    assert all(s - r == timedelta(hours=3) for r, s in itertools.pairwise(slots))
    assert math.isclose(slots[0].utcoffset().total_seconds(), 3 * 3600)
