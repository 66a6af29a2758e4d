"""Bulk writes of what Telegram tells us about tracked channels, one statement per kind."""

import json
from collections.abc import Sequence

import asyncpg

from db.repository import Repository, columns, record_from
from db.webhooks import publish
from services.domain.ingestion import PostRow, ReactionCountRow, SnapshotRow, SubscriberEventRow
from services.domain.webhooks import post_published, subscribers_daily


class IngestionRepository(Repository):
    """Every write keeps only rows of tracked channels, and is idempotent where it can be."""

    async def upsert_posts(self, conn: asyncpg.Connection, rows: Sequence[PostRow]) -> None:
        """Insert posts or apply edits; rows must hold one version per (channel, message).

        A post stored for the first time is published to webhooks (post.published), in the
        same transaction.
        """
        inserted = await conn.fetch(
            """
            INSERT INTO posts (channel_id, message_id, posted_at, text, media_kind,
                               media_file_unique_id, media_group_id, edited_at)
            SELECT t.* FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[],
                                   $5::text[], $6::text[], $7::text[], $8::timestamptz[])
                   AS t(channel_id, message_id, posted_at, text, media_kind,
                        media_file_unique_id, media_group_id, edited_at)
              JOIN channels c ON c.id = t.channel_id AND c.is_tracked
            ON CONFLICT (channel_id, message_id) DO UPDATE
               SET text = EXCLUDED.text,
                   media_kind = EXCLUDED.media_kind,
                   media_file_unique_id = EXCLUDED.media_file_unique_id,
                   edited_at = EXCLUDED.edited_at
             WHERE EXCLUDED.edited_at IS NOT NULL
               AND EXCLUDED.edited_at >= coalesce(posts.edited_at, '-infinity')
            RETURNING channel_id, message_id, posted_at, text, media_kind, xmax = 0 AS is_new
            """,
            *columns(rows, "channel_id", "message_id", "posted_at", "text", "media_kind"),
            *columns(rows, "media_file_unique_id", "media_group_id", "edited_at"),
        )
        await publish(
            conn,
            [
                record_from(post_published, row)
                for row in sorted(inserted, key=lambda r: (r["posted_at"], r["message_id"]))
                if row["is_new"]
            ],
        )

    async def insert_reaction_counts(
        self, conn: asyncpg.Connection, rows: Sequence[ReactionCountRow]
    ) -> None:
        await conn.execute(
            """
            INSERT INTO post_reaction_counts (channel_id, message_id, observed_at, total, reactions)
            SELECT t.channel_id, t.message_id, t.observed_at, t.total, t.reactions::jsonb
              FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::int[], $5::text[])
                   AS t(channel_id, message_id, observed_at, total, reactions)
              JOIN channels c ON c.id = t.channel_id AND c.is_tracked
            ON CONFLICT (channel_id, message_id, observed_at) DO UPDATE
               SET total = EXCLUDED.total, reactions = EXCLUDED.reactions
            """,
            *columns(rows, "channel_id", "message_id", "observed_at", "total"),
            [json.dumps(r.reactions, ensure_ascii=False) for r in rows],
        )

    async def insert_subscriber_events(
        self, conn: asyncpg.Connection, rows: Sequence[SubscriberEventRow]
    ) -> None:
        """Store joins with their source (links seen for the first time become the channel's
        links), then tie each leave to its subscriber's latest join before it, whose source
        it takes: in the same batch or an earlier one."""
        links = [r for r in rows if r.invite_link is not None]
        if links:
            await conn.execute(
                """
                INSERT INTO invite_links (channel_id, url, name, creates_join_request, created_at)
                SELECT DISTINCT ON (t.channel_id, t.url) t.channel_id, t.url, t.name, t.request,
                       t.occurred_at
                  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bool[],
                              $5::timestamptz[]) AS t(channel_id, url, name, request, occurred_at)
                  JOIN channels c ON c.id = t.channel_id AND c.is_tracked
                 ORDER BY t.channel_id, t.url, t.occurred_at
                ON CONFLICT (channel_id, url) DO UPDATE SET name = EXCLUDED.name
                 WHERE invite_links.name IS DISTINCT FROM EXCLUDED.name
                   AND EXCLUDED.name IS NOT NULL
                """,
                [r.channel_id for r in links],
                [r.invite_link.url for r in links if r.invite_link],
                [r.invite_link.name for r in links if r.invite_link],
                [r.invite_link.creates_join_request for r in links if r.invite_link],
                [r.occurred_at for r in links],
            )
        inserted = await conn.fetch(
            """
            INSERT INTO subscriber_events (channel_id, occurred_at, kind, invite_link_name,
                                           source, invite_link_id, subscriber_hash, update_id)
            SELECT t.channel_id, t.occurred_at, t.kind, t.invite_link_name, t.source, l.id,
                   t.subscriber_hash, t.update_id
              FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                          $6::text[], $7::bytea[], $8::bigint[])
                   WITH ORDINALITY AS t(channel_id, occurred_at, kind, invite_link_name, source,
                                        url, subscriber_hash, update_id, ord)
              JOIN channels c ON c.id = t.channel_id AND c.is_tracked
              LEFT JOIN invite_links l ON l.channel_id = t.channel_id AND l.url = t.url
             ORDER BY t.ord  -- ids follow arrival order
            ON CONFLICT (update_id) WHERE update_id IS NOT NULL DO NOTHING
            RETURNING id, kind, subscriber_hash IS NOT NULL AS hashed
            """,
            *columns(rows, "channel_id", "occurred_at", "kind", "invite_link_name", "source"),
            [r.invite_link.url if r.invite_link else None for r in rows],
            *columns(rows, "subscriber_hash", "update_id"),
        )
        leaves = [row["id"] for row in inserted if row["kind"] == "leave" and row["hashed"]]
        if leaves:
            await conn.execute(
                """
                UPDATE subscriber_events l
                   SET joined_event_id = j.id, source = j.source, invite_link_id = j.invite_link_id
                  FROM subscriber_events leaving
                  CROSS JOIN LATERAL (
                       SELECT j.id, j.source, j.invite_link_id FROM subscriber_events j
                        WHERE j.channel_id = leaving.channel_id AND j.kind = 'join'
                          AND j.subscriber_hash = leaving.subscriber_hash AND j.id < leaving.id
                        ORDER BY j.id DESC LIMIT 1) j
                 WHERE leaving.id = ANY($1::bigint[]) AND l.id = leaving.id
                """,
                leaves,
            )

    async def insert_snapshots(self, rows: Sequence[SnapshotRow]) -> None:
        """Store the counts; the first count of a (UTC) day publishes the day before to
        webhooks (subscribers.daily), once per channel and day, in the same transaction."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """
                INSERT INTO subscriber_snapshots (channel_id, taken_at, subscribers)
                SELECT t.* FROM unnest($1::bigint[], $2::timestamptz[], $3::int[])
                       AS t(channel_id, taken_at, subscribers)
                  JOIN channels c ON c.id = t.channel_id AND c.is_tracked
                ON CONFLICT (channel_id, taken_at) DO UPDATE SET subscribers = EXCLUDED.subscribers
                """,
                *columns(rows, "channel_id", "taken_at", "subscribers"),
            )
            days_ended = await conn.fetch(
                """
                WITH candidates AS (
                    SELECT DISTINCT t.channel_id,
                           ((t.taken_at AT TIME ZONE 'UTC')::date - 1) AS day
                      FROM unnest($1::bigint[], $2::timestamptz[]) AS t(channel_id, taken_at)
                ),
                bounds AS (
                    SELECT channel_id, day, day::timestamp AT TIME ZONE 'UTC' AS starts,
                           (day + 1)::timestamp AT TIME ZONE 'UTC' AS ends
                      FROM candidates
                ),
                marked AS (
                    INSERT INTO webhook_daily_reports (channel_id, day)
                    SELECT b.channel_id, b.day FROM bounds b
                     WHERE EXISTS (SELECT 1 FROM subscriber_snapshots s
                                    WHERE s.channel_id = b.channel_id
                                      AND s.taken_at >= b.starts AND s.taken_at < b.ends)
                    ON CONFLICT DO NOTHING
                    RETURNING channel_id, day
                )
                SELECT m.channel_id, m.day, b.ends,
                       (SELECT s.subscribers FROM subscriber_snapshots s
                         WHERE s.channel_id = m.channel_id AND s.taken_at < b.ends
                         ORDER BY s.taken_at DESC LIMIT 1) AS subscribers,
                       (SELECT s.subscribers FROM subscriber_snapshots s
                         WHERE s.channel_id = m.channel_id AND s.taken_at < b.starts
                         ORDER BY s.taken_at DESC LIMIT 1) AS previous
                  FROM marked m JOIN bounds b USING (channel_id, day)
                 ORDER BY m.channel_id
                """,
                *columns(rows, "channel_id", "taken_at"),
            )
            await publish(
                conn, [record_from(subscribers_daily, row, at=row["ends"]) for row in days_ended]
            )

    async def write_batch(
        self,
        *,
        posts: Sequence[PostRow],
        reaction_counts: Sequence[ReactionCountRow],
        subscriber_events: Sequence[SubscriberEventRow],
    ) -> None:
        """Write one flushed batch in one transaction, so a failure leaves nothing half-written."""
        async with self._pool.acquire() as conn, conn.transaction():
            if posts:
                await self.upsert_posts(conn, posts)
            if reaction_counts:
                await self.insert_reaction_counts(conn, reaction_counts)
            if subscriber_events:
                await self.insert_subscriber_events(conn, subscriber_events)
