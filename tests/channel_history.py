"""Write a channel's recorded history straight into the database, for analytics tests."""

from collections.abc import Iterable
from datetime import datetime

import asyncpg


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
