"""Share links: which channel and period a token opens, until when, and how often it was opened."""

from datetime import datetime

from db.errors import NotFound
from db.repository import Repository, found
from services.domain.share_links import ShareLinkRecord

_SELECT = """
    SELECT l.id, l.user_id, l.channel_id, c.title AS channel_title,
           c.username AS channel_username, l.days, l.created_at, l.expires_at, l.revoked_at,
           l.open_count, l.last_opened_at,
           EXISTS (SELECT 1 FROM channel_admins a
                    WHERE a.channel_id = l.channel_id AND a.user_id = l.user_id)
               AS creator_is_admin,
           u.time_zone AS creator_time_zone, u.language_code AS creator_language_code,
           u.chosen_language AS creator_chosen_language
      FROM share_links l
      JOIN channels c ON c.id = l.channel_id
      JOIN users u ON u.id = l.user_id
"""


class ShareLinksRepository(Repository):
    async def create(
        self,
        *,
        token_sha256: bytes,
        user_id: int,
        channel_id: int,
        days: int,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> ShareLinkRecord:
        link_id = await self._pool.fetchval(
            """
            INSERT INTO share_links
                   (token_sha256, user_id, channel_id, days, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING id
            """,
            token_sha256,
            user_id,
            channel_id,
            days,
            created_at,
            expires_at,
        )
        return await self._get_one(f"{_SELECT} WHERE l.id = $1", link_id)

    async def find(self, *, token_sha256: bytes) -> ShareLinkRecord:
        """The link with this token hash, revoked and expired ones included."""
        return await self._get_one(f"{_SELECT} WHERE l.token_sha256 = $1", token_sha256)

    async def count_open(self, *, link_id: int, at: datetime) -> None:
        # Incremented in SQL: concurrent opens never overwrite each other's count.
        await self._pool.execute(
            """
            UPDATE share_links SET open_count = open_count + 1, last_opened_at = $2
             WHERE id = $1
            """,
            link_id,
            at,
        )

    async def list_live(self, *, user_id: int, now: datetime) -> list[ShareLinkRecord]:
        """The user's links that are neither revoked nor expired, oldest first."""
        return await self._fetch_records(
            ShareLinkRecord,
            f"""
            {_SELECT}
             WHERE l.user_id = $1 AND l.revoked_at IS NULL
               AND (l.expires_at IS NULL OR l.expires_at > $2)
             ORDER BY l.created_at, l.id
            """,
            user_id,
            now,
        )

    async def count_live(self, *, user_id: int, now: datetime) -> int:
        return await self._pool.fetchval(
            """
            SELECT count(*) FROM share_links
             WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
            """,
            user_id,
            now,
        )

    async def revoke(self, *, link_id: int, user_id: int, at: datetime) -> ShareLinkRecord:
        """Revoke one of the user's own links; NotFound if it is not theirs or already revoked."""
        revoked_id = await self._pool.fetchval(
            """
            UPDATE share_links SET revoked_at = $3
             WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
            RETURNING id
            """,
            link_id,
            user_id,
            at,
        )
        if revoked_id is None:
            raise NotFound(f"live share link {link_id} of user {user_id}")
        return await self._get_one(f"{_SELECT} WHERE l.id = $1", revoked_id)

    async def _get_one(self, query: str, *args: object) -> ShareLinkRecord:
        row = await self._pool.fetchrow(query, *args)
        return ShareLinkRecord(**dict(found(row, "share link")))
