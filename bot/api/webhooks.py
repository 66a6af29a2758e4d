"""Webhook endpoints: list, create (the secret shown once), delete, Test (a `ping`), and an
endpoint's delivery log, as /webhooks offers them in chat."""

from bot.api.models import (
    CreatedWebhookEndpoint,
    NewWebhookEndpoint,
    WebhookDelivery,
    WebhookDeliveryList,
    WebhookEndpoint,
    WebhookEndpointList,
    WebhookTestQueued,
)
from bot.api.routing import ApiCall, Resource

resource = Resource(
    "webhooks",
    "Endpoints that receive the owner's events, signed the Standard Webhooks way "
    "(webhook-id, webhook-timestamp, webhook-signature), and their delivery log.",
    feature="feature_webhooks",
)


async def _time_zone(call: ApiCall) -> str:
    return await call.services.users.time_zone(user_id=call.principal.user_id)


@resource.get("/webhooks")
async def list_webhooks(call: ApiCall) -> WebhookEndpointList:
    """The owner's webhook endpoints"""
    endpoints = await call.services.webhooks.endpoints(user_id=call.principal.user_id)
    time_zone = await _time_zone(call)
    return WebhookEndpointList(
        items=[WebhookEndpoint.of(endpoint, time_zone) for endpoint in endpoints]
    )


@resource.post("/webhooks", body_model=NewWebhookEndpoint)
async def create_webhook(call: ApiCall) -> CreatedWebhookEndpoint:
    """A new endpoint, within the plan's limit; its secret is in this answer only"""
    wanted: NewWebhookEndpoint = call.body
    created = await call.services.webhooks.create(
        user_id=call.principal.user_id, url=wanted.url, events=list(wanted.events)
    )
    return CreatedWebhookEndpoint.of(
        created.endpoint, await _time_zone(call), secret=created.secret
    )


@resource.delete("/webhooks/{endpoint_id}")
async def delete_webhook(call: ApiCall) -> None:
    """Delete an endpoint, with what waited for it and its log"""
    await call.services.webhooks.delete(
        user_id=call.principal.user_id, endpoint_id=call.path.endpoint_id
    )


@resource.route("POST", "/webhooks/{endpoint_id}/test", writes=True, status=202)
async def test_webhook(call: ApiCall) -> WebhookTestQueued:
    """Queue a `ping` for the endpoint (see its deliveries)"""
    endpoint_id = call.path.endpoint_id
    await call.services.webhooks.send_test(user_id=call.principal.user_id, endpoint_id=endpoint_id)
    return WebhookTestQueued(endpoint_id=endpoint_id)


@resource.get("/webhooks/{endpoint_id}/deliveries")
async def list_deliveries(call: ApiCall) -> WebhookDeliveryList:
    """The endpoint's latest delivery attempts: status, time, latency, error"""
    attempts = await call.services.webhooks.deliveries(
        user_id=call.principal.user_id, endpoint_id=call.path.endpoint_id
    )
    time_zone = await _time_zone(call)
    return WebhookDeliveryList(
        items=[
            WebhookDelivery.of(attempt, time_zone, type=attempt.event_type) for attempt in attempts
        ],
        time_zone=time_zone,
    )
