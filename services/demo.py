"""`python -m services.demo`: a made-up channel history, for demos, manual tries and benchmarks.

Each demo channel gets a history of `--days` days ending now: posts (Latin and Cyrillic text,
photos, videos, polls...) with the views a poller would have observed as each post's curve
rose and flattened, reaction counts, subscribers joining and leaving with the rhythm of a
day and a week, and the subscriber count every 30 minutes. Re-running replaces the demo
channels. Rows are made a day at a time and streamed to the database with COPY, so large
sizes stay quick and small in memory.
"""

import argparse
import asyncio
import bisect
import itertools
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from db.demo import DEMO_CHANNEL_IDS, DemoChannelRow, DemoRepository, DemoRows
from db.pool import Database
from services.config import Settings
from services.views.collector import POLLING_SCHEDULE

MINUTE = timedelta(minutes=1)


def _poller_ages() -> tuple[int, ...]:
    """The ages (minutes) at which the views collector looks at a post, by its schedule."""
    ages, age = [], timedelta(0)
    for step in POLLING_SCHEDULE:
        while age + step.every <= step.until_age:
            age += step.every
            ages.append(age // MINUTE)
    return tuple(ages)


POLLER_AGES = _poller_ages()
DAY_ONE_AGE = 24 * 60
# Telegram reports reaction counts as they change; these ages stand for those reports.
REACTION_AGES = (2 * 60, 12 * 60, 48 * 60, 7 * 24 * 60)
SNAPSHOT_EVERY = timedelta(minutes=30)

# How active the audience is in each hour of the day, 00 to 23 UTC (an audience around UTC+3).
HOUR_WEIGHTS = (1, 1, 1, 1, 2, 4, 7, 9, 9, 8, 7, 7, 8, 8, 7, 7, 8, 10, 12, 13, 12, 9, 5, 2)
# Monday to Sunday: fewer people join at the weekend.
WEEKDAY_FACTORS = (1.05, 1.1, 1.05, 1.0, 0.95, 0.8, 0.85)

MEDIA_KINDS = (
    (None, 25),
    ("photo", 48),
    ("video", 15),
    ("animation", 5),
    ("document", 4),
    ("poll", 3),
)
REACTIONS = (("👍", 40), ("❤", 25), ("🔥", 20), ("😁", 10), ("🤯", 5))
DISHES = (
    ("борщ", "borscht"),
    ("сырники", "syrniki"),
    ("пельмени", "pelmeni"),
    ("блины", "blini"),
    ("плов", "plov"),
    ("солянка", "solyanka"),
    ("шакшука", "shakshuka"),
    ("рамен", "ramen"),
)
TEXTS = (
    "{ru} за {minutes} минут — quick recipe inside 👇",
    "Weekend brunch: {en} ({ru}) with sour cream, step by step",
    'Топ-5 ошибок, когда готовишь {ru}. Number 3 "surprised" everyone',
    "Poll: {en} or pasta tonight? Что готовим, голосуйте!",
    "{en} / {ru}\nИнгредиенты: мука, яйца, соль; time: {minutes} min",
    "{en}: our tips, наши советы #kitchen #рецепт",
)


# Posts differ in which reactions they draw: a few mixes around the channel's usual one.
_REACTION_MIXES = [
    [
        (emoji, weight * tilt / sum(w * t for (_, w), t in zip(REACTIONS, tilts, strict=True)))
        for (emoji, weight), tilt in zip(REACTIONS, tilts, strict=True)
    ]
    for tilts in itertools.permutations((0.6, 0.8, 1.0, 1.2, 1.4))
]
_HOUR_CUM_WEIGHTS = list(itertools.accumulate(HOUR_WEIGHTS))
_MEDIA = [kind for kind, _ in MEDIA_KINDS]
_MEDIA_CUM_WEIGHTS = list(itertools.accumulate(weight for _, weight in MEDIA_KINDS))


@dataclass(frozen=True)
class DemoSize:
    days: int = 90
    posts_per_day: int = 4
    channels: int = 1
    # Sparse: of each post only the views at 24 h and at the latest poll, and the latest
    # reaction count, not every observation (about 100): millions of posts stay quick to make.
    sparse: bool = False


@dataclass(frozen=True)
class DemoChannel:
    row: DemoChannelRow
    start_subscribers: int
    seed: int


def demo_channels(count: int, *, now: datetime, days: int, seed: int) -> list[DemoChannel]:
    """The made-up channels; the first is @cookingdaily_demo, then _2, _3..."""
    channels = []
    for number in range(1, count + 1):
        suffix = "" if number == 1 else f"_{number}"
        title = "Кухня без границ · Cooking Daily (demo)"
        row = DemoChannelRow(
            id=DEMO_CHANNEL_IDS[number - 1],
            title=title if number == 1 else f"{title} {number}",
            username=f"cookingdaily_demo{suffix}",
            added_at=now - timedelta(days=days),
            tracking_stopped_at=now,
        )
        channels.append(DemoChannel(row=row, start_subscribers=12_000 * number, seed=seed + number))
    return channels


def view_share(age_minutes: float) -> float:
    """How much of its final views a post has at an age: most in a day, the rest over weeks."""
    hours = age_minutes / 60
    return 0.7 * (1 - math.exp(-hours / 6)) + 0.3 * (1 - math.exp(-hours / 96))


# Every age a post is looked at, with its share of the final views: computed once, as
# millions of posts look at the same few ages.
_AGES = {
    minutes: (timedelta(minutes=minutes), view_share(minutes))
    for minutes in (*POLLER_AGES, *REACTION_AGES)
}


class ChannelHistory:
    """Generates one channel's history a day at a time, each day's rows as one batch."""

    def __init__(self, channel: DemoChannel, size: DemoSize, now: datetime) -> None:
        self._channel = channel
        self._size = size
        self._now = now
        self._rng = random.Random(channel.seed)
        self._subscribers = channel.start_subscribers
        self._message_id = 0

    def days(self) -> Iterator[DemoRows]:
        today = self._now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        for back in range(self._size.days - 1, -1, -1):
            yield self._day(today - timedelta(days=back))

    def _moments(self, day_start: datetime, count: int) -> list[datetime]:
        """Times in a day, in order, when the audience is active; none after now."""
        hours = self._rng.choices(range(24), cum_weights=_HOUR_CUM_WEIGHTS, k=count)
        moments = (day_start + timedelta(hours=h, seconds=self._rng.randrange(3600)) for h in hours)
        return sorted(moment for moment in moments if moment < self._now)

    def _day(self, day_start: datetime) -> DemoRows:
        rows = DemoRows()
        subscribers_at_start = self._subscribers
        self._subscriber_events(day_start, rows)
        self._snapshots(day_start, subscribers_at_start, rows)
        for posted_at in self._moments(day_start, self._size.posts_per_day):
            # Message ids follow publication order, as on Telegram.
            self._message_id += 1
            self._post(self._message_id, posted_at, subscribers_at_start, rows)
        return rows

    def _subscriber_events(self, day_start: datetime, rows: DemoRows) -> None:
        rng = self._rng
        weekday = WEEKDAY_FACTORS[day_start.weekday()]
        # Now and then a partner mentions the channel and a crowd joins through their link.
        promo = rng.random() < 0.06
        joins = round(
            self._subscribers * 0.006 * weekday * rng.uniform(0.6, 1.4) * (4 if promo else 1)
        )
        leaves = round(self._subscribers * 0.0035 * rng.uniform(0.6, 1.4))
        channel_id = self._channel.row.id
        for kind, count in (("join", joins), ("leave", leaves)):
            for moment in self._moments(day_start, count):
                link = None
                if kind == "join" and (promo or rng.random() < 0.1):
                    link = "Partner promo" if promo else "Instagram bio"
                # Leaves are of subscribers whose joins the demo never saw.
                source = "unknown" if kind == "leave" else "link" if link else "organic"
                rows.subscriber_events.append((channel_id, moment, kind, link, source))
        rows.subscriber_events.sort(key=lambda event: event[1])
        self._subscribers += sum(1 if e[2] == "join" else -1 for e in rows.subscriber_events)

    def _snapshots(self, day_start: datetime, subscribers: int, rows: DemoRows) -> None:
        """The count every 30 minutes: the day's opening count plus the events so far."""
        times = [event[1] for event in rows.subscriber_events]
        running = [0]
        for event in rows.subscriber_events:
            running.append(running[-1] + (1 if event[2] == "join" else -1))
        taken_at = day_start
        while taken_at < min(day_start + timedelta(days=1), self._now):
            count = subscribers + running[bisect.bisect_right(times, taken_at)]
            rows.snapshots.append((self._channel.row.id, taken_at, count))
            taken_at += SNAPSHOT_EVERY

    def _post(self, message_id: int, posted_at: datetime, subscribers: int, rows: DemoRows) -> None:
        rng = self._rng
        channel_id = self._channel.row.id
        ru, en = rng.choice(DISHES)
        text = rng.choice(TEXTS).format(ru=ru, en=en, minutes=rng.choice((15, 20, 30, 45)))
        media = rng.choices(_MEDIA, cum_weights=_MEDIA_CUM_WEIGHTS)[0]
        file_id = f"AQAD{rng.getrandbits(48):012x}" if media else None
        rows.posts.append((channel_id, message_id, posted_at, text, media, file_id))

        # Reach: most posts reach a third of the subscribers, a few go much further.
        reach = min(0.35 * rng.lognormvariate(0, 0.35), 3.0)
        evening = HOUR_WEIGHTS[posted_at.hour] / max(HOUR_WEIGHTS)
        final_views = subscribers * reach * (0.7 + 0.3 * evening)
        engagement = 0.025 * rng.lognormvariate(0, 0.5)
        age = (self._now - posted_at) / MINUTE
        view_ages = POLLER_AGES[: bisect.bisect_right(POLLER_AGES, age)]
        reaction_ages = REACTION_AGES[: bisect.bisect_right(REACTION_AGES, age)]
        if self._size.sparse:
            view_ages = sorted({a for a in (*view_ages[-1:], DAY_ONE_AGE) if a <= age})
            reaction_ages = reaction_ages[-1:]
        for minutes in view_ages:
            after, share = _AGES[minutes]
            rows.post_views.append(
                (channel_id, message_id, posted_at + after, int(final_views * share))
            )
        for minutes in reaction_ages:
            after, share = _AGES[minutes]
            total = int(final_views * share * engagement)
            if total:
                reactions = self._split(total)
                rows.reaction_counts.append(
                    (channel_id, message_id, posted_at + after, total, reactions)
                )

    def _split(self, total: int) -> dict[str, int]:
        """A reaction total as Telegram reports it: counts per emoji, in one of a few mixes."""
        shares = self._rng.choice(_REACTION_MIXES)
        counts = {emoji: int(total * share) for emoji, share in shares}
        counts[REACTIONS[0][0]] += total - sum(counts.values())
        return {emoji: count for emoji, count in counts.items() if count}


async def write_demo(
    pool: asyncpg.Pool,
    *,
    size: DemoSize,
    now: datetime,
    admin_user_id: int | None,
    seed: int = 7,
) -> dict[str, int]:
    """Replace the demo channels with a fresh history; returns the rows written per table."""
    channels = demo_channels(size.channels, now=now, days=size.days, seed=seed)

    def batches() -> Iterator[DemoRows]:
        for channel in channels:
            yield from ChannelHistory(channel, size, now).days()

    return await DemoRepository(pool).replace(
        channels=[channel.row for channel in channels],
        admin_user_id=admin_user_id,
        # The channels are not on Telegram, so the admin right cannot be checked there;
        # dated ten years ahead, the stored check stays trusted.
        admin_verified_at=now + timedelta(days=3650),
        batches=batches(),
    )


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.demo", description=__doc__)
    parser.add_argument("--days", type=int, default=90, help="days of history (default 90)")
    parser.add_argument("--posts-per-day", type=int, default=4, help="per channel (default 4)")
    parser.add_argument("--channels", type=int, default=1, help="demo channels (default 1)")
    parser.add_argument(
        "--user-id", type=int, help="the demo channels' admin (default: the lowest ADMIN_IDS)"
    )
    parser.add_argument(
        "--sparse",
        action="store_true",
        help="per post only views at 24 h and at the latest poll, and the latest reactions "
        "(for millions of posts)",
    )
    parser.add_argument("--seed", type=int, default=7, help="the same seed, the same history")
    args = parser.parse_args(argv)
    if args.days < 1 or args.posts_per_day < 0 or not 1 <= args.channels <= len(DEMO_CHANNEL_IDS):
        parser.error("--days must be at least 1, --channels between 1 and 10000")
    return args


async def _main(args: argparse.Namespace) -> None:
    settings = Settings()
    user_id = args.user_id or min(settings.admin_ids, default=None)
    size = DemoSize(
        days=args.days,
        posts_per_day=args.posts_per_day,
        channels=args.channels,
        sparse=args.sparse,
    )
    async with Database(settings) as database:
        written = await write_demo(
            database.pool, size=size, now=datetime.now(UTC), admin_user_id=user_id, seed=args.seed
        )
    for table, count in written.items():
        print(f"{table:22} {count:>12,} rows")
    if user_id is None:
        print("No admin linked: pass --user-id or set ADMIN_IDS to see the demo in the bot.")
    else:
        print(f"User {user_id} administers the demo: send /export or /stats to the bot.")


def main(argv: list[str] | None = None) -> int:
    asyncio.run(_main(_parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
