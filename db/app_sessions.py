"""Mini App sessions: a token's hash, its user and its expiry."""

from datetime import datetime

from db.repository import Repository, found
from services.domain.app_sessions import AppSessionRecord


class AppSessionsRepository(Repository):
    async def create(
        self, *, token_sha256: bytes, user_id: int, created_at: datetime, expires_at: datetime
    ) -> AppSessionRecord:
        """A new session; the expired ones of every user go at the same time."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM app_sessions WHERE expires_at <= $1", created_at)
            row = await conn.fetchrow(
                """
                INSERT INTO app_sessions (token_sha256, user_id, created_at, expires_at)
                VALUES ($1, $2, $3, $4)
                RETURNING id, user_id, created_at, expires_at
                """,
                token_sha256,
                user_id,
                created_at,
                expires_at,
            )
        return AppSessionRecord(**dict(row))

    async def find_live(self, *, token_sha256: bytes, now: datetime) -> AppSessionRecord:
        """The session with this token hash, unless it has expired; NotFound otherwise."""
        row = await self._pool.fetchrow(
            """
            SELECT id, user_id, created_at, expires_at FROM app_sessions
             WHERE token_sha256 = $1 AND expires_at > $2
            """,
            token_sha256,
            now,
        )
        return AppSessionRecord(**dict(found(row, "app session")))
