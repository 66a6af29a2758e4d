"""Alert evaluation: one set-based statement per rule kind stores the firings that are due."""

from collections.abc import Sequence
from datetime import datetime

from db.repository import Repository
from services.domain.alerts import AlertKind

# Any fixed number: evaluation passes of several processes take turns instead of racing.
_EVALUATION_LOCK_KEY = 7_240_113_505


# Each kind's statement: $1 now, $2 channel ids (NULL: all), $3 the kind. It defines
# `candidates (rule_id, dedupe_key, details, weight)` after the shared `active` rules; the shared
# tail stores at most one new firing per rule (the heaviest) and starts the rule's cooldown.
# Rules watch from the moment they are set: nothing that happened before created_at fires.
_ACTIVE_RULES = """
WITH active AS (
    SELECT r.*
      FROM alert_rules r
      JOIN channels c ON c.id = r.channel_id AND c.is_tracked
      -- An owner who no longer administers the channel hears nothing about it.
      JOIN channel_admins a ON a.channel_id = r.channel_id AND a.user_id = r.owner_id
     WHERE r.kind = $3 AND NOT r.paused
       AND (r.muted_until IS NULL OR r.muted_until <= $1)
       AND (r.last_fired_at IS NULL OR r.last_fired_at + r.cooldown <= $1)
       AND ($2::bigint[] IS NULL OR r.channel_id = ANY($2::bigint[]))
),
"""

_FIRE = """
, fresh AS (
    SELECT DISTINCT ON (c.rule_id) c.rule_id, c.dedupe_key, c.details
      FROM candidates c
     -- An event announced already must not stand in the way of the next one of the same rule.
     WHERE NOT EXISTS (SELECT 1 FROM alert_firings f
                        WHERE f.rule_id = c.rule_id AND f.dedupe_key = c.dedupe_key)
     ORDER BY c.rule_id, c.weight DESC, c.dedupe_key
),
fired AS (
    INSERT INTO alert_firings (rule_id, dedupe_key, fired_at, deliver_after, details)
    SELECT rule_id, dedupe_key, $1, $1, details FROM fresh
    ON CONFLICT (rule_id, dedupe_key) DO NOTHING
    RETURNING id, rule_id
),
cooling AS (
    UPDATE alert_rules r SET last_fired_at = $1 FROM fired f WHERE r.id = f.rule_id
)
SELECT count(*) FROM fired
"""


def _subscriber_change(change: str) -> str:
    """Drop or surge: the net change (`change` over joins and leaves) in the window.

    Only events after the rule's last firing count, so the same subscribers never fire twice.
    """
    return f"""
moves AS (
    SELECT w.id AS rule_id, w.channel_id, w.amount, w.percent, w.hours, w.since,
           count(*) FILTER (WHERE e.kind = 'join') AS joins,
           count(*) FILTER (WHERE e.kind = 'leave') AS leaves
      FROM (SELECT a.*, greatest($1 - make_interval(hours => a.hours), a.created_at) AS since
              FROM active a) w
      JOIN subscriber_events e
        ON e.channel_id = w.channel_id AND e.occurred_at >= w.since AND e.occurred_at <= $1
       AND (w.last_fired_at IS NULL OR e.occurred_at > w.last_fired_at)
     GROUP BY w.id, w.channel_id, w.amount, w.percent, w.hours, w.since
),
sized AS (
    -- The subscriber count when the window began: the last snapshot before it, else the first.
    SELECT m.*, {change} AS change,
           coalesce(
               (SELECT s.subscribers FROM subscriber_snapshots s
                 WHERE s.channel_id = m.channel_id AND s.taken_at <= m.since
                 ORDER BY s.taken_at DESC LIMIT 1),
               (SELECT s.subscribers FROM subscriber_snapshots s
                 WHERE s.channel_id = m.channel_id ORDER BY s.taken_at LIMIT 1)) AS base
      FROM moves m
),
candidates AS (
    SELECT rule_id,
           'window:' || floor(extract(epoch FROM $1) / (hours * 3600))::bigint AS dedupe_key,
           jsonb_build_object('change', change, 'joins', joins, 'leaves', leaves,
                              'base', base, 'hours', hours) AS details,
           change::float8 AS weight
      FROM sized
     WHERE change > 0
       AND ((amount IS NOT NULL AND change >= amount)
            OR (percent IS NOT NULL AND base > 0 AND change * 100.0 / base >= percent))
)
"""


# Milestones: the latest snapshot re-anchors a running count kept from the joins and leaves
# since, so a crossing is seen as soon as the event that makes it is written. A crossing is
# known by the snapshot it started from ('up:' or 'down:' and that snapshot's time), whether
# the running count saw it first or the next snapshot did: announced once either way.
_MILESTONE = """
counts AS (
    SELECT a.id AS rule_id, a.amount, a.created_at, cur.taken_at, cur.subscribers,
           prev.taken_at AS prev_taken_at, prev.subscribers AS prev_subscribers,
           cur.subscribers + moves.until_created AS running_at_start,
           cur.subscribers + moves.until_now AS running
      FROM active a
      CROSS JOIN LATERAL (
           SELECT s.taken_at, s.subscribers FROM subscriber_snapshots s
            WHERE s.channel_id = a.channel_id AND s.taken_at <= $1
            ORDER BY s.taken_at DESC LIMIT 1) cur
      LEFT JOIN LATERAL (
           SELECT s.taken_at, s.subscribers FROM subscriber_snapshots s
            WHERE s.channel_id = a.channel_id AND s.taken_at < cur.taken_at
            ORDER BY s.taken_at DESC LIMIT 1) prev ON true
      CROSS JOIN LATERAL (
           SELECT coalesce(sum(CASE WHEN e.kind = 'join' THEN 1 ELSE -1 END)
                           FILTER (WHERE e.occurred_at <= a.created_at), 0) AS until_created,
                  coalesce(sum(CASE WHEN e.kind = 'join' THEN 1 ELSE -1 END), 0) AS until_now
             FROM subscriber_events e
            WHERE e.channel_id = a.channel_id
              AND e.occurred_at > cur.taken_at AND e.occurred_at <= $1) moves
),
crossings AS (
    -- Two snapshots on different sides of the milestone.
    SELECT rule_id, amount, prev_taken_at AS started_at, prev_subscribers AS previous,
           subscribers AS current
      FROM counts
     WHERE prev_taken_at IS NOT NULL AND taken_at >= created_at
       AND (prev_subscribers < amount) <> (subscribers < amount)
    UNION ALL
    -- The running count since the latest snapshot (or since the rule began) crossing it.
    SELECT rule_id, amount, taken_at, running_at_start, running
      FROM counts
     WHERE (running_at_start < amount) <> (running < amount)
),
candidates AS (
    SELECT rule_id,
           (CASE WHEN current >= amount THEN 'up:' ELSE 'down:' END)
               || extract(epoch FROM started_at)::bigint AS dedupe_key,
           jsonb_build_object('subscribers', current, 'previous', previous,
                              'milestone', amount, 'up', current >= amount) AS details,
           0::float8 AS weight
      FROM crossings
)
"""

# Posts younger than their threshold age plus a day: a later observation is stale news.
_POST_VIEWS = """
candidates AS (
    SELECT a.id AS rule_id, 'post:' || p.message_id AS dedupe_key,
           jsonb_build_object('message_id', p.message_id, 'views', v.views,
                              'minutes', floor(extract(epoch FROM v.observed_at - p.posted_at)
                                               / 60)::int,
                              'amount', a.amount, 'hours', a.hours) AS details,
           v.views::float8 AS weight
      FROM active a
      JOIN posts p ON p.channel_id = a.channel_id
                  AND p.posted_at >= $1 - make_interval(hours => a.hours + 24)
      -- The first observation that reached the threshold within the hours after publishing.
      CROSS JOIN LATERAL (
           SELECT v.views, v.observed_at FROM post_views v
            WHERE v.channel_id = p.channel_id AND v.message_id = p.message_id
              AND v.observed_at <= p.posted_at + make_interval(hours => a.hours)
              AND v.observed_at <= $1 AND v.views >= a.amount
            ORDER BY v.observed_at LIMIT 1) v
     WHERE v.observed_at >= a.created_at
)
"""

# A post's views at age H: the first observation at or after H hours, taken within the hour
# after (later ones overstate, so the comparison stays on the side of not alerting).
_VIEWS_AT_AGE = """
    SELECT v.views, v.observed_at FROM post_views v
     WHERE v.channel_id = {post}.channel_id AND v.message_id = {post}.message_id
       AND v.observed_at >= {post}.posted_at + make_interval(hours => {hours})
       AND v.observed_at <= {post}.posted_at + make_interval(hours => {hours} + 1)
       AND v.observed_at <= $1
     ORDER BY v.observed_at LIMIT 1
"""

_POST_UNDERPERFORMS = f"""
aged AS (
    SELECT a.id AS rule_id, a.channel_id, a.percent, a.hours, p.message_id, v.views
      FROM active a
      JOIN posts p ON p.channel_id = a.channel_id
                  AND p.posted_at >= $1 - make_interval(hours => a.hours + 24)
                  AND p.posted_at <= $1 - make_interval(hours => a.hours)
      CROSS JOIN LATERAL ({_VIEWS_AT_AGE.format(post="p", hours="a.hours")}) v
     WHERE v.observed_at >= a.created_at
),
candidates AS (
    SELECT g.rule_id, 'post:' || g.message_id AS dedupe_key,
           jsonb_build_object('message_id', g.message_id, 'views', g.views,
                              'median', round(m.median::numeric), 'percent', g.percent,
                              'hours', g.hours) AS details,
           (1 - g.views / m.median)::float8 AS weight
      FROM aged g
      -- The channel's median at the same age, over its 20 posts before the candidates.
      -- A lateral per candidate (about one per rule) rather than a join the planner misjudges.
      CROSS JOIN LATERAL (
           SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v.views) AS median,
                  count(*) AS posts
             FROM (SELECT p.channel_id, p.message_id, p.posted_at FROM posts p
                    WHERE p.channel_id = g.channel_id
                      AND p.posted_at < $1 - make_interval(hours => g.hours + 24)
                      AND p.posted_at >= $1 - make_interval(hours => g.hours + 24)
                                            - interval '30 days'
                    ORDER BY p.posted_at DESC LIMIT 20) earlier
            CROSS JOIN LATERAL ({_VIEWS_AT_AGE.format(post="earlier", hours="g.hours")}) v
      ) m
     WHERE m.posts >= 3 AND g.views < m.median * g.percent / 100
)
"""

_REACTION_SPIKE = """
gains AS (
    -- What each post gained in the last hour: its latest total minus its total an hour ago.
    SELECT a.id AS rule_id, a.channel_id, a.factor, latest.message_id,
           latest.total - coalesce(earlier.total, 0) AS gained
      FROM active a
      CROSS JOIN LATERAL (
           SELECT DISTINCT ON (r.message_id) r.message_id, r.total, r.observed_at
             FROM post_reaction_counts r
            WHERE r.channel_id = a.channel_id
              AND r.observed_at > $1 - interval '1 hour' AND r.observed_at <= $1
            ORDER BY r.message_id, r.observed_at DESC) latest
      LEFT JOIN LATERAL (
           SELECT r.total FROM post_reaction_counts r
            WHERE r.channel_id = a.channel_id AND r.message_id = latest.message_id
              AND r.observed_at <= $1 - interval '1 hour'
            ORDER BY r.observed_at DESC LIMIT 1) earlier ON true
     WHERE latest.observed_at >= a.created_at
),
candidates AS (
    SELECT g.rule_id, 'post:' || g.message_id AS dedupe_key,
           jsonb_build_object('message_id', g.message_id, 'gained', g.gained,
                              'usual', round(u.median::numeric, 1),
                              'factor', g.factor) AS details,
           (g.gained / greatest(u.median, 1))::float8 AS weight
      FROM gains g
      -- The channel's usual: the median of what its last 20 posts gathered in their first
      -- hour; worked out only for the few posts that could be spikes at all.
      CROSS JOIN LATERAL (
           SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY first_hour.total) AS median,
                  count(*) AS posts
             FROM (SELECT p.message_id, p.posted_at FROM posts p
                    WHERE p.channel_id = g.channel_id
                      AND p.posted_at <= $1 - interval '2 hours'
                      AND p.posted_at >= $1 - interval '30 days'
                    ORDER BY p.posted_at DESC LIMIT 20) p
            CROSS JOIN LATERAL (
                 SELECT coalesce((SELECT r.total FROM post_reaction_counts r
                                   WHERE r.channel_id = g.channel_id
                                     AND r.message_id = p.message_id
                                     AND r.observed_at <= p.posted_at + interval '1 hour'
                                   ORDER BY r.observed_at DESC LIMIT 1), 0) AS total
            ) first_hour
      ) u
     WHERE g.gained > g.factor
       AND u.posts >= 3 AND g.gained > g.factor * greatest(u.median, 1)
)
"""

_UNSUBSCRIBE_SPIKE = """
counted AS (
    SELECT a.id AS rule_id, a.factor,
           (SELECT count(*) FROM subscriber_events e
             WHERE e.channel_id = a.channel_id AND e.kind = 'leave'
               AND e.occurred_at > $1 - interval '1 hour' AND e.occurred_at <= $1
               AND e.occurred_at >= a.created_at
               AND (a.last_fired_at IS NULL OR e.occurred_at > a.last_fired_at)) AS leaves,
           -- The hourly baseline: leaves per hour over the week before the last hour.
           (SELECT count(*) FROM subscriber_events e
             WHERE e.channel_id = a.channel_id AND e.kind = 'leave'
               AND e.occurred_at > $1 - interval '169 hours'
               AND e.occurred_at <= $1 - interval '1 hour') / 168.0 AS baseline
      FROM active a
),
candidates AS (
    SELECT rule_id, 'hour:' || floor(extract(epoch FROM $1) / 3600)::bigint AS dedupe_key,
           jsonb_build_object('leaves', leaves, 'baseline', round(baseline, 2),
                              'factor', factor) AS details,
           leaves::float8 AS weight
      FROM counted
     WHERE leaves > factor * greatest(baseline, 1)
)
"""

_POSTING_GAP = """
candidates AS (
    SELECT a.id AS rule_id,
           'since:' || extract(epoch FROM quiet.since)::bigint AS dedupe_key,
           jsonb_build_object('hours', a.hours,
                              'last_post_at', extract(epoch FROM last_post.at)::bigint)
               AS details,
           0::float8 AS weight
      FROM active a
      CROSS JOIN LATERAL (SELECT max(p.posted_at) AS at FROM posts p
                           WHERE p.channel_id = a.channel_id AND p.posted_at <= $1) last_post
      CROSS JOIN LATERAL (SELECT greatest(last_post.at, a.created_at) AS since) quiet
     WHERE quiet.since <= $1 - make_interval(hours => a.hours)
)
"""

# A link's burst: its joins in the last hour against the channel's usual joins per hour over
# the week before (bought subscribers arrive like that); or its subscribers leaving fast: the
# share of its joins 7 to 37 days old who left within 7 days, against the channel's share, once
# at least 20 joined through it. Each link fires for a burst once an hour, for leaving once.
_SOURCE_BURST = """
bursts AS (
    SELECT a.id AS rule_id, a.factor, e.invite_link_id, count(*) AS joins,
           (SELECT count(*) FROM subscriber_events b
             WHERE b.channel_id = a.channel_id AND b.kind = 'join'
               AND b.occurred_at > $1 - interval '169 hours'
               AND b.occurred_at <= $1 - interval '1 hour') / 168.0 AS usual
      FROM active a
      JOIN subscriber_events e
        ON e.channel_id = a.channel_id AND e.kind = 'join' AND e.invite_link_id IS NOT NULL
       AND e.occurred_at > $1 - interval '1 hour' AND e.occurred_at <= $1
       AND e.occurred_at >= a.created_at
       AND (a.last_fired_at IS NULL OR e.occurred_at > a.last_fired_at)
     GROUP BY a.id, a.factor, a.channel_id, e.invite_link_id
),
cohorts AS (
    -- Per link, and (whole = 1) across the channel.
    SELECT a.id AS rule_id, a.factor, j.invite_link_id,
           grouping(j.invite_link_id) AS whole,
           count(*) AS joined,
           count(*) FILTER (WHERE gone.left_at < j.occurred_at + interval '7 days') AS left_soon
      FROM active a
      JOIN subscriber_events j
        ON j.channel_id = a.channel_id AND j.kind = 'join'
       AND j.occurred_at <= $1 - interval '7 days' AND j.occurred_at > $1 - interval '37 days'
      LEFT JOIN LATERAL (SELECT min(l.occurred_at) AS left_at FROM subscriber_events l
                          WHERE l.joined_event_id = j.id) gone ON true
     GROUP BY GROUPING SETS ((a.id, a.factor, j.invite_link_id), (a.id, a.factor))
),
leaving AS (
    SELECT c.rule_id, c.factor, c.invite_link_id, c.joined, c.left_soon,
           c.left_soon::float8 / c.joined AS share,
           channel.left_soon::float8 / channel.joined AS usual
      FROM cohorts c
      JOIN cohorts channel ON channel.rule_id = c.rule_id AND channel.whole = 1
     WHERE c.whole = 0 AND c.invite_link_id IS NOT NULL AND c.joined >= 20
),
candidates AS (
    SELECT b.rule_id,
           'burst:' || b.invite_link_id || ':' || floor(extract(epoch FROM $1) / 3600)::bigint
               AS dedupe_key,
           jsonb_build_object('reason', 'burst', 'link', coalesce(l.name, l.url),
                              'joins', b.joins, 'usual', round(b.usual, 1),
                              'factor', b.factor) AS details,
           b.joins::float8 AS weight
      FROM bursts b
      JOIN invite_links l ON l.id = b.invite_link_id
     WHERE b.joins > b.factor * greatest(b.usual, 1)
    UNION ALL
    SELECT v.rule_id, 'leaving:' || v.invite_link_id AS dedupe_key,
           jsonb_build_object('reason', 'leaving', 'link', coalesce(l.name, l.url),
                              'joined', v.joined, 'left', v.left_soon,
                              'share', round(v.share::numeric, 4),
                              'usual_share', round(v.usual::numeric, 4),
                              'factor', v.factor) AS details,
           v.share AS weight
      FROM leaving v
      JOIN invite_links l ON l.id = v.invite_link_id
     WHERE v.share > v.factor * greatest(v.usual, 0.01)
)
"""


_CANDIDATES: dict[AlertKind, str] = {
    AlertKind.SUBSCRIBER_DROP: _subscriber_change("m.leaves - m.joins"),
    AlertKind.SUBSCRIBER_SURGE: _subscriber_change("m.joins - m.leaves"),
    AlertKind.MILESTONE: _MILESTONE,
    AlertKind.POST_VIEWS: _POST_VIEWS,
    AlertKind.POST_UNDERPERFORMS: _POST_UNDERPERFORMS,
    AlertKind.REACTION_SPIKE: _REACTION_SPIKE,
    AlertKind.UNSUBSCRIBE_SPIKE: _UNSUBSCRIBE_SPIKE,
    AlertKind.POSTING_GAP: _POSTING_GAP,
    AlertKind.SOURCE_BURST: _SOURCE_BURST,
}
EVALUATION_SQL: dict[AlertKind, str] = {
    kind: _ACTIVE_RULES + candidates + _FIRE for kind, candidates in _CANDIDATES.items()
}


class AlertEvaluationRepository(Repository):
    async def evaluate(
        self, *, now: datetime, kinds: Sequence[AlertKind], channel_ids: Sequence[int] | None
    ) -> int:
        """Store a firing for every active rule of these kinds whose condition holds; count them.

        Passes of several processes take turns under an advisory lock (they are short), so two
        never weigh the same event at once; UNIQUE (rule_id, dedupe_key) is the second guard.
        """
        ids = list(channel_ids) if channel_ids is not None else None
        fired = 0
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _EVALUATION_LOCK_KEY)
            # Copies have no statement: reading watched channels fires them (db/copies.py).
            for kind in (kind for kind in kinds if kind in EVALUATION_SQL):
                fired += await conn.fetchval(EVALUATION_SQL[kind], now, ids, kind.value)
        return fired
