"""Telegram's sending limits for all processes together: send slots taken in PostgreSQL."""

from datetime import timedelta

from db.repository import Repository
from services.domain.outgoing import SendSlot


class SendSlotsRepository(Repository):
    async def take(
        self, *, chat_id: int, overall_interval: timedelta, per_chat_interval: timedelta
    ) -> SendSlot:
        """The chat's next slot, spaced `overall_interval` from any send and
        `per_chat_interval` from the chat's last, by the database server's clock."""
        row = await self._pool.fetchrow(
            "SELECT wait, reserved FROM take_send_slot($1, $2, $3)",
            chat_id,
            overall_interval,
            per_chat_interval,
        )
        return SendSlot(wait=max(0.0, row["wait"]), reserved=row["reserved"])

    async def hold(self, *, seconds: float) -> None:
        """Telegram answered 429: no process sends anything for `seconds`."""
        await self._pool.execute(
            """
            INSERT INTO send_slots AS s (chat_id, next_at)
            VALUES (0, clock_timestamp() + make_interval(secs => $1))
            ON CONFLICT (chat_id) DO UPDATE SET next_at = greatest(s.next_at, EXCLUDED.next_at)
            """,
            seconds,
        )
