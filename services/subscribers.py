"""Subscriber-count snapshots of every tracked channel, taken on a schedule."""

import asyncio
import logging
from dataclasses import KW_ONLY, dataclass
from datetime import datetime

from db.channels import ChannelsRepository
from db.ingestion import IngestionRepository
from services.clock import Clock
from services.domain.ingestion import SnapshotRow
from services.telegram import ChatUnavailable, TelegramGateway

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscriberSnapshotService:
    channels: ChannelsRepository
    ingestion: IngestionRepository
    telegram: TelegramGateway
    clock: Clock
    _: KW_ONLY
    concurrency: int

    async def snapshot_all(self) -> int:
        """Ask Telegram for each tracked channel's count, a few at a time; store them at once."""
        taken_at = self.clock.now()
        semaphore = asyncio.Semaphore(self.concurrency)

        async def count(channel_id: int) -> SnapshotRow | None:
            async with semaphore:
                return await self._count(channel_id, taken_at=taken_at)

        results = await asyncio.gather(*(count(cid) for cid in await self.channels.tracked_ids()))
        rows = [row for row in results if row is not None]
        if rows:
            await self.ingestion.insert_snapshots(rows)
        return len(rows)

    async def snapshot_channel(self, channel_id: int) -> int | None:
        """Ask Telegram for one channel's count now and store it; None if Telegram says nothing.

        A channel just tracked shows its count at once, not after the next scheduled round.
        """
        row = await self._count(channel_id, taken_at=self.clock.now())
        if row is None:
            return None
        await self.ingestion.insert_snapshots([row])
        return row.subscribers

    async def _count(self, channel_id: int, *, taken_at: datetime) -> SnapshotRow | None:
        try:
            subscribers = await self.telegram.get_member_count(channel_id)
        except ChatUnavailable:
            log.info("no subscriber count for channel %s: not reachable", channel_id)
            return None
        except Exception:
            log.exception("subscriber count of channel %s failed", channel_id)
            return None
        return SnapshotRow(channel_id=channel_id, taken_at=taken_at, subscribers=subscribers)
