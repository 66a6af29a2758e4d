"""Channel analytics in SQL: growth per day, per-post metrics, period totals, posting times.

Every query works on sets (CTEs, window functions, generate_series); days and hours are the
user's, so each takes the time zone name and PostgreSQL does the calendar arithmetic.
"""

from dataclasses import fields
from datetime import date, datetime

from db.repository import Repository, record_from
from db.sources import PERIOD_SOURCES_QUERY
from services.domain.analytics import (
    ChannelTotals,
    DailyGrowth,
    PeriodTotals,
    PostingSlot,
    PostingTimes,
    PostStats,
)
from services.domain.sources import PeriodSource, SourceKind

# The posts published in [$2, $3] (days in time zone $4) of channel $1, with their latest views,
# latest reaction total and views at 24 h (known once the post is 24 h old at $5).
POSTS_WITH_METRICS = """
posts_with_metrics AS (
    SELECT p.message_id, p.posted_at, p.text, p.media_kind,
           latest.views, coalesce(reaction.total, 0) AS reactions, at_24h.views AS views_24h
      FROM posts p
      LEFT JOIN LATERAL (
           SELECT v.views FROM post_views v
            WHERE v.channel_id = p.channel_id AND v.message_id = p.message_id
            ORDER BY v.observed_at DESC LIMIT 1
      ) latest ON true
      LEFT JOIN LATERAL (
           SELECT v.views FROM post_views v
            WHERE v.channel_id = p.channel_id AND v.message_id = p.message_id
              AND v.observed_at <= p.posted_at + interval '24 hours'
              AND p.posted_at + interval '24 hours' <= $5::timestamptz
            ORDER BY v.observed_at DESC LIMIT 1
      ) at_24h ON true
      LEFT JOIN LATERAL (
           SELECT r.total FROM post_reaction_counts r
            WHERE r.channel_id = p.channel_id AND r.message_id = p.message_id
            ORDER BY r.observed_at DESC LIMIT 1
      ) reaction ON true
     WHERE p.channel_id = $1
       AND p.posted_at >= $2::date::timestamp AT TIME ZONE $4::text
       AND p.posted_at < ($3::date + 1)::timestamp AT TIME ZONE $4::text
)
"""

# Every day [$2, $3] (days in time zone $4) of channel $1: joins, leaves, posts, the latest
# subscriber count before the day's end, and the net growth from the first day to this one.
DAILY_GROWTH_QUERY = """
WITH days AS (
    SELECT d::date AS day, (d::date + 1)::timestamp AT TIME ZONE $4::text AS ends_at
      FROM generate_series($2::date, $3::date, interval '1 day') AS d
),
events AS (
    SELECT (e.occurred_at AT TIME ZONE $4::text)::date AS day,
           count(*) FILTER (WHERE e.kind = 'join')::int AS joins,
           count(*) FILTER (WHERE e.kind = 'leave')::int AS leaves
      FROM subscriber_events e
     WHERE e.channel_id = $1
       AND e.occurred_at >= $2::date::timestamp AT TIME ZONE $4::text
       AND e.occurred_at < ($3::date + 1)::timestamp AT TIME ZONE $4::text
     GROUP BY 1
),
published AS (
    SELECT (p.posted_at AT TIME ZONE $4::text)::date AS day, count(*)::int AS posts
      FROM posts p
     WHERE p.channel_id = $1
       AND p.posted_at >= $2::date::timestamp AT TIME ZONE $4::text
       AND p.posted_at < ($3::date + 1)::timestamp AT TIME ZONE $4::text
     GROUP BY 1
)
SELECT d.day, coalesce(e.joins, 0) AS joins, coalesce(e.leaves, 0) AS leaves,
       coalesce(pub.posts, 0) AS posts, snap.subscribers,
       sum(coalesce(e.joins - e.leaves, 0)) OVER (ORDER BY d.day)::int
           AS net_growth_to_date
  FROM days d
  LEFT JOIN events e ON e.day = d.day
  LEFT JOIN published pub ON pub.day = d.day
  LEFT JOIN LATERAL (
       SELECT s.subscribers FROM subscriber_snapshots s
        WHERE s.channel_id = $1 AND s.taken_at < d.ends_at
        ORDER BY s.taken_at DESC LIMIT 1
  ) snap ON true
 ORDER BY d.day
"""


class AnalyticsRepository(Repository):
    async def totals(
        self,
        *,
        channel_id: int,
        first_day: date,
        last_day: date,
        previous_first_day: date,
        previous_last_day: date,
        baseline_first_day: date,
        time_zone: str,
        now: datetime,
    ) -> ChannelTotals:
        """Key numbers of a period and of the one before it, and the channel's baselines."""
        rows = await self._pool.fetch(
            f"""
            WITH {POSTS_WITH_METRICS},
            periods AS (
                SELECT t.idx,
                       t.first_day::timestamp AT TIME ZONE $4::text AS starts_at,
                       (t.last_day + 1)::timestamp AT TIME ZONE $4::text AS ends_at
                  FROM (VALUES (0, $6::date, $3::date), (1, $7::date, $8::date))
                       AS t(idx, first_day, last_day)
            ),
            baseline AS (
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY views_24h) AS median_views_24h
                  FROM posts_with_metrics
                 WHERE posted_at >= $9::date::timestamp AT TIME ZONE $4::text
            )
            SELECT pr.idx,
                   snap_end.subscribers,
                   coalesce(snap_end.subscribers - snap_start.subscribers,
                            ev.joins - ev.leaves) AS subscriber_change,
                   ev.joins, ev.leaves,
                   pp.posts, pp.average_reach,
                   pp.average_reach * 100 / nullif(snap_end.subscribers, 0) AS err,
                   pp.engagement_rate, pp.median_views_24h,
                   baseline.median_views_24h AS baseline_median_views_24h,
                   (SELECT status FROM channel_view_sources WHERE channel_id = $1)
                       AS views_source_status
              FROM periods pr
              CROSS JOIN baseline
              LEFT JOIN LATERAL (
                   SELECT s.subscribers FROM subscriber_snapshots s
                    WHERE s.channel_id = $1 AND s.taken_at < pr.ends_at
                    ORDER BY s.taken_at DESC LIMIT 1
              ) snap_end ON true
              LEFT JOIN LATERAL (
                   SELECT s.subscribers FROM subscriber_snapshots s
                    WHERE s.channel_id = $1 AND s.taken_at <= pr.starts_at
                    ORDER BY s.taken_at DESC LIMIT 1
              ) snap_start ON true
              CROSS JOIN LATERAL (
                   SELECT count(*) FILTER (WHERE e.kind = 'join')::int AS joins,
                          count(*) FILTER (WHERE e.kind = 'leave')::int AS leaves
                     FROM subscriber_events e
                    WHERE e.channel_id = $1
                      AND e.occurred_at >= pr.starts_at AND e.occurred_at < pr.ends_at
              ) ev
              CROSS JOIN LATERAL (
                   SELECT count(*)::int AS posts,
                          avg(p.views)::float8 AS average_reach,
                          (sum(p.reactions) FILTER (WHERE p.views > 0) * 100.0
                           / nullif(sum(p.views) FILTER (WHERE p.views > 0), 0))::float8
                              AS engagement_rate,
                          percentile_cont(0.5) WITHIN GROUP (ORDER BY p.views_24h)
                              AS median_views_24h
                     FROM posts_with_metrics p
                    WHERE p.posted_at >= pr.starts_at AND p.posted_at < pr.ends_at
              ) pp
             ORDER BY pr.idx
            """,
            channel_id,
            min(previous_first_day, baseline_first_day),
            last_day,
            time_zone,
            now,
            first_day,
            previous_first_day,
            previous_last_day,
            baseline_first_day,
        )
        current, previous = (
            PeriodTotals(**{field.name: row[field.name] for field in fields(PeriodTotals)})
            for row in rows
        )
        return ChannelTotals(
            current=current,
            previous=previous,
            median_views_24h=rows[0]["baseline_median_views_24h"],
            views_source_status=rows[0]["views_source_status"],
        )

    async def daily_growth(
        self, *, channel_id: int, first_day: date, last_day: date, time_zone: str
    ) -> list[DailyGrowth]:
        """One row per day of the period, days without events included."""
        return await self._fetch_records(
            DailyGrowth, DAILY_GROWTH_QUERY, channel_id, first_day, last_day, time_zone
        )

    async def posts(
        self, *, channel_id: int, first_day: date, last_day: date, time_zone: str, now: datetime
    ) -> list[PostStats]:
        """The period's posts in publishing order, with their metrics and ranks."""
        return await self._fetch_records(
            PostStats,
            f"""
            WITH {POSTS_WITH_METRICS},
            rated AS (
                SELECT *, (reactions * 100.0 / nullif(views, 0))::float8 AS engagement
                  FROM posts_with_metrics
            )
            SELECT message_id, posted_at, left(text, 200) AS text, media_kind, views, reactions,
                   engagement, views_24h,
                   CASE WHEN views IS NOT NULL THEN
                        row_number() OVER (ORDER BY views DESC NULLS LAST, posted_at DESC)
                   END AS views_rank,
                   CASE WHEN engagement IS NOT NULL THEN
                        row_number() OVER (ORDER BY engagement DESC NULLS LAST,
                                                    views DESC NULLS LAST, posted_at DESC)
                   END AS engagement_rank
              FROM rated
             ORDER BY posted_at, message_id
            """,
            channel_id,
            first_day,
            last_day,
            time_zone,
            now,
        )

    async def posting_times(
        self, *, channel_id: int, first_day: date, last_day: date, time_zone: str, now: datetime
    ) -> PostingTimes:
        """Mean views by weekday × hour, by weekday and by hour of publishing, best first."""
        rows = await self._pool.fetch(
            f"""
            WITH {POSTS_WITH_METRICS},
            published AS (
                SELECT (extract(isodow FROM posted_at AT TIME ZONE $4::text) - 1)::int
                           AS weekday,
                       extract(hour FROM posted_at AT TIME ZONE $4::text)::int AS hour,
                       views
                  FROM posts_with_metrics
                 WHERE views IS NOT NULL
            )
            SELECT weekday, hour, grouping(weekday, hour) AS level,
                   count(*)::int AS posts,
                   avg(views)::float8 AS mean_views,
                   (avg(views) / nullif((SELECT avg(views) FROM published), 0))::float8
                       AS relative
              FROM published
             GROUP BY GROUPING SETS ((weekday, hour), (weekday), (hour))
             ORDER BY level, relative DESC NULLS LAST, posts DESC, weekday, hour
            """,
            channel_id,
            first_day,
            last_day,
            time_zone,
            now,
        )
        # grouping(): 0 for a weekday × hour cell, 1 for a weekday's row, 2 for an hour's row.
        by_level: dict[int, list[PostingSlot]] = {0: [], 1: [], 2: []}
        for row in rows:
            values = dict(row)
            by_level[values.pop("level")].append(PostingSlot(**values))
        return PostingTimes(
            slots=tuple(by_level[0]), weekdays=tuple(by_level[1]), hours=tuple(by_level[2])
        )

    async def period_sources(
        self, *, channel_id: int, first_day: date, last_day: date, time_zone: str
    ) -> list[PeriodSource]:
        """Joins and leaves per source of the channel within the period."""
        rows = await self._pool.fetch(
            PERIOD_SOURCES_QUERY, channel_id, first_day, last_day, time_zone
        )
        return [record_from(PeriodSource, row, kind=SourceKind(row["source"])) for row in rows]
