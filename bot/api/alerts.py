"""Alert rules: a channel's rules (list, create) and one rule (pause or resume, delete), with
the wizard's thresholds and the plan's limit on rules."""

from bot.api.channels import local, owned_channel
from bot.api.models import (
    AlertRule,
    AlertRuleChange,
    AlertRuleList,
    ChannelPath,
    NewAlertRule,
    RulePath,
    Thresholds,
)
from bot.api.routing import ApiCall, Resource
from services.alerts import checked_thresholds
from services.domain.alerts import AlertRuleRecord, AlertThresholds

resource = Resource("alerts", "Alert rules on the owner's channels.")


def _rule(rule: AlertRuleRecord, time_zone: str) -> AlertRule:
    return AlertRule(
        id=rule.id,
        channel_id=rule.channel_id,
        kind=rule.kind,
        thresholds=Thresholds(**vars(rule.thresholds)),
        paused=rule.paused,
        muted_until=local(rule.muted_until, time_zone),
        created_at=local(rule.created_at, time_zone),
        last_fired_at=local(rule.last_fired_at, time_zone),
        time_zone=time_zone,
    )


@resource.get(
    "/channels/{channel_id}/alerts",
    summary="The channel's alert rules",
    response=AlertRuleList,
    path_model=ChannelPath,
)
async def list_alert_rules(call: ApiCall) -> AlertRuleList:
    channel, time_zone = await owned_channel(call)
    rules = await call.services.alerts.list_rules(user_id=call.principal.user_id)
    return AlertRuleList(
        items=[_rule(rule, time_zone) for rule in rules if rule.channel_id == channel.id]
    )


@resource.post(
    "/channels/{channel_id}/alerts",
    summary="A new alert rule on the channel, within the plan's rules",
    response=AlertRule,
    path_model=ChannelPath,
    body_model=NewAlertRule,
)
async def create_alert_rule(call: ApiCall) -> AlertRule:
    channel, time_zone = await owned_channel(call)
    wanted: NewAlertRule = call.body
    thresholds = checked_thresholds(wanted.kind, AlertThresholds(**wanted.thresholds.model_dump()))
    rule = await call.services.alerts.create_rule(
        user_id=call.principal.user_id,
        channel_id=channel.id,
        kind=wanted.kind,
        thresholds=thresholds,
    )
    return _rule(rule, time_zone)


async def _owned_rule(call: ApiCall) -> tuple[AlertRuleRecord, str]:
    """The owner's rule, on a channel they still administer (404 otherwise)."""
    user_id = call.principal.user_id
    rule = await call.services.alerts.get_rule(user_id=user_id, rule_id=call.path.rule_id)
    await call.services.channels.require_admin(user_id=user_id, channel_id=rule.channel_id)
    return rule, await call.services.users.time_zone(user_id=user_id)


@resource.patch(
    "/alerts/{rule_id}",
    summary="Pause or resume an alert rule",
    response=AlertRule,
    path_model=RulePath,
    body_model=AlertRuleChange,
)
async def change_alert_rule(call: ApiCall) -> AlertRule:
    rule, time_zone = await _owned_rule(call)
    changed = await call.services.alerts.set_paused(
        user_id=call.principal.user_id, rule_id=rule.id, paused=call.body.paused
    )
    return _rule(changed, time_zone)


@resource.delete("/alerts/{rule_id}", summary="Delete an alert rule", path_model=RulePath)
async def delete_alert_rule(call: ApiCall) -> None:
    rule, _ = await _owned_rule(call)
    await call.services.alerts.delete(user_id=call.principal.user_id, rule_id=rule.id)
