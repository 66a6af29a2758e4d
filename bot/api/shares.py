"""Share links of a channel (list, create) and one link (revoke): what /share and /shares do."""

from bot.api.channels import local, owned_channel
from bot.api.models import (
    ChannelPath,
    CreatedShareLink,
    NewShareLink,
    ShareLink,
    ShareLinkList,
    SharePath,
)
from bot.api.routing import ApiCall, Resource
from services.domain.share_links import ShareLinkRecord

resource = Resource("shares", "Share links: public, read-only reports of a channel.")


def _link(link: ShareLinkRecord, time_zone: str) -> ShareLink:
    return ShareLink(
        id=link.id,
        channel_id=link.channel_id,
        days=link.days,
        created_at=local(link.created_at, time_zone),
        expires_at=local(link.expires_at, time_zone),
        open_count=link.open_count,
        last_opened_at=local(link.last_opened_at, time_zone),
        time_zone=time_zone,
    )


@resource.get(
    "/channels/{channel_id}/shares",
    summary="The channel's live share links (their addresses were shown once, at creation)",
    response=ShareLinkList,
    path_model=ChannelPath,
)
async def list_share_links(call: ApiCall) -> ShareLinkList:
    channel, time_zone = await owned_channel(call)
    links = await call.services.share_links.list_live(user_id=call.principal.user_id)
    return ShareLinkList(
        items=[_link(link, time_zone) for link in links if link.channel_id == channel.id]
    )


@resource.post(
    "/channels/{channel_id}/shares",
    summary="A new share link of the channel's last 7, 30 or 90 days, within the plan",
    response=CreatedShareLink,
    path_model=ChannelPath,
    body_model=NewShareLink,
)
async def create_share_link(call: ApiCall) -> CreatedShareLink:
    channel, time_zone = await owned_channel(call)
    wanted: NewShareLink = call.body
    created = await call.services.share_links.create(
        user_id=call.principal.user_id,
        channel_id=channel.id,
        days=wanted.days,
        lifetime_hours=wanted.lifetime_hours,
    )
    return CreatedShareLink(**_link(created.link, time_zone).model_dump(), url=created.url)


@resource.delete(
    "/shares/{share_id}", summary="Revoke a share link: it opens no more", path_model=SharePath
)
async def revoke_share_link(call: ApiCall) -> None:
    await call.services.share_links.revoke(
        user_id=call.principal.user_id, link_id=call.path.share_id
    )
