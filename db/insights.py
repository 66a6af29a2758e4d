"""The posts and views the insights model learns from, the stored models, and the digests."""

from datetime import date, datetime

from db.repository import Repository, record_from
from services.domain.insights import (
    DigestRecipient,
    PostViewsHistory,
    StoredInsightModel,
    TrainingSize,
)

# Posts at least a day old with a views count seen an hour or more after publication.
_LEARNABLE = """
    FROM posts p JOIN post_views v
      ON v.channel_id = p.channel_id AND v.message_id = p.message_id
     WHERE p.channel_id = $1 AND p.posted_at <= $2::timestamptz - interval '24 hours'
"""


class InsightsRepository(Repository):
    async def training_size(self, *, channel_id: int, now: datetime) -> TrainingSize:
        row = await self._pool.fetchrow(
            f"SELECT count(DISTINCT p.message_id) AS posts, count(*) AS observations {_LEARNABLE}",
            channel_id,
            now,
        )
        return TrainingSize(posts=row["posts"], observations=row["observations"])

    async def histories(self, *, channel_id: int, now: datetime) -> list[PostViewsHistory]:
        """Every learnable post with its views counts (age in hours, views), in one query."""
        rows = await self._pool.fetch(
            f"""
            SELECT p.message_id, p.posted_at, p.text, p.media_kind,
                   array_agg(extract(epoch FROM v.observed_at - p.posted_at) / 3600
                             ORDER BY v.observed_at) AS ages,
                   array_agg(v.views ORDER BY v.observed_at) AS views
            {_LEARNABLE}
             GROUP BY p.channel_id, p.message_id
             ORDER BY p.posted_at
            """,
            channel_id,
            now,
        )
        return [
            record_from(
                PostViewsHistory,
                row,
                observations=tuple(zip((float(a) for a in row["ages"]), row["views"], strict=True)),
            )
            for row in rows
        ]

    async def texts(self, *, channel_id: int, message_ids: list[int]) -> dict[int, str]:
        rows = await self._pool.fetch(
            "SELECT message_id, text FROM posts WHERE channel_id = $1 AND message_id = ANY($2)",
            channel_id,
            message_ids,
        )
        return {row["message_id"]: row["text"] for row in rows}

    async def stored_model(self, *, channel_id: int) -> StoredInsightModel | None:
        row = await self._pool.fetchrow(
            """
            SELECT channel_id, trained_at, posts, observations, model, summary
              FROM insight_models WHERE channel_id = $1
            """,
            channel_id,
        )
        if row is None:
            return None
        return StoredInsightModel(
            channel_id=row["channel_id"],
            trained_at=row["trained_at"],
            size=TrainingSize(posts=row["posts"], observations=row["observations"]),
            model=bytes(row["model"]),
            summary=row["summary"],
        )

    async def store_model(self, *, model: StoredInsightModel) -> None:
        await self._pool.execute(
            """
            INSERT INTO insight_models (channel_id, trained_at, posts, observations, model, summary)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (channel_id) DO UPDATE
               SET trained_at = EXCLUDED.trained_at, posts = EXCLUDED.posts,
                   observations = EXCLUDED.observations, model = EXCLUDED.model,
                   summary = EXCLUDED.summary
            """,
            model.channel_id,
            model.trained_at,
            model.size.posts,
            model.size.observations,
            model.model,
            model.summary,
        )

    async def digest_enabled(self, *, user_id: int) -> bool:
        found = await self._pool.fetchval(
            "SELECT true FROM insight_digests WHERE user_id = $1", user_id
        )
        return bool(found)

    async def set_digest(self, *, user_id: int, enabled: bool) -> None:
        if enabled:
            await self._pool.execute(
                "INSERT INTO insight_digests (user_id) VALUES ($1) ON CONFLICT DO NOTHING",
                user_id,
            )
        else:
            await self._pool.execute("DELETE FROM insight_digests WHERE user_id = $1", user_id)

    async def claim_due_digests(self, *, now: datetime) -> list[DigestRecipient]:
        """The owners for whom it is Monday 9:00 or later and this week's digest is not sent:
        marked as sent in the same statement, so two processes never both send one."""
        rows = await self._pool.fetch(
            """
            UPDATE insight_digests d
               SET last_week = ($1::timestamptz AT TIME ZONE u.time_zone)::date
              FROM users u
             WHERE u.id = d.user_id
               AND extract(isodow FROM $1::timestamptz AT TIME ZONE u.time_zone) = 1
               AND ($1::timestamptz AT TIME ZONE u.time_zone)::time >= time '09:00'
               AND d.last_week IS DISTINCT FROM ($1::timestamptz AT TIME ZONE u.time_zone)::date
            RETURNING d.user_id, u.time_zone, d.last_week
            """,
            now,
        )
        return [
            DigestRecipient(
                user_id=row["user_id"], time_zone=row["time_zone"], week_start=row["last_week"]
            )
            for row in rows
        ]

    async def unclaim_digest(self, *, user_id: int, week_start: date) -> None:
        """A digest that could not be sent is due again."""
        await self._pool.execute(
            "UPDATE insight_digests SET last_week = NULL WHERE user_id = $1 AND last_week = $2",
            user_id,
            week_start,
        )
