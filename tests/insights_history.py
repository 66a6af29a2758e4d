"""A channel history with planted effects, for the insights model's tests and its benchmark.

Views at 24 hours are a base times the planted multipliers times log-normal noise; some features
(hashtags, questions, emoji, most words, the weekday) are there with no effect at all. Most posts
are seen young and at 24 hours; the oldest were read from the preview long after, and are seen
once, late, on the true view curve.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from services.domain.insights import PostViewsHistory

TIME_ZONE = "Europe/Moscow"
PLANTED = {
    "media:photo": 1.6,
    "hours:6": 1.4,  # 18–20 h in the owner's time zone
    "word:розыгрыш": 1.5,
    "long_text": 0.8,
}
NOISE_FEATURES = ("hashtag", "question", "emoji", "mention", "link")
LIFTING_WORD = "розыгрыш"
_WORDS = [
    "рецепт",
    "ужин",
    "завтрак",
    "новости",
    "город",
    "погода",
    "история",
    "совет",
    "обзор",
    "неделя",
    "кофе",
    "книга",
    "фильм",
    "recipe",
    "dinner",
    "breakfast",
    "news",
    "city",
    "weather",
    "story",
    "advice",
    "review",
    "week",
    "coffee",
    "book",
    "movie",
    "музыка",
    "путешествие",
    "спорт",
    "работа",
    "дома",
    "праздник",
    "music",
    "travel",
    "sport",
    "work",
    "home",
    "holiday",
]
_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"
BASE_VIEWS = 1000.0
NOISE_SIGMA = 0.25


def true_share(age_hours: float) -> float:
    """The planted view curve: the share of 24-hour views a post has at each age."""
    return (1 - math.exp(-age_hours / 12)) / (1 - math.exp(-2))


@dataclass(frozen=True)
class GeneratedPost:
    history: PostViewsHistory
    views_24h: float  # the truth


def generate(
    count: int, *, seed: int = 7, end: datetime | None = None, late_share: float = 0.3
) -> list[GeneratedPost]:
    """`count` posts, about three a day up to `end` (its last one a day before it)."""
    rng = random.Random(seed)
    zone = ZoneInfo(TIME_ZONE)
    end = end or datetime(2026, 11, 1, tzinfo=UTC)
    first_day = (end - timedelta(days=1)).astimezone(zone).date() - timedelta(days=count // 3 + 1)
    posts = []
    for message_id in range(1, count + 1):
        day = first_day + timedelta(days=(message_id - 1) // 3)
        local = datetime(day.year, day.month, day.day, rng.randrange(7, 24), rng.randrange(60))
        posted_at = local.replace(tzinfo=zone).astimezone(UTC)
        if posted_at > end - timedelta(days=1):
            posted_at = end - timedelta(days=1, minutes=message_id % 50)
        photo = rng.random() < 0.35
        words = rng.sample(_WORDS, rng.randint(3, 8))
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words) + 1), LIFTING_WORD)
        text = " ".join(words).capitalize()
        if rng.random() < 0.3:
            text += " #" + rng.choice(_WORDS)
        if rng.random() < 0.3:
            text += " Как вам?" if rng.random() < 0.5 else " What do you think?"
        if rng.random() < 0.3:
            text += " 🔥"
        if rng.random() < 0.2:
            text += " @" + rng.choice(("friendchannel", "newsdaily"))
        if rng.random() < 0.2:
            text += " https://example.com/" + rng.choice(_WORDS)
        if rng.random() < 0.2:
            # Made-up words, each too rare to be one a claim could name.
            filler = " ".join("".join(rng.choices(_LETTERS, k=7)) for _ in range(150))
            text += "\n" + filler[:1100]
        multiplier = 1.0
        if photo:
            multiplier *= PLANTED["media:photo"]
        if 18 <= posted_at.astimezone(zone).hour <= 20:
            multiplier *= PLANTED["hours:6"]
        if LIFTING_WORD in text:
            multiplier *= PLANTED["word:розыгрыш"]
        if len(text) > 1000:
            multiplier *= PLANTED["long_text"]
        views_24h = BASE_VIEWS * multiplier * math.exp(rng.gauss(0, NOISE_SIGMA))
        age_now = (end - posted_at).total_seconds() / 3600
        late = message_id <= count * late_share
        ages = [min(age_now, 24 * 30)] if late else [1, 6, 24, min(age_now, 72)]
        observations = tuple(
            (age, round(views_24h * true_share(age))) for age in sorted(set(ages)) if age <= age_now
        )
        history = PostViewsHistory(
            message_id=message_id,
            posted_at=posted_at,
            text=text,
            media_kind="photo" if photo else None,
            observations=observations,
        )
        posts.append(GeneratedPost(history=history, views_24h=views_24h))
    return posts


async def write_generated(
    db: asyncpg.Pool, channel_id: int, posts: Sequence[GeneratedPost]
) -> None:
    """The posts and their views counts, straight into the database (as ingestion and the
    views collector would have stored them)."""
    await db.copy_records_to_table(
        "posts",
        records=[
            (
                channel_id,
                p.history.message_id,
                p.history.posted_at,
                p.history.text,
                p.history.media_kind,
            )
            for p in posts
        ],
        columns=["channel_id", "message_id", "posted_at", "text", "media_kind"],
    )
    await db.copy_records_to_table(
        "post_views",
        records=[
            (channel_id, p.history.message_id, p.history.posted_at + timedelta(hours=age), views)
            for p in posts
            for age, views in p.history.observations
        ],
        columns=["channel_id", "message_id", "observed_at", "views"],
    )
