"""The channel's view curve: the share of its 24-hour views a post has at each age.

Learnt from posts seen near 24 hours and at other ages too; it brings back to 24 hours the
views of a post that was only seen later (history read from the preview after the fact).
"""

import bisect
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.domain.insights import PostViewsHistory

# Seen this close to 24 hours, a count is the post's views at 24 hours.
AT_24H = (22.0, 26.0)
# Ages (hours) where the curve's buckets start.
BUCKET_STARTS = (1, 2, 4, 8, 12, 18, 22, 26, 36, 48, 72, 120, 168, 336, 720)
_MIN_RATIOS = 5  # a bucket's share is known from this many posts on


@dataclass(frozen=True)
class ViewCurve:
    """share[i]: views at ages in bucket i, as a share of the views at 24 hours (None: unknown)."""

    share: tuple[float | None, ...]

    @property
    def known(self) -> bool:
        return any(share is not None for share in self.share)

    def share_at(self, age_hours: float) -> float:
        """The share at this age; from the nearest known bucket, 1 when none is known."""
        index = _bucket(age_hours)
        if index is None:
            return 1.0
        known = [(abs(i - index), s) for i, s in enumerate(self.share) if s is not None]
        return min(known)[1] if known else 1.0


def _bucket(age_hours: float) -> int | None:
    index = bisect.bisect_right(BUCKET_STARTS, age_hours) - 1
    return index if index >= 0 else None


def views_at_24h_seen(post: PostViewsHistory) -> int | None:
    """The views counted nearest to 24 hours, if any was counted near enough."""
    near = [(abs(age - 24), views) for age, views in post.observations if _near_24h(age)]
    return min(near)[1] if near else None


def _near_24h(age: float) -> bool:
    return AT_24H[0] <= age <= AT_24H[1]


def fit_curve(posts: Iterable[PostViewsHistory]) -> ViewCurve:
    ratios: list[list[float]] = [[] for _ in BUCKET_STARTS]
    for post in posts:
        at_24h = views_at_24h_seen(post)
        if not at_24h:
            continue
        for age, views in post.observations:
            index = _bucket(age)
            if index is not None and not _near_24h(age):
                ratios[index].append(views / at_24h)
    share: list[float | None] = [
        statistics.median(found) if len(found) >= _MIN_RATIOS else None for found in ratios
    ]
    for index, start in enumerate(BUCKET_STARTS):
        if AT_24H[0] <= start < AT_24H[1]:
            share[index] = 1.0
    return ViewCurve(share=tuple(share))


def views_at_24h(post: PostViewsHistory, curve: ViewCurve) -> float | None:
    """Views at 24 hours: seen, or the latest count brought back with the curve.

    None for a post seen only in its first hour, too early to tell.
    """
    seen = views_at_24h_seen(post)
    if seen is not None:
        return float(seen)
    latest = _latest(post.observations)
    if latest is None or latest[0] < BUCKET_STARTS[0]:
        return None
    age, views = latest
    return views / max(curve.share_at(age), 1e-3)


def _latest(observations: Sequence[tuple[float, int]]) -> tuple[float, int] | None:
    return max(observations) if observations else None
