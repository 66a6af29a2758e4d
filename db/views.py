"""Post views over time, and the state of each channel's views source."""

from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from db.errors import NotFound
from db.repository import Repository, columns, record_from
from db.webhooks import publish
from services.domain.views import (
    DueChannel,
    PollingStep,
    PollOutcome,
    PreviewedPost,
    ViewCount,
    ViewSourceRecord,
    ViewSourceStatus,
)
from services.domain.webhooks import VIEW_MILESTONE_HOURS, post_views


class ViewsRepository(Repository):
    async def mark_private(self) -> None:
        """Tracked channels without a username have no public preview: say so."""
        await self._pool.execute(
            """
            INSERT INTO channel_view_sources AS s (channel_id, status, last_error)
            SELECT id, 'private', 'no public username' FROM channels
             WHERE is_tracked AND username IS NULL
            ON CONFLICT (channel_id) DO UPDATE
               SET status = EXCLUDED.status, last_error = EXCLUDED.last_error
             WHERE s.status <> 'private'
            """
        )

    async def due_channels(
        self,
        *,
        now: datetime,
        schedule: Sequence[PollingStep],
        retry_first: timedelta,
        retry_longest: timedelta,
        limit: int,
    ) -> list[DueChannel]:
        """Public channels that need a backfill, or have a post due by the schedule.

        A poll reads pages from the newest post down to the oldest due one, so a post counts
        as checked at the latest time any post at or below it was observed after it was
        published: albums' hidden messages, service messages and deleted posts are covered by
        their neighbours. A channel is fetched at most once per shortest step, and one whose
        last fetch failed waits twice as long after each further failure. Channels another
        process has claimed (claim_channels) are left out.
        """
        rows = await self._pool.fetch(
            """
            WITH schedule AS (
                SELECT * FROM unnest($2::interval[], $3::interval[]) AS s(until_age, every)
            ),
            sources AS (
                SELECT c.id AS channel_id, c.username, s.backfilled_at, s.last_polled_at,
                       anchor.message_id AS anchor_message_id
                  FROM channels c
                  LEFT JOIN channel_view_sources s ON s.channel_id = c.id
                  -- The newest post past the schedule: observations of it cover older gaps.
                  LEFT JOIN LATERAL (
                       SELECT a.message_id FROM posts a
                        WHERE a.channel_id = c.id
                          AND a.posted_at
                              <= $1::timestamptz - (SELECT max(until_age) FROM schedule)
                        ORDER BY a.posted_at DESC LIMIT 1
                  ) anchor ON true
                 WHERE c.is_tracked AND c.username IS NOT NULL
                   AND (s.claimed_until IS NULL OR s.claimed_until <= $1::timestamptz)
                   AND (s.last_polled_at IS NULL
                        OR s.last_polled_at <= $1::timestamptz - greatest(
                               (SELECT min(every) FROM schedule),
                               CASE WHEN s.failures > 0 THEN least(
                                   $4::interval * power(2, least(s.failures - 1, 20)),
                                   $5::interval)
                               END))
            ),
            checked_posts AS (
                SELECT p.channel_id, p.message_id, p.posted_at,
                       max(seen.observed_at) OVER (
                           PARTITION BY p.channel_id ORDER BY p.message_id
                       ) AS checked_at
                  FROM sources src
                  JOIN posts p ON p.channel_id = src.channel_id
                              AND p.message_id >= coalesce(src.anchor_message_id, 0)
                  LEFT JOIN LATERAL (
                       SELECT v.observed_at FROM post_views v
                        WHERE v.channel_id = p.channel_id AND v.message_id = p.message_id
                        ORDER BY v.observed_at DESC LIMIT 1
                  ) seen ON true
                 WHERE src.backfilled_at IS NOT NULL
            ),
            due_posts AS (
                SELECT cp.channel_id, array_agg(cp.message_id ORDER BY cp.message_id) AS ids
                  FROM checked_posts cp
                 CROSS JOIN LATERAL (
                       SELECT sch.every FROM schedule sch
                        WHERE $1::timestamptz - cp.posted_at < sch.until_age
                        ORDER BY sch.until_age LIMIT 1
                 ) step
                 WHERE cp.checked_at IS NULL
                    OR cp.checked_at < cp.posted_at
                    OR cp.checked_at <= $1::timestamptz - step.every
                 GROUP BY cp.channel_id
            )
            SELECT src.channel_id, src.username, src.backfilled_at IS NULL AS needs_backfill,
                   coalesce(d.ids, '{}') AS due_message_ids
              FROM sources src
              LEFT JOIN due_posts d ON d.channel_id = src.channel_id
             WHERE src.backfilled_at IS NULL OR d.ids IS NOT NULL
             ORDER BY src.last_polled_at NULLS FIRST, src.channel_id
             LIMIT $6
            """,
            now,
            *columns(schedule, "until_age", "every"),
            retry_first,
            retry_longest,
            limit,
        )
        return [
            record_from(DueChannel, row, due_message_ids=list(row["due_message_ids"]))
            for row in rows
        ]

    async def claim_channels(
        self, *, channel_ids: Sequence[int], now: datetime, lease_until: datetime
    ) -> set[int]:
        """Lease those of the channels no other process holds; the ones this call got.

        FOR UPDATE SKIP LOCKED: processes claiming at once each get different channels, none
        waits for another. The lease is committed at once, so no transaction stays open while
        the preview is read; record_outcomes ends it, and a dead process's lease runs out.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            # A channel never collected has no row yet to lock.
            await conn.execute(
                """
                INSERT INTO channel_view_sources (channel_id)
                SELECT id FROM channels WHERE id = ANY($1::bigint[])
                ON CONFLICT (channel_id) DO NOTHING
                """,
                channel_ids,
            )
            rows = await conn.fetch(
                """
                WITH free AS (
                    SELECT channel_id FROM channel_view_sources
                     WHERE channel_id = ANY($1::bigint[])
                       AND (claimed_until IS NULL OR claimed_until <= $2)
                       FOR UPDATE SKIP LOCKED
                )
                UPDATE channel_view_sources s SET claimed_until = $3
                  FROM free WHERE s.channel_id = free.channel_id
                RETURNING s.channel_id
                """,
                channel_ids,
                now,
                lease_until,
            )
        return {row["channel_id"] for row in rows}

    async def store_page(
        self,
        *,
        channel_id: int,
        observed_at: datetime,
        view_counts: Sequence[ViewCount],
        posts: Sequence[PreviewedPost] = (),
    ) -> None:
        """Add one observation per post, and the posts published before tracking began.

        Posts are inserted only if older than the channel's tracking, and never over a stored
        row: the bot's own copy (with file ids and album ids) wins, whichever arrives first.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            if posts:
                await conn.execute(
                    """
                    INSERT INTO posts (channel_id, message_id, posted_at, text, media_kind)
                    SELECT c.id, t.message_id, t.posted_at, t.text, t.media_kind
                      FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[])
                           AS t(message_id, posted_at, text, media_kind)
                      JOIN channels c ON c.id = $1 AND c.is_tracked AND t.posted_at < c.added_at
                    ON CONFLICT (channel_id, message_id) DO NOTHING
                    """,
                    channel_id,
                    *columns(posts, "message_id", "posted_at", "text", "media_kind"),
                )
            await conn.execute(
                """
                INSERT INTO post_views (channel_id, message_id, observed_at, views)
                SELECT c.id, t.message_id, $2, t.views
                  FROM unnest($3::bigint[], $4::int[]) AS t(message_id, views)
                  JOIN channels c ON c.id = $1 AND c.is_tracked
                ON CONFLICT DO NOTHING
                """,
                channel_id,
                observed_at,
                *columns(view_counts, "message_id", "views"),
            )
            await self._publish_milestones(conn, channel_id, observed_at, view_counts)

    async def _publish_milestones(
        self,
        conn: asyncpg.Connection,
        channel_id: int,
        observed_at: datetime,
        view_counts: Sequence[ViewCount],
    ) -> None:
        """post.views for the posts this observation finds past an age they were not yet
        published at: 1 h (seen before 24 h), 24 h (before 48 h), 48 h (before 72 h), once."""
        hours = list(VIEW_MILESTONE_HOURS)
        rows = await conn.fetch(
            """
            WITH observed AS (
                SELECT p.channel_id, p.message_id, p.posted_at, t.views,
                       extract(epoch FROM ($2 - p.posted_at)) / 3600 AS age_hours
                  FROM unnest($3::bigint[], $4::int[]) AS t(message_id, views)
                  JOIN posts p ON p.channel_id = $1 AND p.message_id = t.message_id
                  JOIN channels c ON c.id = p.channel_id AND c.is_tracked
            ),
            due AS (
                SELECT o.*, m.hours FROM observed o
                  JOIN unnest($5::int[], $6::int[]) AS m(hours, until_hours)
                    ON o.age_hours >= m.hours AND o.age_hours < m.until_hours
            ),
            marked AS (
                INSERT INTO webhook_post_milestones (channel_id, message_id, hours)
                SELECT channel_id, message_id, hours FROM due
                ON CONFLICT DO NOTHING
                RETURNING channel_id, message_id, hours
            )
            SELECT d.channel_id, d.message_id, d.posted_at, d.views, d.hours
              FROM due d JOIN marked USING (channel_id, message_id, hours)
             ORDER BY d.posted_at, d.message_id
            """,
            channel_id,
            observed_at,
            *columns(view_counts, "message_id", "views"),
            hours,
            [*hours[1:], hours[-1] + 24],
        )
        await publish(conn, [record_from(post_views, row, observed_at=observed_at) for row in rows])

    async def record_outcomes(
        self, *, polled_at: datetime, outcomes: Sequence[PollOutcome]
    ) -> None:
        """Each channel's status after a run; a failure adds one, a success clears them.

        Ends the run's leases (claim_channels).
        """
        await self._pool.execute(
            """
            INSERT INTO channel_view_sources AS s
                   (channel_id, status, last_polled_at, failures, last_error, backfilled_at)
            SELECT c.id, t.status, $1::timestamptz, (t.status <> 'ok')::int, t.error,
                   CASE WHEN t.backfilled THEN $1 END
              FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bool[])
                   AS t(channel_id, status, error, backfilled)
              JOIN channels c ON c.id = t.channel_id
            ON CONFLICT (channel_id) DO UPDATE
               SET status = EXCLUDED.status,
                   last_polled_at = EXCLUDED.last_polled_at,
                   failures = CASE WHEN EXCLUDED.status = 'ok' THEN 0 ELSE s.failures + 1 END,
                   last_error = EXCLUDED.last_error,
                   backfilled_at = coalesce(EXCLUDED.backfilled_at, s.backfilled_at),
                   claimed_until = NULL
            """,
            polled_at,
            [outcome.channel_id for outcome in outcomes],
            [outcome.status.value for outcome in outcomes],
            *columns(outcomes, "error", "backfilled"),
        )

    async def source(self, *, channel_id: int) -> ViewSourceRecord:
        """Where the channel's views come from, and how the last poll went."""
        row = await self._pool.fetchrow(
            """
            SELECT channel_id, status, backfilled_at, last_polled_at, failures, last_error
              FROM channel_view_sources WHERE channel_id = $1
            """,
            channel_id,
        )
        if row is None:
            raise NotFound(f"views source of channel {channel_id}")
        return ViewSourceRecord(**{**dict(row), "status": ViewSourceStatus(row["status"])})
