"""Alert rules: a channel's rules (list, create) and one rule (pause or resume, delete), with
the wizard's thresholds and the plan's limit on rules."""

from bot.api.channels import on_owned_channel, owned_channel
from bot.api.models import AlertRule, AlertRuleChange, AlertRuleList, NewAlertRule
from bot.api.routing import ApiCall, Resource
from services.alerts import checked_thresholds
from services.domain.alerts import AlertRuleRecord, AlertThresholds

resource = Resource("alerts", "Alert rules on the owner's channels.", feature="feature_alerts")


@resource.get("/channels/{channel_id}/alerts")
async def list_alert_rules(call: ApiCall) -> AlertRuleList:
    """The channel's alert rules"""
    return AlertRuleList(
        items=await on_owned_channel(call, AlertRule, call.services.alerts.list_rules)
    )


@resource.post("/channels/{channel_id}/alerts", body_model=NewAlertRule)
async def create_alert_rule(call: ApiCall) -> AlertRule:
    """A new alert rule on the channel, within the plan's rules"""
    channel, time_zone = await owned_channel(call)
    wanted: NewAlertRule = call.body
    thresholds = checked_thresholds(wanted.kind, AlertThresholds(**wanted.thresholds.model_dump()))
    rule = await call.services.alerts.create_rule(
        user_id=call.principal.user_id,
        channel_id=channel.id,
        kind=wanted.kind,
        thresholds=thresholds,
    )
    return AlertRule.of(rule, time_zone)


async def _owned_rule(call: ApiCall) -> tuple[AlertRuleRecord, str]:
    """The owner's rule, on a channel they still administer (404 otherwise)."""
    user_id = call.principal.user_id
    rule = await call.services.alerts.get_rule(user_id=user_id, rule_id=call.path.rule_id)
    await call.services.channels.require_admin(user_id=user_id, channel_id=rule.channel_id)
    return rule, await call.services.users.time_zone(user_id=user_id)


@resource.patch("/alerts/{rule_id}", body_model=AlertRuleChange)
async def change_alert_rule(call: ApiCall) -> AlertRule:
    """Pause or resume an alert rule"""
    rule, time_zone = await _owned_rule(call)
    changed = await call.services.alerts.set_paused(
        user_id=call.principal.user_id, rule_id=rule.id, paused=call.body.paused
    )
    return AlertRule.of(changed, time_zone)


@resource.delete("/alerts/{rule_id}")
async def delete_alert_rule(call: ApiCall) -> None:
    """Delete an alert rule"""
    rule, _ = await _owned_rule(call)
    await call.services.alerts.delete(user_id=call.principal.user_id, rule_id=rule.id)
