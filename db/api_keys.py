"""API keys (only their tokens' hashes) and the rate limit buckets every process shares."""

from datetime import datetime

from db.repository import Repository, found
from services.domain.api_keys import ApiKeyRecord

_COLUMNS = "id, user_id, name, can_write, created_at, last_used_at, revoked_at"


class ApiKeysRepository(Repository):
    async def create(
        self,
        *,
        token_sha256: bytes,
        user_id: int,
        name: str,
        can_write: bool,
        created_at: datetime,
    ) -> ApiKeyRecord:
        row = await self._pool.fetchrow(
            f"""
            INSERT INTO api_keys (token_sha256, user_id, name, can_write, created_at)
            VALUES ($1, $2, $3, $4, $5)
            RETURNING {_COLUMNS}
            """,
            token_sha256,
            user_id,
            name,
            can_write,
            created_at,
        )
        return ApiKeyRecord(**dict(row))

    async def find_live(self, *, token_sha256: bytes) -> ApiKeyRecord:
        """The unrevoked key with this token hash."""
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM api_keys WHERE token_sha256 = $1 AND revoked_at IS NULL",
            token_sha256,
        )
        return ApiKeyRecord(**dict(found(row, "api key")))

    async def mark_used(self, *, key_id: int, at: datetime, not_since: datetime) -> None:
        """Record a use; skipped when one was recorded after `not_since` (a write per call
        would cost more than a last-use to the minute is worth)."""
        await self._pool.execute(
            """
            UPDATE api_keys SET last_used_at = $2
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)
            """,
            key_id,
            at,
            not_since,
        )

    async def list_live(self, *, user_id: int) -> list[ApiKeyRecord]:
        return await self._fetch_records(
            ApiKeyRecord,
            f"""
            SELECT {_COLUMNS} FROM api_keys
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id
            """,
            user_id,
        )

    async def count_live(self, user_id: int) -> int:
        return await self._pool.fetchval(
            "SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL", user_id
        )

    async def revoke(self, *, key_id: int, user_id: int, at: datetime) -> ApiKeyRecord:
        """Revoke one of the user's keys; NotFound if it is not theirs or already revoked."""
        row = await self._pool.fetchrow(
            f"""
            UPDATE api_keys SET revoked_at = $3
             WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
            RETURNING {_COLUMNS}
            """,
            key_id,
            user_id,
            at,
        )
        return ApiKeyRecord(**dict(found(row, f"live api key {key_id} of user {user_id}")))

    async def take_token(
        self, *, bucket: str, burst: float, per_second: float, now: datetime
    ) -> tuple[bool, float]:
        """Take a token from the bucket, refilled since its last request: (taken, tokens left).

        One statement, so concurrent requests of every process take from the same bucket.
        """
        row = await self._pool.fetchrow(
            """
            INSERT INTO api_rate_buckets AS b (bucket, tokens, refilled_at, allowed)
            VALUES ($1, $2::float8 - 1, $4, true)
            ON CONFLICT (bucket) DO UPDATE SET
                allowed = least($2::float8, b.tokens + greatest(0, extract(epoch FROM
                          $4::timestamptz - b.refilled_at)) * $3::float8) >= 1,
                tokens = least($2::float8, b.tokens + greatest(0, extract(epoch FROM
                         $4::timestamptz - b.refilled_at)) * $3::float8)
                         - CASE WHEN least($2::float8, b.tokens + greatest(0, extract(epoch FROM
                                $4::timestamptz - b.refilled_at)) * $3::float8) >= 1
                           THEN 1 ELSE 0 END,
                refilled_at = greatest(b.refilled_at, $4::timestamptz)
            RETURNING allowed, tokens
            """,
            bucket,
            burst,
            per_second,
            now,
        )
        return row["allowed"], row["tokens"]
