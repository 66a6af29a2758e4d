"""The rows of a channel's CSV exports, streamed from a server-side cursor in chunks.

The exports are the analytics' own queries, so a file and /stats agree on every number. They
take the channel id ($1), the first and last day of the period ($2, $3, dates in the user's
time zone) and that time zone ($4); the posts also now ($5: views at 24 h are known once a
post is 24 h old). The queries are public so a benchmark can run the very same SQL through
PostgreSQL's own COPY.
"""

from collections.abc import AsyncIterator
from datetime import date, datetime
from enum import Enum

import asyncpg

from db.analytics import DAILY_GROWTH_QUERY, POSTS_WITH_METRICS
from db.repository import Repository

# Each post of the period with its latest metrics, in publishing order; a link for public
# channels. Engagement: latest reactions per latest views, in %.
POSTS_QUERY = f"""
WITH {POSTS_WITH_METRICS}
SELECT m.message_id,
       (m.posted_at AT TIME ZONE $4::text)::timestamp(0) AS posted_at,
       m.text,
       m.media_kind,
       m.views,
       m.views_24h,
       m.reactions,
       round(m.reactions * 100.0 / nullif(m.views, 0), 2)::float8 AS engagement_pct,
       'https://t.me/' || c.username || '/' || m.message_id AS link
  FROM posts_with_metrics m
  JOIN channels c ON c.id = $1
 ORDER BY m.posted_at, m.message_id
"""

DAILY_SUBSCRIBERS_QUERY = f"""
SELECT growth.day, growth.subscribers FROM ({DAILY_GROWTH_QUERY}) growth ORDER BY growth.day
"""

DAILY_JOINS_LEAVES_QUERY = f"""
SELECT growth.day, growth.joins, growth.leaves, growth.joins - growth.leaves AS net
  FROM ({DAILY_GROWTH_QUERY}) growth
 ORDER BY growth.day
"""


class ExportQuery(Enum):
    """The three exports, by the SQL that produces their rows."""

    POSTS = POSTS_QUERY
    DAILY_SUBSCRIBERS = DAILY_SUBSCRIBERS_QUERY
    DAILY_JOINS_LEAVES = DAILY_JOINS_LEAVES_QUERY


class ExportsRepository(Repository):
    async def stream(
        self,
        query: ExportQuery,
        *,
        channel_id: int,
        first_day: date,
        last_day: date,
        time_zone: str,
        now: datetime,
        chunk_rows: int,
    ) -> AsyncIterator[list[asyncpg.Record]]:
        """The export's rows in order, chunk_rows at a time; close it (aclosing) if you stop early.

        A server-side cursor (it lives in a transaction) keeps memory flat however many rows.
        """
        args: tuple[object, ...] = (channel_id, first_day, last_day, time_zone)
        if query is ExportQuery.POSTS:
            args += (now,)
        async with self._pool.acquire() as conn, conn.transaction(readonly=True):
            cursor = await conn.cursor(query.value, *args)
            while chunk := await cursor.fetch(chunk_rows):
                yield chunk
