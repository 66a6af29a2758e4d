"""Fingerprints and their band index, watched channels and their posts, and copy alerts."""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from db.repository import Repository, columns, record_from
from db.webhooks import publish
from services.domain.copies import (
    ComparedChannel,
    CopyMatch,
    FingerprintKind,
    PostFingerprint,
    StoredFingerprint,
    WatchedChannelRecord,
    WatchedPost,
    Watcher,
)
from services.domain.webhooks import copy_found

_COPY_COLUMNS = (
    "channel_id",
    "message_id",
    "posted_at",
    "kind",
    "variant",
    "signature",
    "bands",
)


def _fingerprint_rows(rows: Sequence[PostFingerprint]) -> list[tuple]:
    return [
        (
            row.channel_id,
            row.message_id,
            row.posted_at,
            row.fingerprint.kind.value,
            row.fingerprint.variant,
            list(row.fingerprint.signature),
            list(row.fingerprint.bands),
        )
        for row in rows
    ]


class FingerprintsRepository(Repository):
    async def copy_tracked(self, rows: Sequence[PostFingerprint]) -> None:
        """Bulk-load fingerprints of tracked posts with COPY (new posts only: no upsert)."""
        async with self._pool.acquire() as conn:
            await conn.copy_records_to_table(
                "post_fingerprints", records=_fingerprint_rows(rows), columns=_COPY_COLUMNS
            )

    async def replace(
        self, *, message_ids: Sequence[tuple[int, int]], rows: Sequence[PostFingerprint]
    ) -> None:
        """The posts' fingerprints become `rows` (an edited post loses its old ones).

        message_ids: (channel, message) of every post fingerprinted, with rows or without.
        Posts of channels no longer tracked are left out.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """
                DELETE FROM post_fingerprints f
                 USING unnest($1::bigint[], $2::bigint[]) AS t(channel_id, message_id)
                 WHERE f.channel_id = t.channel_id AND f.message_id = t.message_id
                """,
                [channel_id for channel_id, _ in message_ids],
                [message_id for _, message_id in message_ids],
            )
            await conn.executemany(
                """
                INSERT INTO post_fingerprints
                       (channel_id, message_id, posted_at, kind, variant, signature, bands)
                SELECT c.id, $2, $3, $4, $5, $6, $7 FROM channels c WHERE c.id = $1 AND c.is_tracked
                ON CONFLICT (channel_id, message_id, kind, variant) DO NOTHING
                """,
                _fingerprint_rows(rows),
            )

    async def candidates(
        self, *, kind: FingerprintKind, bands: Sequence[int], channel_ids: Sequence[int] | None
    ) -> list[StoredFingerprint]:
        """Tracked posts' fingerprints of the kind sharing a band (the GIN index finds them);
        of the given channels, or of all."""
        rows = await self._pool.fetch(
            """
            SELECT channel_id, message_id, posted_at, kind, signature
              FROM post_fingerprints
             WHERE bands && $1::bigint[] AND kind = $2
               AND ($3::bigint[] IS NULL OR channel_id = ANY($3::bigint[]))
            """,
            list(bands),
            kind.value,
            list(channel_ids) if channel_ids is not None else None,
        )
        return [
            record_from(
                StoredFingerprint,
                row,
                kind=FingerprintKind(row["kind"]),
                signature=tuple(row["signature"]),
            )
            for row in rows
        ]

    async def count_posts(self, *, channel_ids: Sequence[int]) -> int:
        """How many posts of the channels have a fingerprint."""
        return await self._pool.fetchval(
            """
            SELECT count(DISTINCT (channel_id, message_id)) FROM post_fingerprints
             WHERE channel_id = ANY($1::bigint[])
            """,
            list(channel_ids),
        )


class WatchRepository(Repository):
    async def add(
        self, *, user_id: int, username: str, title: str, subscribers: int | None, now: datetime
    ) -> tuple[int, bool]:
        """The watched channel's id, and whether the user newly watches it."""
        async with self._pool.acquire() as conn, conn.transaction():
            watched_id = await conn.fetchval(
                """
                INSERT INTO watched_channels (username, title, subscribers, added_at)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (username) DO UPDATE
                   SET title = EXCLUDED.title,
                       subscribers = coalesce(EXCLUDED.subscribers, watched_channels.subscribers)
                RETURNING id
                """,
                username,
                title,
                subscribers,
                now,
            )
            added = await conn.fetchval(
                """
                INSERT INTO channel_watchers (user_id, watched_id, added_at) VALUES ($1, $2, $3)
                ON CONFLICT DO NOTHING RETURNING true
                """,
                user_id,
                watched_id,
                now,
            )
        return watched_id, bool(added)

    async def count_for_user(self, *, user_id: int) -> int:
        return await self._pool.fetchval(
            "SELECT count(*) FROM channel_watchers WHERE user_id = $1", user_id
        )

    async def remove(self, *, user_id: int, watched_id: int) -> bool:
        removed = await self._pool.fetchval(
            "DELETE FROM channel_watchers WHERE user_id = $1 AND watched_id = $2 RETURNING true",
            user_id,
            watched_id,
        )
        return bool(removed)

    async def ignore(self, *, user_id: int, watched_id: int) -> bool:
        ignored = await self._pool.fetchval(
            """
            UPDATE channel_watchers SET ignored = true
             WHERE user_id = $1 AND watched_id = $2 RETURNING true
            """,
            user_id,
            watched_id,
        )
        return bool(ignored)

    async def list_for_user(
        self, *, user_id: int, since: datetime, now: datetime
    ) -> list[WatchedChannelRecord]:
        """The user's watched channels by name, with posts a day and average views since."""
        return await self._fetch_records(
            WatchedChannelRecord,
            """
            SELECT w.id, w.username, w.title, w.subscribers, cw.ignored,
                   (count(p.message_id) / greatest(extract(epoch FROM $3 - $2) / 86400, 1))::float8
                       AS posts_per_day,
                   avg(p.views)::float8 AS average_views
              FROM channel_watchers cw
              JOIN watched_channels w ON w.id = cw.watched_id
              LEFT JOIN watched_posts p ON p.watched_id = w.id AND p.posted_at >= $2
             WHERE cw.user_id = $1
             GROUP BY w.id, cw.ignored
             ORDER BY w.username
            """,
            user_id,
            since,
            now,
        )

    async def due(self) -> list[tuple[int, str]]:
        """Every channel someone watches: (id, username), least recently read first."""
        rows = await self._pool.fetch(
            """
            SELECT w.id, w.username FROM watched_channels w
             WHERE EXISTS (SELECT 1 FROM channel_watchers cw WHERE cw.watched_id = w.id)
             ORDER BY w.last_read_at NULLS FIRST, w.id
            """
        )
        return [(row["id"], row["username"]) for row in rows]

    async def store_page(
        self,
        *,
        watched_id: int,
        title: str | None,
        subscribers: int | None,
        posts: Sequence[WatchedPost],
        read_at: datetime,
    ) -> list[int]:
        """Store what the preview showed; the message ids of posts not stored before."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """
                UPDATE watched_channels
                   SET title = coalesce($2, title), subscribers = coalesce($3, subscribers),
                       last_read_at = $4
                 WHERE id = $1
                """,
                watched_id,
                title,
                subscribers,
                read_at,
            )
            if subscribers is not None:
                await conn.execute(
                    """
                    INSERT INTO watched_snapshots (watched_id, taken_at, subscribers)
                    VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
                    """,
                    watched_id,
                    read_at,
                    subscribers,
                )
            rows = await conn.fetch(
                """
                INSERT INTO watched_posts AS p
                       (watched_id, message_id, posted_at, text, views, forwarded_from, read_at)
                SELECT $1, t.* , $7
                  FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::int[], $6::text[])
                       AS t(message_id, posted_at, text, views, forwarded_from)
                ON CONFLICT (watched_id, message_id) DO UPDATE
                   SET views = coalesce(EXCLUDED.views, p.views), text = EXCLUDED.text,
                       read_at = EXCLUDED.read_at
                RETURNING p.message_id, (xmax = 0) AS inserted
                """,
                watched_id,
                *columns(posts, "message_id", "posted_at", "text", "views", "forwarded_from"),
                read_at,
            )
        return [row["message_id"] for row in rows if row["inserted"]]

    async def watchers(self, *, watched_id: int) -> list[Watcher]:
        """Who takes copy alerts from the channel (not ignored), with the tracked channels
        they administer."""
        rows = await self._pool.fetch(
            """
            SELECT cw.user_id, array_agg(c.id ORDER BY c.id) AS channel_ids
              FROM channel_watchers cw
              JOIN channel_admins a ON a.user_id = cw.user_id
              JOIN channels c ON c.id = a.channel_id AND c.is_tracked
             WHERE cw.watched_id = $1 AND NOT cw.ignored
             GROUP BY cw.user_id
            """,
            watched_id,
        )
        return [Watcher(row["user_id"], tuple(row["channel_ids"])) for row in rows]

    async def compare(
        self, *, user_id: int, channel_id: int, since: datetime, now: datetime
    ) -> list[ComparedChannel]:
        """The owner's channel, then the watched ones, over [since, now]."""
        days = max((now - since) / timedelta(days=1), 1)
        rows = await self._pool.fetch(
            """
            WITH own AS (
                SELECT coalesce('@' || c.username, c.title) AS name, true AS is_own,
                       (SELECT s.subscribers FROM subscriber_snapshots s WHERE s.channel_id = c.id
                         ORDER BY s.taken_at DESC LIMIT 1) AS subscribers,
                       (SELECT s.subscribers FROM subscriber_snapshots s WHERE s.channel_id = c.id
                           AND s.taken_at >= $3 ORDER BY s.taken_at LIMIT 1) AS first_seen,
                       (SELECT count(*) FROM posts p WHERE p.channel_id = c.id
                           AND p.posted_at >= $3 AND p.posted_at <= $4) AS posts,
                       (SELECT avg(v.views) FROM posts p
                          CROSS JOIN LATERAL (
                              SELECT pv.views FROM post_views pv
                               WHERE pv.channel_id = p.channel_id AND pv.message_id = p.message_id
                               ORDER BY pv.observed_at DESC LIMIT 1) v
                         WHERE p.channel_id = c.id AND p.posted_at >= $3
                           AND p.posted_at <= $4) AS average_views,
                       '' AS sort_key
                  FROM channels c WHERE c.id = $2
            ),
            watched AS (
                SELECT '@' || w.username, false, w.subscribers,
                       (SELECT s.subscribers FROM watched_snapshots s WHERE s.watched_id = w.id
                           AND s.taken_at >= $3 ORDER BY s.taken_at LIMIT 1),
                       (SELECT count(*) FROM watched_posts p WHERE p.watched_id = w.id
                           AND p.posted_at >= $3 AND p.posted_at <= $4),
                       (SELECT avg(p.views) FROM watched_posts p WHERE p.watched_id = w.id
                           AND p.posted_at >= $3 AND p.posted_at <= $4),
                       w.username
                  FROM channel_watchers cw JOIN watched_channels w ON w.id = cw.watched_id
                 WHERE cw.user_id = $1
            )
            SELECT * FROM own UNION ALL SELECT * FROM watched ORDER BY is_own DESC, sort_key
            """,
            user_id,
            channel_id,
            since,
            now,
        )
        return [
            ComparedChannel(
                name=row["name"],
                is_own=row["is_own"],
                subscribers=row["subscribers"],
                growth=row["subscribers"] - row["first_seen"]
                if row["subscribers"] is not None and row["first_seen"] is not None
                else None,
                posts_per_day=row["posts"] / days,
                average_views=float(row["average_views"])
                if row["average_views"] is not None
                else None,
            )
            for row in rows
        ]


class CopyAlertsRepository(Repository):
    async def ensure_rules(self, *, user_id: int, now: datetime) -> None:
        """A copy alert rule on each tracked channel the user administers that has none."""
        await self._pool.execute(
            """
            INSERT INTO alert_rules (owner_id, channel_id, kind, cooldown, created_at)
            SELECT $1, c.id, 'copy', '0', $2
              FROM channel_admins a JOIN channels c ON c.id = a.channel_id AND c.is_tracked
             WHERE a.user_id = $1
            ON CONFLICT DO NOTHING  -- alert_rules_one_copy_rule: one per owner and channel
            """,
            user_id,
            now,
        )

    async def fire(self, *, matches: Sequence[CopyMatch], now: datetime) -> int:
        """A firing for each match whose rule is active and whose pair was not dismissed;
        a pair already announced is not announced again (UNIQUE rule and dedupe key). Only the
        oldest copy rule of an owner and channel fires, so a copy is announced once per owner."""
        details = [
            json.dumps(
                {
                    "message_id": m.message_id,
                    "original_at": int(m.original_at.timestamp()),
                    "watched_id": m.watched_id,
                    "watched_username": m.watched_username,
                    "watched_message_id": m.watched_message_id,
                    "delay_minutes": int((m.copied_at - m.original_at).total_seconds() // 60),
                    "match": m.kind.value,
                    "similarity": round(m.similarity, 4),
                }
            )
            for m in matches
        ]
        async with self._transaction() as conn:
            fired = await conn.fetch(
                """
                WITH m AS (
                    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],
                                         $5::bigint[], $6::text[])
                           AS t(user_id, channel_id, message_id, watched_id, watched_message_id,
                                details)
                ),
                fired AS (
                    INSERT INTO alert_firings
                           (rule_id, dedupe_key, fired_at, deliver_after, details)
                    SELECT r.id, m.watched_id || ':' || m.watched_message_id || ':' || m.message_id,
                           $7, $7, m.details::jsonb
                      FROM m
                      -- One announcement per owner and channel, by its oldest copy rule.
                      JOIN LATERAL (SELECT * FROM alert_rules o
                                     WHERE o.owner_id = m.user_id AND o.channel_id = m.channel_id
                                       AND o.kind = 'copy'
                                     ORDER BY o.created_at, o.id LIMIT 1) r ON true
                     WHERE NOT r.paused AND (r.muted_until IS NULL OR r.muted_until <= $7)
                       AND NOT EXISTS (
                           SELECT 1 FROM copy_dismissals d
                            WHERE d.user_id = m.user_id AND d.channel_id = m.channel_id
                              AND d.message_id = m.message_id AND d.watched_id = m.watched_id
                              AND d.watched_message_id = m.watched_message_id)
                    ON CONFLICT (rule_id, dedupe_key) DO NOTHING
                    RETURNING rule_id, details
                ),
                cooling AS (
                    UPDATE alert_rules r SET last_fired_at = $7
                     WHERE r.id IN (SELECT rule_id FROM fired)
                )
                SELECT r.owner_id AS user_id, r.channel_id, f.details
                  FROM fired f JOIN alert_rules r ON r.id = f.rule_id
                 ORDER BY r.owner_id, r.channel_id
                """,
                *columns(
                    matches,
                    "user_id",
                    "channel_id",
                    "message_id",
                    "watched_id",
                    "watched_message_id",
                ),
                details,
                now,
            )
            # Webhooks hear of each copy as it is announced (copy.found), in the same transaction.
            await publish(conn, [record_from(copy_found, row, at=now) for row in fired])
        return len(fired)

    async def dismiss(self, *, user_id: int, firing_id: int, now: datetime) -> bool:
        """Not a copy: the pair of the user's copy alert is never reported to them again.
        True when the alert is there, dismissed now or already before (a second press)."""
        dismissed = await self._pool.fetchval(
            """
            WITH pair AS (
                SELECT r.owner_id, r.channel_id, (f.details->>'message_id')::bigint,
                       (f.details->>'watched_id')::bigint,
                       (f.details->>'watched_message_id')::bigint, $3::timestamptz
                  FROM alert_firings f JOIN alert_rules r ON r.id = f.rule_id
                 WHERE f.id = $1 AND r.owner_id = $2 AND r.kind = 'copy'
                   AND EXISTS (SELECT 1 FROM watched_channels w
                                WHERE w.id = (f.details->>'watched_id')::bigint)
            ),
            stored AS (
                INSERT INTO copy_dismissals (user_id, channel_id, message_id, watched_id,
                                             watched_message_id, dismissed_at)
                SELECT * FROM pair
                ON CONFLICT DO NOTHING
            )
            SELECT EXISTS (SELECT 1 FROM pair)
            """,
            firing_id,
            user_id,
            now,
        )
        return bool(dismissed)

    async def watched_of_firing(self, *, user_id: int, firing_id: int) -> int | None:
        """The watched channel a copy alert of the user's is about."""
        return await self._pool.fetchval(
            """
            SELECT (f.details->>'watched_id')::bigint
              FROM alert_firings f JOIN alert_rules r ON r.id = f.rule_id
             WHERE f.id = $1 AND r.owner_id = $2 AND r.kind = 'copy'
            """,
            firing_id,
            user_id,
        )
