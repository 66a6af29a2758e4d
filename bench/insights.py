"""Insights: the views model's error on held-out recent posts against the naive baseline (the
channel's median views for the hour of day), as a ratio (lower is better), on generated
histories with planted effects; and the time to train on a 10,000-post channel (goal: under a
second), against the time to only read the same posts' features (the floor any model pays).
"""

import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from insights_history import TIME_ZONE, generate

from services.insights.features import PostFacts, model_matrix
from services.insights.model import train

SEEDS = (7, 11, 23)
POSTS = 2_000
BIG_CHANNEL = 10_000
RUNS = 3


def main() -> None:
    ratios = []
    for seed in SEEDS:
        summary = train([p.history for p in generate(POSTS, seed=seed)], TIME_ZONE).summary
        ratios.append(summary.model_error / summary.baseline_error)
        print(
            f"seed {seed}: {summary.holdout_posts} held-out posts, mean |log error| "
            f"model {summary.model_error:.3f}, median by hour {summary.baseline_error:.3f}, "
            f"ratio {ratios[-1]:.2f}"
        )
    print(f"model error / baseline error: {statistics.mean(ratios):.2f} (lower is better)")

    histories = [p.history for p in generate(BIG_CHANNEL)]
    zone = ZoneInfo(TIME_ZONE)
    facts = [PostFacts(p.posted_at.astimezone(zone), p.text, p.media_kind) for p in histories]
    trainings, readings = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        train(histories, TIME_ZONE)
        trainings.append(time.perf_counter() - started)
        started = time.perf_counter()
        model_matrix(facts)
        readings.append(time.perf_counter() - started)
    best, floor = min(trainings), min(readings)
    print(
        f"training on {BIG_CHANNEL:,} posts: {best:.2f} s (goal: under 1 s; reading the "
        f"features alone: {floor:.2f} s, ratio {best / floor:.1f})"
    )


if __name__ == "__main__":
    main()
