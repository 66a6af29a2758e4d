"""The rows of a channel's CSV exports, streamed from a server-side cursor in chunks.

Every query takes the same four parameters: channel id ($1), the first and last day of the
period ($2, $3, dates in the user's time zone) and that time zone ($4). The queries are public
so a benchmark can run the very same SQL through PostgreSQL's own COPY.
"""

from collections.abc import AsyncIterator
from datetime import date
from enum import Enum

import asyncpg

# Where a day in the user's time zone begins and ends, as instants.
_PERIOD_START = "($2::date::timestamp AT TIME ZONE $4)"
_PERIOD_END = "(($3::date + 1)::timestamp AT TIME ZONE $4)"

# Each post of the period with its latest views and reactions. Views at 24 h: the count
# observed nearest the 24-hour mark, if one was taken within an hour of it (the views poller
# looks hourly at that age). Engagement: latest reactions per latest views, in %.
POSTS_QUERY = f"""
SELECT p.message_id,
       (p.posted_at AT TIME ZONE $4)::timestamp(0) AS posted_at,
       p.text,
       p.media_kind,
       latest_views.views,
       views_24h.views AS views_24h,
       coalesce(latest_reactions.total, 0) AS reactions,
       round(100.0 * coalesce(latest_reactions.total, 0) / nullif(latest_views.views, 0), 2)
           ::float8 AS engagement_pct,
       'https://t.me/' || c.username || '/' || p.message_id AS link
  FROM posts p
  JOIN channels c ON c.id = p.channel_id
  LEFT JOIN LATERAL (
       SELECT v.views FROM post_views v
        WHERE v.channel_id = p.channel_id AND v.message_id = p.message_id
        ORDER BY v.observed_at DESC LIMIT 1
  ) latest_views ON true
  LEFT JOIN LATERAL (
       SELECT v.views FROM post_views v
        WHERE v.channel_id = p.channel_id AND v.message_id = p.message_id
          AND v.observed_at BETWEEN p.posted_at + interval '23 hours'
                                AND p.posted_at + interval '25 hours'
        ORDER BY abs(extract(epoch FROM v.observed_at - p.posted_at) - 86400) LIMIT 1
  ) views_24h ON true
  LEFT JOIN LATERAL (
       SELECT r.total FROM post_reaction_counts r
        WHERE r.channel_id = p.channel_id AND r.message_id = p.message_id
        ORDER BY r.observed_at DESC LIMIT 1
  ) latest_reactions ON true
 WHERE p.channel_id = $1
   AND p.posted_at >= {_PERIOD_START} AND p.posted_at < {_PERIOD_END}
 ORDER BY p.posted_at, p.message_id
"""

# Each day of the period with the last subscriber count known at its end (none before the
# first snapshot).
DAILY_SUBSCRIBERS_QUERY = """
SELECT days.day, last_snapshot.subscribers
  FROM generate_series($2::date, $3::date, interval '1 day') AS series(start)
 CROSS JOIN LATERAL (SELECT series.start::date AS day) days
  LEFT JOIN LATERAL (
       SELECT s.subscribers FROM subscriber_snapshots s
        WHERE s.channel_id = $1
          AND s.taken_at < ((days.day + 1)::timestamp AT TIME ZONE $4)
        ORDER BY s.taken_at DESC LIMIT 1
  ) last_snapshot ON true
 ORDER BY days.day
"""

# Each day of the period with its joins, leaves and their difference.
DAILY_JOINS_LEAVES_QUERY = f"""
SELECT days.day,
       coalesce(counts.joins, 0) AS joins,
       coalesce(counts.leaves, 0) AS leaves,
       coalesce(counts.joins, 0) - coalesce(counts.leaves, 0) AS net
  FROM generate_series($2::date, $3::date, interval '1 day') AS series(start)
 CROSS JOIN LATERAL (SELECT series.start::date AS day) days
  LEFT JOIN (
       SELECT (e.occurred_at AT TIME ZONE $4)::date AS day,
              count(*) FILTER (WHERE e.kind = 'join') AS joins,
              count(*) FILTER (WHERE e.kind = 'leave') AS leaves
         FROM subscriber_events e
        WHERE e.channel_id = $1
          AND e.occurred_at >= {_PERIOD_START} AND e.occurred_at < {_PERIOD_END}
        GROUP BY 1
  ) counts ON counts.day = days.day
 ORDER BY days.day
"""


class ExportQuery(Enum):
    """The three exports, by the SQL that produces their rows."""

    POSTS = POSTS_QUERY
    DAILY_SUBSCRIBERS = DAILY_SUBSCRIBERS_QUERY
    DAILY_JOINS_LEAVES = DAILY_JOINS_LEAVES_QUERY


class ExportsRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def stream(
        self,
        query: ExportQuery,
        *,
        channel_id: int,
        first_day: date,
        last_day: date,
        time_zone: str,
        chunk_rows: int,
    ) -> AsyncIterator[list[asyncpg.Record]]:
        """The export's rows in order, chunk_rows at a time; close it (aclosing) if you stop early.

        A server-side cursor (it lives in a transaction) keeps memory flat however many rows.
        """
        async with self._pool.acquire() as conn, conn.transaction(readonly=True):
            cursor = await conn.cursor(query.value, channel_id, first_day, last_day, time_zone)
            while chunk := await cursor.fetch(chunk_rows):
                yield chunk
