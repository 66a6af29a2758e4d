"""GET /channels: the channels the key's owner administers, each re-verified with Telegram."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from bot.api.models import ApiModel, Channel, ChannelList, local
from bot.api.routing import ApiCall, Resource
from services.channels import ChannelAccessError
from services.domain.channels import ChannelRecord, ChannelSummary
from services.wiring import Services

# Re-verifications asked of Telegram at once for one list.
_CONCURRENT_CHECKS = 8
Item = TypeVar("Item", bound=ApiModel)

resource = Resource("channels", "The channels the key's owner administers.")


async def owned_channel(call: ApiCall) -> tuple[ChannelRecord, str]:
    """The path's channel, if the owner administers it (asks Telegram again when the last check
    is older than ADMIN_VERIFY_TTL_SECONDS), and the owner's time zone; 404 otherwise."""
    services = call.services
    channel = await services.channels.require_admin(
        user_id=call.principal.user_id, channel_id=call.path.channel_id
    )
    return channel, await services.users.time_zone(user_id=call.principal.user_id)


async def on_owned_channel(
    call: ApiCall, model: type[Item], records_of: Callable[..., Awaitable[Iterable[Any]]]
) -> list[Item]:
    """The owner's records (`records_of(user_id=...)`) on the path's channel, as `model` shows
    them; 404 unless the owner administers the channel."""
    channel, time_zone = await owned_channel(call)
    records = await records_of(user_id=call.principal.user_id)
    return [model.of(record, time_zone) for record in records if record.channel_id == channel.id]


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


@resource.get("/channels")
async def list_channels(call: ApiCall) -> ChannelList:
    """The owner's channels"""
    user_id = call.principal.user_id
    summaries = await call.services.channels.list_for_user(user_id=user_id)
    time_zone = await call.services.users.time_zone(user_id=user_id)
    return ChannelList(
        items=[
            Channel.of(
                summary.channel,
                time_zone,
                subscribers=summary.subscribers,
                last_post_at=local(summary.last_post_at, time_zone),
            )
            for summary in await _still_administered(call.services, user_id, summaries)
        ]
    )
