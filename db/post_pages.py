"""A channel's posts with their metrics, a page at a time (the API's posts, cursor-paged)."""

from datetime import date, datetime

from db.analytics import POSTS_WITH_METRICS
from db.repository import Repository
from services.domain.analytics import PostMetrics


class PostPagesRepository(Repository):
    async def page(
        self,
        *,
        channel_id: int,
        first_day: date,
        last_day: date,
        time_zone: str,
        now: datetime,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[PostMetrics]:
        """Up to `limit` posts of the days in publishing order, after (posted_at, message_id)."""
        after_at, after_id = after if after is not None else (None, None)
        return await self._fetch_records(
            PostMetrics,
            f"""
            WITH {POSTS_WITH_METRICS}
            SELECT message_id, posted_at, text, media_kind, views, reactions, views_24h,
                   (reactions * 100.0 / nullif(views, 0))::float8 AS engagement
              FROM posts_with_metrics
             WHERE $6::timestamptz IS NULL OR (posted_at, message_id) > ($6, $7::bigint)
             ORDER BY posted_at, message_id
             LIMIT $8
            """,
            channel_id,
            first_day,
            last_day,
            time_zone,
            now,
            after_at,
            after_id,
            limit,
        )
