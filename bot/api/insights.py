"""GET /channels/{id}/insights: what the channel's stored views model found (its backed claims,
the best slots of the next week, its error against the baseline). Training happens in /insights
in the bot; reading what is stored trains nothing and counts no insights run."""

from bot.api.channels import owned_channel
from bot.api.models import Insights, ModelQuality
from bot.api.routing import ApiCall, Resource

resource = Resource(
    "insights", "What a channel's views model found, as last trained.", feature="feature_insights"
)


@resource.get("/channels/{channel_id}/insights")
async def channel_insights(call: ApiCall) -> Insights:
    """The stored model's claims, best slots and error"""
    channel, time_zone = await owned_channel(call)
    stored = await call.services.insights.stored(channel=channel)
    summary = stored.summary
    return Insights.of(
        stored,
        time_zone,
        channel_id=channel.id,
        trained=summary is not None,
        quality=ModelQuality.of(summary) if summary is not None else None,
        effects=summary.effects if summary is not None else [],
    )
