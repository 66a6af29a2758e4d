"""Watermark presets per user, the current one, and the change being previewed."""

from typing import Any

import asyncpg

from db.errors import NotFound
from db.repository import Repository
from services.domain.watermarks import (
    PresetName,
    WatermarkDraftRecord,
    WatermarkPresetRecord,
    WatermarkStateRecord,
)


class WatermarksRepository(Repository):
    async def state(self, *, user_id: int) -> WatermarkStateRecord:
        row = await self._pool.fetchrow(
            """
            SELECT p.id, p.name, p.settings, p.logo, w.draft_settings, w.draft_logo
              FROM watermark_users w
              LEFT JOIN watermark_presets p ON p.id = w.preset_id
             WHERE w.user_id = $1
            """,
            user_id,
        )
        if row is None:
            return WatermarkStateRecord(preset=None, draft=None)
        preset = None
        if row["id"] is not None:
            preset = WatermarkPresetRecord(
                id=row["id"], name=row["name"], settings=row["settings"], logo=row["logo"]
            )
        draft = None
        if row["draft_settings"] is not None:
            draft = WatermarkDraftRecord(settings=row["draft_settings"], logo=row["draft_logo"])
        return WatermarkStateRecord(preset=preset, draft=draft)

    async def preset_names(self, *, user_id: int) -> list[PresetName]:
        rows = await self._pool.fetch(
            "SELECT id, name FROM watermark_presets WHERE user_id = $1 ORDER BY lower(name)",
            user_id,
        )
        return [PresetName(id=row["id"], name=row["name"]) for row in rows]

    async def save_draft(
        self, *, user_id: int, settings: dict[str, Any], logo: bytes | None
    ) -> None:
        await self._pool.execute(
            """
            INSERT INTO watermark_users (user_id, draft_settings, draft_logo)
            VALUES ($1, $2, $3)
            ON CONFLICT (user_id) DO UPDATE
               SET draft_settings = EXCLUDED.draft_settings, draft_logo = EXCLUDED.draft_logo
            """,
            user_id,
            settings,
            logo,
        )

    async def discard_draft(self, *, user_id: int) -> None:
        await self._pool.execute(
            """
            UPDATE watermark_users SET draft_settings = NULL, draft_logo = NULL
             WHERE user_id = $1 AND draft_settings IS NOT NULL
            """,
            user_id,
        )

    async def store_preset(
        self, *, user_id: int, name: str, settings: dict[str, Any], logo: bytes | None
    ) -> None:
        """Create or overwrite the preset of that name, make it current, drop the draft."""
        async with self._pool.acquire() as conn, conn.transaction():
            preset_id = await conn.fetchval(
                """
                INSERT INTO watermark_presets (user_id, name, settings, logo)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (user_id, name) DO UPDATE
                   SET settings = EXCLUDED.settings, logo = EXCLUDED.logo, updated_at = now()
                RETURNING id
                """,
                user_id,
                name,
                settings,
                logo,
            )
            await self._make_current(conn, user_id=user_id, preset_id=preset_id)

    async def select_preset(self, *, user_id: int, preset_id: int) -> None:
        """Make one of the user's presets current and drop the draft; NotFound if not theirs."""
        async with self._pool.acquire() as conn, conn.transaction():
            owned = await conn.fetchval(
                "SELECT true FROM watermark_presets WHERE id = $1 AND user_id = $2",
                preset_id,
                user_id,
            )
            if owned is None:
                raise NotFound(f"watermark preset {preset_id} of user {user_id}")
            await self._make_current(conn, user_id=user_id, preset_id=preset_id)

    @staticmethod
    async def _make_current(conn: asyncpg.Connection, *, user_id: int, preset_id: int) -> None:
        await conn.execute(
            """
            INSERT INTO watermark_users (user_id, preset_id) VALUES ($1, $2)
            ON CONFLICT (user_id) DO UPDATE
               SET preset_id = EXCLUDED.preset_id, draft_settings = NULL, draft_logo = NULL
            """,
            user_id,
            preset_id,
        )
