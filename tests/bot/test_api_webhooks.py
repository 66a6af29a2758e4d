"""Webhook endpoints through the REST API: create (the secret once), list, Test, the delivery
log and delete, as a program calls them; refusals as problem+json, private addresses too."""

import pytest
from stories import api_key, started
from test_api import assert_problem, call

allowing_private = pytest.mark.settings(webhook_allow_private_addresses=True)


@allowing_private
async def test_an_endpoint_made_through_the_api_is_tested_and_logged(
    app, tg, http, receiver
) -> None:
    alice = await started(tg)
    key = await api_key(tg, alice, can_write=True)

    status, _, created = await call(
        http,
        app,
        "POST",
        "/webhooks",
        key,
        json={"url": receiver.url(), "events": ["post.published", "alert.fired"]},
    )
    assert status == 201, created
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["post.published", "alert.fired"] and created["enabled"]
    receiver.expect("/hooks", created["secret"])
    endpoint_id = created["id"]

    status, _, listed = await call(http, app, "GET", "/webhooks", key)
    assert status == 200 and [e["id"] for e in listed["items"]] == [endpoint_id]
    assert "secret" not in listed["items"][0]

    status, _, queued = await call(http, app, "POST", f"/webhooks/{endpoint_id}/test", key)
    assert (status, queued) == (202, {"endpoint_id": endpoint_id, "type": "ping"})
    await app.services.webhook_delivery.deliver_due()
    assert [d.type for d in receiver.deliveries] == ["ping"] and receiver.refused == []

    status, _, log = await call(http, app, "GET", f"/webhooks/{endpoint_id}/deliveries", key)
    assert status == 200 and log["time_zone"] == "UTC"
    (attempt,) = log["items"]
    assert attempt["type"] == "ping" and attempt["succeeded"] and attempt["status_code"] == 200
    assert attempt["webhook_id"] == receiver.deliveries[0].webhook_id

    status, _, _ = await call(http, app, "DELETE", f"/webhooks/{endpoint_id}", key)
    assert status == 204
    assert (await call(http, app, "GET", "/webhooks", key))[2] == {"items": []}
    assert_problem(*await call(http, app, "DELETE", f"/webhooks/{endpoint_id}", key), 404)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        pytest.param("http://127.0.0.1:8080/hooks", "127.0.0.1", id="loopback"),
        pytest.param("http://10.0.0.7/hooks", "10.0.0.7", id="private-10"),
        pytest.param("http://169.254.169.254/", "169.254.169.254", id="link-local"),
    ],
)
async def test_a_private_address_is_refused(app, tg, http, url: str, address: str) -> None:
    alice = await started(tg)
    key = await api_key(tg, alice, can_write=True)
    refused = await call(
        http, app, "POST", "/webhooks", key, json={"url": url, "events": ["post.published"]}
    )
    assert_problem(*refused, 422)
    assert f"points at {address}, a private, loopback or link-local address" in refused[2]["detail"]
    assert (await call(http, app, "GET", "/webhooks", key))[2] == {"items": []}


@allowing_private
async def test_keys_reach_only_their_owners_endpoints_and_read_only_keys_only_read(
    app, tg, http, receiver
) -> None:
    alice, bob = await started(tg, "Alice"), await started(tg, "Bob")
    endpoint = await app.services.webhooks.create(
        user_id=alice.id, url=receiver.url(), events=["post.published"]
    )
    bobs_key = await api_key(tg, bob, can_write=True)
    alices_reader = await api_key(tg, alice)

    for method, path in [
        ("DELETE", f"/webhooks/{endpoint.endpoint.id}"),
        ("POST", f"/webhooks/{endpoint.endpoint.id}/test"),
        ("GET", f"/webhooks/{endpoint.endpoint.id}/deliveries"),
    ]:
        assert_problem(*await call(http, app, method, path, bobs_key), 404)
    assert (await call(http, app, "GET", "/webhooks", bobs_key))[2] == {"items": []}
    assert_problem(
        *await call(http, app, "DELETE", f"/webhooks/{endpoint.endpoint.id}", alices_reader), 403
    )
    body = {"url": receiver.url(), "events": ["post.published"]}
    assert_problem(*await call(http, app, "POST", "/webhooks", alices_reader, json=body), 403)
    status, _, listed = await call(http, app, "GET", "/webhooks", alices_reader)
    assert status == 200 and len(listed["items"]) == 1


@allowing_private
async def test_unknown_events_and_the_plans_limit(app, tg, http, receiver) -> None:
    alice = await started(tg)
    key = await api_key(tg, alice, can_write=True)
    for events in ([], ["ping"], ["post.deleted"]):
        body = {"url": receiver.url(), "events": events}
        assert_problem(*await call(http, app, "POST", "/webhooks", key, json=body), 422)
    body = {"url": receiver.url(), "events": ["plan.changed"]}
    assert (await call(http, app, "POST", "/webhooks", key, json=body))[0] == 201
    limited = await call(http, app, "POST", "/webhooks", key, json=body)
    assert_problem(*limited, 403)
    assert "allows 1 webhook endpoints" in limited[2]["detail"]
