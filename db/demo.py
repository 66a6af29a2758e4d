"""Writes made-up demo channels with COPY, replacing any demo channels written before."""

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from db.repository import Repository

# Demo channels take ids from this range, which Telegram's own channel ids do not reach.
DEMO_CHANNEL_IDS = range(-1_009_990_000_001, -1_009_990_010_001, -1)

POST_COLUMNS = (
    "channel_id",
    "message_id",
    "posted_at",
    "text",
    "media_kind",
    "media_file_unique_id",
)
POST_VIEW_COLUMNS = ("channel_id", "message_id", "observed_at", "views")
REACTION_COUNT_COLUMNS = ("channel_id", "message_id", "observed_at", "total", "reactions")
SUBSCRIBER_EVENT_COLUMNS = ("channel_id", "occurred_at", "kind", "invite_link_name", "source")
SNAPSHOT_COLUMNS = ("channel_id", "taken_at", "subscribers")

Row = tuple[Any, ...]


@dataclass(frozen=True)
class DemoChannelRow:
    id: int
    title: str
    username: str
    added_at: datetime
    tracking_stopped_at: datetime


@dataclass
class DemoRows:
    """A batch of rows of every table, each tuple in that table's *_COLUMNS order."""

    posts: list[Row] = field(default_factory=list)
    post_views: list[Row] = field(default_factory=list)
    reaction_counts: list[Row] = field(default_factory=list)
    subscriber_events: list[Row] = field(default_factory=list)
    snapshots: list[Row] = field(default_factory=list)

    def by_table(self) -> list[tuple[str, tuple[str, ...], list[Row]]]:
        return [
            ("posts", POST_COLUMNS, self.posts),
            ("post_views", POST_VIEW_COLUMNS, self.post_views),
            ("post_reaction_counts", REACTION_COUNT_COLUMNS, self.reaction_counts),
            ("subscriber_events", SUBSCRIBER_EVENT_COLUMNS, self.subscriber_events),
            ("subscriber_snapshots", SNAPSHOT_COLUMNS, self.snapshots),
        ]


# The pool's client timeout is for a bot's statements; a big demo's COPY takes minutes.
_COPY_TIMEOUT_SECONDS = 3600.0


class DemoRepository(Repository):
    async def replace(
        self,
        *,
        channels: Sequence[DemoChannelRow],
        admin_user_id: int | None,
        admin_verified_at: datetime,
        batches: Iterable[DemoRows],
    ) -> dict[str, int]:
        """Delete every demo channel, then write these; returns the rows written per table.

        Each table streams through a COPY of its own connection, all at once, while the
        batches are being made: the server stores rows while Python makes the next ones. A
        run that fails deletes what it wrote. The demo channels are not tracked: they do not
        exist on Telegram, so the scheduled jobs must not ask Telegram about them.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            await self._delete(conn)
            await conn.copy_records_to_table(
                "channels",
                columns=(
                    "id",
                    "title",
                    "username",
                    "is_tracked",
                    "added_at",
                    "tracking_stopped_at",
                ),
                records=[
                    (c.id, c.title, c.username, False, c.added_at, c.tracking_stopped_at)
                    for c in channels
                ],
            )
            # Views come with the demo, as if the collector had read them: /stats shows them.
            await conn.copy_records_to_table(
                "channel_view_sources",
                columns=("channel_id", "status", "backfilled_at", "last_polled_at"),
                records=[(c.id, "ok", c.added_at, c.tracking_stopped_at) for c in channels],
            )
            if admin_user_id is not None:
                await self._link_admin(conn, channels, admin_user_id, admin_verified_at)
        tables = DemoRows().by_table()
        # A couple of batches in waiting per table: memory stays bounded whatever the size.
        queues: dict[str, asyncio.Queue[list[Row] | None]] = {
            table: asyncio.Queue(maxsize=2) for table, _, _ in tables
        }
        written = dict.fromkeys(queues, 0)
        try:
            async with asyncio.TaskGroup() as copies:
                for table, columns, _ in tables:
                    copies.create_task(self._copy(table, columns, queues[table]))
                for batch in batches:
                    for table, _, records in batch.by_table():
                        await queues[table].put(records)
                        written[table] += len(records)
                for queue in queues.values():
                    await queue.put(None)
            await self._link_sources()
        except BaseException:
            async with self._pool.acquire() as conn:
                await self._delete(conn)
            raise
        return written

    async def _link_sources(self) -> None:
        """The demo's named links become the channels' links (known by name, as joins stored
        before links were), and the joins through them point at them."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = 0")  # a set of millions of rows
            await conn.execute(
                """
                WITH links AS (
                    INSERT INTO invite_links (channel_id, name, created_at)
                    SELECT channel_id, invite_link_name, min(occurred_at)
                      FROM subscriber_events
                     WHERE channel_id BETWEEN $1 AND $2 AND invite_link_name IS NOT NULL
                     GROUP BY channel_id, invite_link_name
                    RETURNING id, channel_id, name
                )
                UPDATE subscriber_events e SET invite_link_id = l.id
                  FROM links l
                 WHERE e.channel_id = l.channel_id AND e.invite_link_name = l.name
                """,
                DEMO_CHANNEL_IDS[-1],
                DEMO_CHANNEL_IDS[0],
            )

    async def _delete(self, conn: asyncpg.Connection) -> None:
        """Delete every demo channel and, through the foreign keys, all its rows."""
        await conn.execute(
            "DELETE FROM channels WHERE id BETWEEN $1 AND $2",
            DEMO_CHANNEL_IDS[-1],
            DEMO_CHANNEL_IDS[0],
        )

    async def _copy(
        self, table: str, columns: Sequence[str], queue: "asyncio.Queue[list[Row] | None]"
    ) -> None:
        """COPY the rows of every batch put in the queue, until None comes."""

        async def records() -> AsyncIterator[Row]:
            while (batch := await queue.get()) is not None:
                for record in batch:
                    yield record

        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = 0")  # one COPY of millions of rows
            await conn.copy_records_to_table(
                table, columns=columns, records=records(), timeout=_COPY_TIMEOUT_SECONDS
            )

    async def _link_admin(
        self,
        conn: asyncpg.Connection,
        channels: Sequence[DemoChannelRow],
        user_id: int,
        verified_at: datetime,
    ) -> None:
        await conn.execute(
            "INSERT INTO users (id, first_name) VALUES ($1, 'Demo') ON CONFLICT (id) DO NOTHING",
            user_id,
        )
        await conn.copy_records_to_table(
            "channel_admins",
            columns=("channel_id", "user_id", "verified_at"),
            records=[(c.id, user_id, verified_at) for c in channels],
        )
