"""Invite links and where a channel's subscribers came from: joins per source, what became of
them, and the same per day."""

from dataclasses import fields
from datetime import datetime

import asyncpg

from db.repository import Repository, found, record_from
from services.domain.sources import InviteLinkRecord, SourceCounts, SourceKind

_LINK_COLUMNS = tuple(f.name for f in fields(InviteLinkRecord))
_LINK_SELECT = ", ".join(f"l.{name}" for name in _LINK_COLUMNS)

# Each join of channel $1, how long before $2 it was, and how long its subscriber stayed (until
# the first leave tied to it), if they left.
_JOINS_AND_THEIR_LEAVES = """
joins AS (
    SELECT j.source, j.invite_link_id, gone.left_at,
           $2::timestamptz - j.occurred_at AS age,  -- how long ago they joined
           gone.left_at - j.occurred_at AS stayed_for  -- NULL: still subscribed
      FROM subscriber_events j
      LEFT JOIN (SELECT joined_event_id, min(occurred_at) AS left_at
                   FROM subscriber_events
                  WHERE channel_id = $1 AND kind = 'leave' AND joined_event_id IS NOT NULL
                  GROUP BY joined_event_id) gone ON gone.joined_event_id = j.id
     WHERE j.channel_id = $1 AND j.kind = 'join'
)
"""

# Every source of channel $1 as of $2: joins, leaves of those who joined, and who stayed 7 and
# 30 days after joining, among those who joined that long ago. Leaves whose join was before
# tracking began make the 'unknown' source; the bot's links without joins are there too.
SOURCE_COUNTS_QUERY = f"""
WITH {_JOINS_AND_THEIR_LEAVES},
counted AS (
    SELECT source, invite_link_id,
           count(*) AS joins,
           count(left_at) AS leaves,
           count(*) FILTER (WHERE age >= interval '7 days') AS old_enough_7d,
           count(*) FILTER (WHERE age >= interval '7 days'
                              AND coalesce(stayed_for >= interval '7 days', true)) AS stayed_7d,
           count(*) FILTER (WHERE age >= interval '30 days') AS old_enough_30d,
           count(*) FILTER (WHERE age >= interval '30 days'
                              AND coalesce(stayed_for >= interval '30 days', true)) AS stayed_30d
      FROM joins
     GROUP BY source, invite_link_id
    UNION ALL
    SELECT 'unknown', NULL, 0, count(*), 0, 0, 0, 0
      FROM subscriber_events
     WHERE channel_id = $1 AND kind = 'leave' AND joined_event_id IS NULL
    HAVING count(*) > 0
)
SELECT coalesce(c.source, 'link') AS source, coalesce(c.joins, 0) AS joins,
       coalesce(c.leaves, 0) AS leaves, coalesce(c.old_enough_7d, 0) AS old_enough_7d,
       coalesce(c.stayed_7d, 0) AS stayed_7d, coalesce(c.old_enough_30d, 0) AS old_enough_30d,
       coalesce(c.stayed_30d, 0) AS stayed_30d, l.id IS NOT NULL AS has_link, {_LINK_SELECT}
  FROM counted c
  FULL JOIN (SELECT * FROM invite_links WHERE channel_id = $1 AND made_by_bot) bots
    ON bots.id = c.invite_link_id
  LEFT JOIN invite_links l ON l.id = coalesce(c.invite_link_id, bots.id)
 ORDER BY l.made_by_bot DESC NULLS LAST, l.created_at DESC, joins DESC
"""

# Joins per source of channel $1 on every day [$2, $3] (days in time zone $4) with any, and
# the leaves of those who joined through it, on the day they left.
_EVENTS_IN_PERIOD = """
       count(*) FILTER (WHERE e.kind = 'join')::int AS joins,
       count(*) FILTER (WHERE e.kind = 'leave')::int AS leaves
  FROM subscriber_events e
  LEFT JOIN invite_links l ON l.id = e.invite_link_id
 WHERE e.channel_id = $1
   AND e.occurred_at >= $2::date::timestamp AT TIME ZONE $4::text
   AND e.occurred_at < ($3::date + 1)::timestamp AT TIME ZONE $4::text
"""
DAILY_SOURCES_QUERY = f"""
SELECT (e.occurred_at AT TIME ZONE $4::text)::date AS day, e.source, e.invite_link_id,
       l.name AS link_name, l.url AS link_url,
{_EVENTS_IN_PERIOD}
 GROUP BY 1, 2, 3, 4, 5
"""


# Joins per source of channel $1 within [$2, $3] (days in time zone $4), and the leaves in it
# of those who came through each; most joins first.
PERIOD_SOURCES_QUERY = f"""
SELECT e.source, e.invite_link_id, coalesce(l.name, l.url) AS link_name,
{_EVENTS_IN_PERIOD}
 GROUP BY 1, 2, 3
 ORDER BY joins DESC, leaves DESC, 1, 3
"""


def _link(row: asyncpg.Record) -> InviteLinkRecord:
    return InviteLinkRecord(**{name: row[name] for name in _LINK_COLUMNS})


class SourcesRepository(Repository):
    async def create_link(
        self,
        *,
        channel_id: int,
        url: str,
        name: str,
        created_by: int,
        created_at: datetime,
        expire_date: datetime | None,
        member_limit: int | None,
        creates_join_request: bool,
        auto_approve: bool,
        welcome_text: str | None,
    ) -> InviteLinkRecord:
        row = await self._pool.fetchrow(
            f"""
            INSERT INTO invite_links AS l (channel_id, url, name, made_by_bot, created_by,
                                           created_at, expire_date, member_limit,
                                           creates_join_request, auto_approve, welcome_text)
            VALUES ($1, $2, $3, true, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (channel_id, url) DO UPDATE
               SET made_by_bot = true, created_by = EXCLUDED.created_by, name = EXCLUDED.name
            RETURNING {_LINK_SELECT}
            """,
            channel_id,
            url,
            name,
            created_by,
            created_at,
            expire_date,
            member_limit,
            creates_join_request,
            auto_approve,
            welcome_text,
        )
        return _link(row)

    async def get_link(self, *, link_id: int) -> InviteLinkRecord:
        row = await self._pool.fetchrow(
            f"SELECT {_LINK_SELECT} FROM invite_links l WHERE l.id = $1", link_id
        )
        return _link(found(row, f"invite link {link_id}"))

    async def bot_link_by_url(self, *, channel_id: int, url: str) -> InviteLinkRecord:
        row = await self._pool.fetchrow(
            f"""
            SELECT {_LINK_SELECT} FROM invite_links l
             WHERE l.channel_id = $1 AND l.url = $2 AND l.made_by_bot
            """,
            channel_id,
            url,
        )
        return _link(found(row, f"invite link {url} of channel {channel_id}"))

    async def mark_revoked(self, *, link_id: int, at: datetime) -> None:
        await self._pool.execute(
            "UPDATE invite_links SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
            link_id,
            at,
        )

    async def set_cost(self, *, link_id: int, cost_minor: int, currency: str) -> None:
        await self._pool.execute(
            "UPDATE invite_links SET cost_minor = $2, currency = $3 WHERE id = $1",
            link_id,
            cost_minor,
            currency,
        )

    async def count_live_bot_links(self, *, user_id: int, now: datetime) -> int:
        """The links a user made through the bot that still let people in."""
        return await self._pool.fetchval(
            """
            SELECT count(*) FROM invite_links
             WHERE created_by = $1 AND made_by_bot AND revoked_at IS NULL
               AND (expire_date IS NULL OR expire_date > $2)
            """,
            user_id,
            now,
        )

    async def source_counts(self, *, channel_id: int, now: datetime) -> list[SourceCounts]:
        rows = await self._pool.fetch(SOURCE_COUNTS_QUERY, channel_id, now)
        return [
            record_from(
                SourceCounts,
                row,
                kind=SourceKind(row["source"]),
                link=_link(row) if row["has_link"] else None,
            )
            for row in rows
        ]
