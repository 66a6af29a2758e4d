"""Users of the bot: the people who talk to it in private chat."""

from db.repository import Repository, found
from services.domain.users import UserRecord

_COLUMNS = "id, username, first_name, language_code, chosen_language, time_zone, created_at"


class UsersRepository(Repository):
    async def upsert(
        self, *, user_id: int, username: str | None, first_name: str, language_code: str | None
    ) -> UserRecord:
        row = await self._pool.fetchrow(
            f"""
            INSERT INTO users (id, username, first_name, language_code)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO UPDATE
               SET username = EXCLUDED.username,
                   first_name = EXCLUDED.first_name,
                   language_code = EXCLUDED.language_code,
                   last_seen_at = now()
            RETURNING {_COLUMNS}
            """,
            user_id,
            username,
            first_name,
            language_code,
        )
        return UserRecord(**dict(row))

    async def get(self, *, user_id: int) -> UserRecord:
        row = await self._pool.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", user_id)
        return UserRecord(**dict(found(row, f"user {user_id}")))

    async def set_chosen_language(self, *, user_id: int, language: str | None) -> None:
        await self._pool.execute(
            "UPDATE users SET chosen_language = $2 WHERE id = $1", user_id, language
        )
