"""GET /channels/{id}/insights: what the channel's stored views model found (its backed claims,
the best slots of the next week, its error against the baseline). Training happens in /insights
in the bot; reading what is stored trains nothing and counts no insights run."""

from bot.api.channels import local, owned_channel
from bot.api.models import ChannelPath, InsightEffect, Insights, InsightSlot, ModelQuality
from bot.api.routing import ApiCall, Resource

resource = Resource("insights", "What a channel's views model found, as last trained.")


@resource.get(
    "/channels/{channel_id}/insights",
    summary="The stored model's claims, best slots and error",
    response=Insights,
    path_model=ChannelPath,
)
async def channel_insights(call: ApiCall) -> Insights:
    channel, time_zone = await owned_channel(call)
    stored = await call.services.insights.stored(channel=channel)
    summary = stored.summary
    return Insights(
        channel_id=channel.id,
        trained=summary is not None,
        posts_needed=stored.posts_needed,
        trained_at=local(stored.trained_at, time_zone),
        quality=(
            ModelQuality(
                posts=summary.posts,
                holdout_posts=summary.holdout_posts,
                model_error=summary.model_error,
                baseline_error=summary.baseline_error,
            )
            if summary is not None
            else None
        ),
        effects=[InsightEffect(**vars(effect)) for effect in summary.effects] if summary else [],
        best_slots=[InsightSlot(**vars(slot)) for slot in stored.best_slots],
        time_zone=time_zone,
    )
