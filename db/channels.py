"""Channels, and which users administer them as Telegram last said."""

from collections.abc import Iterable, Sequence
from datetime import datetime

import asyncpg

from db.repository import Repository, found, record_from
from db.webhooks import publish
from services.domain.channels import ChannelRecord, ChannelSummary
from services.domain.webhooks import ChannelRemovedReason, channel_added, channel_removed

_COLUMNS = "c.id, c.title, c.username, c.is_tracked, c.added_at, c.tracking_stopped_at"


async def _stop_tracking(
    conn: asyncpg.Connection, channel_id: int, at: datetime, reason: ChannelRemovedReason
) -> None:
    """Stop tracking a tracked channel and publish that to its admins' webhooks."""
    row = await conn.fetchrow(
        """
        UPDATE channels SET is_tracked = false, tracking_stopped_at = $2
         WHERE id = $1 AND is_tracked
        RETURNING id AS channel_id, title, username
        """,
        channel_id,
        at,
    )
    if row is not None:
        await publish(conn, [record_from(channel_removed, row, reason=reason, at=at)])


def _channel(row: asyncpg.Record) -> ChannelRecord:
    return record_from(ChannelRecord, row)


class ChannelsRepository(Repository):
    async def track(self, *, channel_id: int, title: str, username: str | None) -> ChannelRecord:
        """Register the channel, or resume tracking it with its current title and username."""
        row = await self._pool.fetchrow(
            f"""
            INSERT INTO channels AS c (id, title, username)
            VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE
               SET title = EXCLUDED.title,
                   username = EXCLUDED.username,
                   is_tracked = true,
                   tracking_stopped_at = NULL
            RETURNING {_COLUMNS}
            """,
            channel_id,
            title,
            username,
        )
        return _channel(row)

    async def get(self, *, channel_id: int) -> ChannelRecord:
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM channels c WHERE id = $1", channel_id
        )
        return _channel(found(row, f"channel {channel_id}"))

    async def stop_tracking(self, *, channel_id: int, at: datetime) -> None:
        async with self._transaction() as conn:
            await _stop_tracking(conn, channel_id, at, ChannelRemovedReason.STOPPED)

    async def detach_bot(self, *, channel_id: int, at: datetime) -> None:
        """Stop tracking the channel and forget its admins, at once; its data stays."""
        async with self._transaction() as conn:
            await _stop_tracking(conn, channel_id, at, ChannelRemovedReason.BOT_REMOVED)
            await conn.execute("DELETE FROM channel_admins WHERE channel_id = $1", channel_id)

    async def delete(self, *, channel_id: int, at: datetime) -> None:
        """Delete the channel and, through the foreign keys, everything recorded about it.

        Its admins hear of it first (channel.removed), while they are still known.
        """
        async with self._transaction() as conn:
            await _stop_tracking(conn, channel_id, at, ChannelRemovedReason.DELETED)
            await conn.execute("DELETE FROM channels WHERE id = $1", channel_id)

    async def announce_tracked(self, *, channel: ChannelRecord, at: datetime) -> None:
        """Publish a newly tracked channel to its admins' webhooks (channel.added)."""
        event = channel_added(
            channel_id=channel.id, title=channel.title, username=channel.username, at=at
        )
        await publish(self._pool, [event])

    async def tracked_ids(self) -> list[int]:
        rows = await self._pool.fetch("SELECT id FROM channels WHERE is_tracked ORDER BY id")
        return [row["id"] for row in rows]

    async def set_admins(
        self, *, channel_id: int, admin_ids: Iterable[int], verified_at: datetime
    ) -> None:
        """Make the stored admins exactly those of admin_ids who are users of the bot."""
        ids = list(admin_ids)
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """
                DELETE FROM channel_admins
                 WHERE channel_id = $1 AND NOT user_id = ANY($2::bigint[])
                """,
                channel_id,
                ids,
            )
            await conn.execute(
                """
                INSERT INTO channel_admins (channel_id, user_id, verified_at)
                SELECT $1, u.id, $3 FROM users u WHERE u.id = ANY($2::bigint[])
                ON CONFLICT (channel_id, user_id) DO UPDATE SET verified_at = EXCLUDED.verified_at
                """,
                channel_id,
                ids,
                verified_at,
            )
            await conn.execute(
                "UPDATE channels SET admins_checked_at = $2 WHERE id = $1", channel_id, verified_at
            )

    async def admin_verified_at(self, *, channel_id: int, user_id: int) -> datetime:
        verified_at = await self._pool.fetchval(
            "SELECT verified_at FROM channel_admins WHERE channel_id = $1 AND user_id = $2",
            channel_id,
            user_id,
        )
        return found(verified_at, f"user {user_id} is not a known admin of channel {channel_id}")

    async def admin_ids_of(self, *, channel_ids: Sequence[int]) -> dict[int, list[int]]:
        """The known admins of each channel; channels without any are left out."""
        rows = await self._pool.fetch(
            """
            SELECT channel_id, array_agg(user_id ORDER BY user_id) AS user_ids
              FROM channel_admins WHERE channel_id = ANY($1::bigint[])
             GROUP BY channel_id
            """,
            list(channel_ids),
        )
        return {row["channel_id"]: list(row["user_ids"]) for row in rows}

    async def count_tracked_for_user(self, user_id: int) -> int:
        return await self._pool.fetchval(
            """
            SELECT count(*) FROM channel_admins a JOIN channels c ON c.id = a.channel_id
             WHERE a.user_id = $1 AND c.is_tracked
            """,
            user_id,
        )

    async def list_for_user(self, *, user_id: int) -> list[ChannelSummary]:
        """The user's channels with their latest subscriber count and last post time."""
        rows = await self._pool.fetch(
            f"""
            SELECT {_COLUMNS}, snap.subscribers, last_post.posted_at AS last_post_at
              FROM channel_admins a
              JOIN channels c ON c.id = a.channel_id
              LEFT JOIN LATERAL (
                   SELECT s.subscribers FROM subscriber_snapshots s
                    WHERE s.channel_id = c.id ORDER BY s.taken_at DESC LIMIT 1
              ) snap ON true
              LEFT JOIN LATERAL (
                   SELECT p.posted_at FROM posts p
                    WHERE p.channel_id = c.id ORDER BY p.posted_at DESC LIMIT 1
              ) last_post ON true
             WHERE a.user_id = $1
             ORDER BY c.is_tracked DESC, lower(c.title)
            """,
            user_id,
        )
        return [
            ChannelSummary(
                channel=_channel(row),
                subscribers=row["subscribers"],
                last_post_at=row["last_post_at"],
            )
            for row in rows
        ]
