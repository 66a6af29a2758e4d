"""Write a channel's recorded history straight into the database, for analytics tests."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import asyncpg

from db.channels import ChannelsRepository
from services.domain.channels import ChannelRecord

# Whose the sample history is: an owner in Moscow and their channel.
SAMPLE_OWNER = 501
SAMPLE_CHANNEL = -1001000000001

# The sample history is seen at Saturday 2026-10-31 23:00 in Moscow (UTC+3, no daylight saving).
SAMPLE_NOW = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)

# The sample history's latest count: a fake channel carrying it says the same when added.
SAMPLE_SUBSCRIBERS = 1100


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of October 2026, in UTC."""
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


async def add_user(db: asyncpg.Pool, user_id: int, *, time_zone: str = "UTC") -> None:
    await db.execute(
        """
        INSERT INTO users (id, first_name, time_zone) VALUES ($1, 'Owner', $2)
        ON CONFLICT (id) DO UPDATE SET time_zone = EXCLUDED.time_zone
        """,
        user_id,
        time_zone,
    )


async def add_channel(
    db: asyncpg.Pool,
    channel_id: int,
    *,
    title: str = "Test Channel",
    username: str | None = "testchannel",
    admin_id: int,
    verified_at: datetime,
) -> None:
    """A tracked channel administered by admin_id (who must be a user already)."""
    await db.execute(
        "INSERT INTO channels (id, title, username) VALUES ($1, $2, $3)",
        channel_id,
        title,
        username,
    )
    await db.execute(
        "INSERT INTO channel_admins (channel_id, user_id, verified_at) VALUES ($1, $2, $3)",
        channel_id,
        admin_id,
        verified_at,
    )


async def sample_channel(db: asyncpg.Pool, *, title: str = "Test Channel") -> ChannelRecord:
    """The sample's owner (in Moscow) and their channel, verified at SAMPLE_NOW, as the
    repository reads it; write_sample_history gives it its history."""
    await add_user(db, SAMPLE_OWNER, time_zone="Europe/Moscow")
    await add_channel(
        db, SAMPLE_CHANNEL, title=title, admin_id=SAMPLE_OWNER, verified_at=SAMPLE_NOW
    )
    return await ChannelsRepository(db).get(channel_id=SAMPLE_CHANNEL)


async def add_posts(
    db: asyncpg.Pool, channel_id: int, posts: Iterable[tuple[int, datetime, str]]
) -> None:
    """Posts as (message_id, posted_at, text)."""
    await db.executemany(
        "INSERT INTO posts (channel_id, message_id, posted_at, text) VALUES ($1, $2, $3, $4)",
        [(channel_id, *post) for post in posts],
    )


async def add_views(
    db: asyncpg.Pool, channel_id: int, views: Iterable[tuple[int, datetime, int]]
) -> None:
    """View observations as (message_id, observed_at, views)."""
    await db.executemany(
        """
        INSERT INTO post_views (channel_id, message_id, observed_at, views)
        VALUES ($1, $2, $3, $4)
        """,
        [(channel_id, *row) for row in views],
    )


async def add_reactions(
    db: asyncpg.Pool, channel_id: int, reactions: Iterable[tuple[int, datetime, int]]
) -> None:
    """Reaction totals as (message_id, observed_at, total), all of them 👍."""
    await db.executemany(
        """
        INSERT INTO post_reaction_counts (channel_id, message_id, observed_at, total, reactions)
        VALUES ($1, $2, $3, $4, jsonb_build_object('👍', $4::int))
        """,
        [(channel_id, *row) for row in reactions],
    )


async def add_subscriber_events(
    db: asyncpg.Pool, channel_id: int, events: Iterable[tuple[datetime, str]]
) -> None:
    """Joins and leaves as (occurred_at, "join" | "leave")."""
    await db.executemany(
        "INSERT INTO subscriber_events (channel_id, occurred_at, kind) VALUES ($1, $2, $3)",
        [(channel_id, *event) for event in events],
    )


async def add_snapshots(
    db: asyncpg.Pool, channel_id: int, snapshots: Iterable[tuple[datetime, int]]
) -> None:
    """Subscriber counts as (taken_at, subscribers)."""
    await db.executemany(
        """
        INSERT INTO subscriber_snapshots (channel_id, taken_at, subscribers)
        VALUES ($1, $2, $3)
        """,
        [(channel_id, *snapshot) for snapshot in snapshots],
    )


async def set_views_source(db: asyncpg.Pool, channel_id: int, status: str) -> None:
    await db.execute(
        "INSERT INTO channel_view_sources (channel_id, status) VALUES ($1, $2)", channel_id, status
    )


async def write_sample_history(db: asyncpg.Pool, channel_id: int) -> None:
    """Six posts (four with views this week, one never seen, one last week), reactions, joins
    and leaves around Moscow's midnight, and three subscriber snapshots.

    Seen at SAMPLE_NOW by an owner in Moscow, the week Sun 25 – Sat 31 October has: 1,100
    subscribers (+100), 3 joins and 1 leave, 5 posts, average reach 750, ERR 68.2%, engagement
    2%, median views at 24 h 800 against the channel's 700, best time Fri 18:00. The week before
    it: 1,000 subscribers, 1 leave, 1 post with 600 views, ERR 60%, engagement 1%.
    """
    posted = {
        10: utc(20, 12),  # last week
        1: utc(25, 6),  # Sun 09:00 Moscow
        2: utc(27, 15),  # Tue 18:00
        5: utc(29, 7),  # Thu 10:00, never seen by the views source
        3: utc(30, 15),  # Fri 18:00
        4: utc(31, 11),  # Sat 14:00, nine hours old
    }
    await add_posts(db, channel_id, [(mid, at, f"Пост номер {mid}") for mid, at in posted.items()])
    hours = timedelta(hours=1)
    await add_views(
        db,
        channel_id,
        [
            (10, posted[10] + 24 * hours, 600),
            (1, posted[1] + 1 * hours, 300),
            (1, posted[1] + 23 * hours, 800),  # views at 24 h: the last one before 24 h
            (1, posted[1] + 30 * hours, 900),
            (2, posted[2] + 2 * hours, 200),
            (2, posted[2] + 24 * hours, 400),  # exactly at 24 h counts
            (2, posted[2] + 48 * hours, 500),
            (3, posted[3] + 20 * hours, 1200),
            (3, utc(31, 19), 1500),
            (4, posted[4] + hours / 2, 100),  # too young for views at 24 h
        ],
    )
    await add_reactions(
        db,
        channel_id,
        [
            (10, posted[10] + hours, 6),
            (1, posted[1] + hours, 10),
            (1, posted[1] + 5 * hours, 25),  # the latest total counts
            (2, posted[2] + hours, 5),
            (3, posted[3] + hours, 30),
            (5, posted[5] + hours, 2),  # reactions without views count nowhere
        ],
    )
    await add_subscriber_events(
        db,
        channel_id,
        [
            (utc(24, 20, 30), "leave"),  # Sat 24 23:30 in Moscow: last week
            (utc(24, 22, 30), "join"),  # Sun 25 01:30 in Moscow: this week
            (utc(25, 9), "join"),
            (utc(25, 9, 5), "join"),
            (utc(26, 12), "leave"),
        ],
    )
    await add_snapshots(
        db,
        channel_id,
        [(utc(17, 20), 900), (utc(24, 20), 1000), (utc(31, 10), SAMPLE_SUBSCRIBERS)],
    )
