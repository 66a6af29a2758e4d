"""The rows of a channel's CSV exports, formatted and written by PostgreSQL's own COPY.

The exports are the analytics' own queries, so a file and /stats agree on every number. They
take the channel id ($1), the first and last day of the period ($2, $3, dates in the user's
time zone) and that time zone ($4); the posts also now ($5: views at 24 h are known once a
post is 24 h old) and the decimal separator ($6). Every cell is formatted here, in SQL, so
COPY's CSV is the file: dates and times in the DateStyle asked for (set for the COPY's
session), decimals with the separator asked for, and post texts a spreadsheet would run as a formula
made inert.
"""

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from enum import Enum

import asyncpg

from db.analytics import DAILY_GROWTH_QUERY, POSTS_WITH_METRICS
from db.repository import Repository
from db.sources import DAILY_SOURCES_QUERY

# A spreadsheet runs a cell that starts with one of = + - @ tab or CR as a formula ("CSV
# injection"); post texts come from anyone who can post, so such texts get a leading
# apostrophe, which shows as text.
POSTS_QUERY = f"""
WITH {POSTS_WITH_METRICS}
SELECT m.message_id,
       (m.posted_at AT TIME ZONE $4::text)::timestamp(0),
       CASE WHEN left(m.text, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || m.text
            ELSE m.text
       END,
       m.media_kind,
       m.views,
       m.views_24h,
       m.reactions,
       -- Engagement: latest reactions per latest views, in %, to at most two decimals.
       replace(
           to_char(round(m.reactions * 100.0 / nullif(m.views, 0), 2), 'FM9999999999999990.09'),
           '.', $6::text
       ),
       'https://t.me/' || c.username || '/' || m.message_id
  FROM posts_with_metrics m
  JOIN channels c ON c.id = $1
 ORDER BY m.posted_at, m.message_id
"""

DAILY_SUBSCRIBERS_QUERY = f"""
SELECT growth.day, growth.subscribers
  FROM ({DAILY_GROWTH_QUERY}) growth
 ORDER BY growth.day
"""

DAILY_JOINS_LEAVES_QUERY = f"""
SELECT growth.day, growth.joins, growth.leaves, growth.joins - growth.leaves
  FROM ({DAILY_GROWTH_QUERY}) growth
 ORDER BY growth.day
"""


# Link names come from any admin: made inert as post texts are. Other sources are named by
# $5 (their stored values) and $6 (their names in the user's language).
DAILY_SOURCES_CSV_QUERY = f"""
SELECT daily.day,
       CASE WHEN daily.source <> 'link' THEN
                (SELECT n.name FROM unnest($5::text[], $6::text[]) AS n(kind, name)
                  WHERE n.kind = daily.source)
            WHEN left(coalesce(daily.link_name, daily.link_url), 1)
                 IN ('=', '+', '-', '@', E'\\t', E'\\r')
                THEN '''' || coalesce(daily.link_name, daily.link_url)
            ELSE coalesce(daily.link_name, daily.link_url)
       END,
       daily.joins, daily.leaves
  FROM ({DAILY_SOURCES_QUERY}) daily
 ORDER BY daily.day, daily.joins DESC, daily.source, daily.invite_link_id
"""


class ExportQuery(Enum):
    """The exports, by the SQL that produces their rows."""

    POSTS = POSTS_QUERY
    DAILY_SUBSCRIBERS = DAILY_SUBSCRIBERS_QUERY
    DAILY_JOINS_LEAVES = DAILY_JOINS_LEAVES_QUERY
    DAILY_SOURCES = DAILY_SOURCES_CSV_QUERY


# Receives the CSV as COPY sends it, a batch of whole rows at a time.
CsvSink = Callable[[bytes], Awaitable[None]]


class ExportsRepository(Repository):
    def __init__(self, pool: asyncpg.Pool, *, copy_timeout: float) -> None:
        """copy_timeout: seconds one COPY may take, in place of the pool's statement timeout."""
        super().__init__(pool)
        self._copy_timeout = copy_timeout

    async def copy_csv(
        self,
        query: ExportQuery,
        *,
        channel_id: int,
        first_day: date,
        last_day: date,
        time_zone: str,
        now: datetime,
        delimiter: str,
        decimal_separator: str,
        date_style: str,
        sink: CsvSink,
        source_names: Mapping[str, str] | None = None,
    ) -> int:
        """Stream the export's rows as CSV without a header into sink; returns how many.

        An exception raised by sink stops the COPY and comes out of this call.
        """
        args: tuple[object, ...] = (channel_id, first_day, last_day, time_zone)
        if query is ExportQuery.POSTS:
            args += (now, decimal_separator)
        elif query is ExportQuery.DAILY_SOURCES:
            names = source_names or {}
            args += (list(names), list(names.values()))
        async with self._pool.acquire() as conn:
            # Until the connection is released: the pool resets it (RESET ALL) to its own.
            # The dates as asked, whatever the server's default.
            await conn.execute(
                "SELECT set_config('statement_timeout', $1, false),"
                " set_config('datestyle', $2, false)",
                str(round(self._copy_timeout * 1000)),
                date_style,
            )
            try:
                status = await conn.copy_from_query(
                    query.value,
                    *args,
                    output=sink,
                    format="csv",
                    delimiter=delimiter,
                    timeout=self._copy_timeout,
                )
            except BaseException:
                # A COPY cut short can leave the connection waiting for an answer that never
                # comes (asyncpg then hangs resetting it): close it, the pool opens another.
                conn.terminate()
                raise
        return int(status.split()[-1])  # "COPY 1234"
