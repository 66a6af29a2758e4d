"""Webhook endpoints: list, create (the secret shown once), delete, Test (a `ping`), and an
endpoint's delivery log, as /webhooks offers them in chat."""

from bot.api.channels import local
from bot.api.models import (
    CreatedWebhookEndpoint,
    EndpointPath,
    NewWebhookEndpoint,
    WebhookDelivery,
    WebhookDeliveryList,
    WebhookEndpoint,
    WebhookEndpointList,
    WebhookTestQueued,
)
from bot.api.routing import ApiCall, Resource
from services.domain.webhooks import WebhookEndpointRecord

resource = Resource(
    "webhooks",
    "Endpoints that receive the owner's events, signed the Standard Webhooks way "
    "(webhook-id, webhook-timestamp, webhook-signature), and their delivery log.",
)


def _endpoint(endpoint: WebhookEndpointRecord, time_zone: str) -> dict:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": [event.value for event in endpoint.events],
        "enabled": endpoint.enabled,
        "disabled_at": local(endpoint.disabled_at, time_zone),
        "disabled_reason": endpoint.disabled_reason,
        "pending": endpoint.pending,
        "created_at": local(endpoint.created_at, time_zone),
        "time_zone": time_zone,
    }


async def _time_zone(call: ApiCall) -> str:
    return await call.services.users.time_zone(user_id=call.principal.user_id)


@resource.get("/webhooks", summary="The owner's webhook endpoints", response=WebhookEndpointList)
async def list_webhooks(call: ApiCall) -> WebhookEndpointList:
    endpoints = await call.services.webhooks.endpoints(user_id=call.principal.user_id)
    time_zone = await _time_zone(call)
    return WebhookEndpointList(
        items=[WebhookEndpoint(**_endpoint(endpoint, time_zone)) for endpoint in endpoints]
    )


@resource.post(
    "/webhooks",
    summary="A new endpoint, within the plan's limit; its secret is in this answer only",
    response=CreatedWebhookEndpoint,
    body_model=NewWebhookEndpoint,
)
async def create_webhook(call: ApiCall) -> CreatedWebhookEndpoint:
    wanted: NewWebhookEndpoint = call.body
    created = await call.services.webhooks.create(
        user_id=call.principal.user_id, url=wanted.url, events=list(wanted.events)
    )
    return CreatedWebhookEndpoint(
        **_endpoint(created.endpoint, await _time_zone(call)), secret=created.secret
    )


@resource.delete(
    "/webhooks/{endpoint_id}",
    summary="Delete an endpoint, with what waited for it and its log",
    path_model=EndpointPath,
)
async def delete_webhook(call: ApiCall) -> None:
    await call.services.webhooks.delete(
        user_id=call.principal.user_id, endpoint_id=call.path.endpoint_id
    )


@resource.route(
    "POST",
    "/webhooks/{endpoint_id}/test",
    writes=True,
    status=202,
    summary="Queue a `ping` for the endpoint (see its deliveries)",
    response=WebhookTestQueued,
    path_model=EndpointPath,
)
async def test_webhook(call: ApiCall) -> WebhookTestQueued:
    endpoint_id = call.path.endpoint_id
    await call.services.webhooks.send_test(user_id=call.principal.user_id, endpoint_id=endpoint_id)
    return WebhookTestQueued(endpoint_id=endpoint_id)


@resource.get(
    "/webhooks/{endpoint_id}/deliveries",
    summary="The endpoint's latest delivery attempts: status, time, latency, error",
    response=WebhookDeliveryList,
    path_model=EndpointPath,
)
async def list_deliveries(call: ApiCall) -> WebhookDeliveryList:
    attempts = await call.services.webhooks.deliveries(
        user_id=call.principal.user_id, endpoint_id=call.path.endpoint_id
    )
    time_zone = await _time_zone(call)
    return WebhookDeliveryList(
        items=[
            WebhookDelivery(
                id=attempt.id,
                webhook_id=attempt.webhook_id,
                type=attempt.event_type,
                attempted_at=local(attempt.attempted_at, time_zone),
                status_code=attempt.status_code,
                latency_ms=attempt.latency_ms,
                error=attempt.error,
                succeeded=attempt.succeeded,
            )
            for attempt in attempts
        ],
        time_zone=time_zone,
    )
