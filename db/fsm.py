"""aiogram's FSM state and data, one row per storage key, so dialogs survive a restart."""

from collections.abc import Mapping
from typing import Any

from db.repository import Repository


class FsmRepository(Repository):
    async def get_state(self, *, key: str) -> str | None:
        return await self._pool.fetchval("SELECT state FROM fsm_states WHERE key = $1", key)

    async def get_data(self, *, key: str) -> dict[str, Any]:
        data = await self._pool.fetchval("SELECT data FROM fsm_states WHERE key = $1", key)
        return data if data is not None else {}

    async def set_state(self, *, key: str, state: str | None) -> None:
        await self._pool.execute(
            """
            INSERT INTO fsm_states (key, state) VALUES ($1, $2)
            ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, updated_at = now()
            """,
            key,
            state,
        )

    async def set_data(self, *, key: str, data: Mapping[str, Any]) -> None:
        await self._pool.execute(
            """
            INSERT INTO fsm_states (key, data) VALUES ($1, $2)
            ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, updated_at = now()
            """,
            key,
            dict(data),
        )
