"""GET /channels: the channels the key's owner administers, each re-verified with Telegram."""

import asyncio
from datetime import datetime

from bot.api.models import Channel, ChannelList
from bot.api.routing import ApiCall, Resource
from services.analytics import user_time_zone
from services.channels import ChannelAccessError
from services.domain.channels import ChannelRecord, ChannelSummary
from services.wiring import Services

# Re-verifications asked of Telegram at once for one list.
_CONCURRENT_CHECKS = 8

resource = Resource("channels", "The channels the key's owner administers.")


async def owned_channel(call: ApiCall) -> tuple[ChannelRecord, str]:
    """The path's channel, if the owner administers it (asks Telegram again when the last check
    is older than ADMIN_VERIFY_TTL_SECONDS), and the owner's time zone; 404 otherwise."""
    services = call.services
    channel = await services.channels.require_admin(
        user_id=call.principal.user_id, channel_id=call.path.channel_id
    )
    return channel, await services.users.time_zone(user_id=call.principal.user_id)


def local(moment: datetime | None, time_zone: str) -> datetime | None:
    """A moment in the owner's time zone: ISO 8601 with the offset of that zone."""
    return moment.astimezone(user_time_zone(time_zone)) if moment is not None else None


async def _still_administered(
    services: Services, user_id: int, summaries: list[ChannelSummary]
) -> list[ChannelSummary]:
    semaphore = asyncio.Semaphore(_CONCURRENT_CHECKS)

    async def check(summary: ChannelSummary) -> ChannelSummary | None:
        try:
            async with semaphore:
                await services.channels.require_admin(
                    user_id=user_id, channel_id=summary.channel.id
                )
        except ChannelAccessError:
            return None
        return summary

    checked = await asyncio.gather(*(check(summary) for summary in summaries))
    return [summary for summary in checked if summary is not None]


@resource.get("/channels", summary="The owner's channels", response=ChannelList)
async def list_channels(call: ApiCall) -> ChannelList:
    user_id = call.principal.user_id
    summaries = await call.services.channels.list_for_user(user_id=user_id)
    time_zone = await call.services.users.time_zone(user_id=user_id)
    return ChannelList(
        items=[
            Channel(
                id=summary.channel.id,
                title=summary.channel.title,
                username=summary.channel.username,
                is_tracked=summary.channel.is_tracked,
                subscribers=summary.subscribers,
                last_post_at=local(summary.last_post_at, time_zone),
                time_zone=time_zone,
            )
            for summary in await _still_administered(call.services, user_id, summaries)
        ]
    )
