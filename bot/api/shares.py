"""Share links of a channel (list, create) and one link (revoke): what /share and /shares do."""

from bot.api.channels import on_owned_channel, owned_channel
from bot.api.models import CreatedShareLink, NewShareLink, ShareLink, ShareLinkList
from bot.api.routing import ApiCall, Resource

resource = Resource(
    "shares", "Share links: public, read-only reports of a channel.", feature="feature_share_links"
)


@resource.get("/channels/{channel_id}/shares")
async def list_share_links(call: ApiCall) -> ShareLinkList:
    """The channel's live share links (their addresses were shown once, at creation)"""
    return ShareLinkList(
        items=await on_owned_channel(call, ShareLink, call.services.share_links.list_live)
    )


@resource.post("/channels/{channel_id}/shares", body_model=NewShareLink)
async def create_share_link(call: ApiCall) -> CreatedShareLink:
    """A new share link of the channel's last 7, 30 or 90 days, within the plan"""
    channel, time_zone = await owned_channel(call)
    # The body's fields are the link's choices, named as the service takes them.
    created = await call.services.share_links.create(
        user_id=call.principal.user_id, channel_id=channel.id, **call.body.model_dump()
    )
    return CreatedShareLink.of(created.link, time_zone, url=created.url)


@resource.delete("/shares/{share_id}")
async def revoke_share_link(call: ApiCall) -> None:
    """Revoke a share link: it opens no more"""
    await call.services.share_links.revoke(
        user_id=call.principal.user_id, link_id=call.path.share_id
    )
