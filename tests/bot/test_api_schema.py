"""schemathesis against the OpenAPI document the bot serves: whatever it generates from the
document, the API never fails with a server error, and every answer (status, content type,
headers, body) is one the document describes.

Half the cases aim at the owner's real channel and rule, so that the answers with data are
checked too, not only the refusals of ids nobody has.
"""

import asyncio
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from stories import api_key, channel_with_history, on_plan

from db.webhooks import WebhookEndpointsRepository
from services.domain.alerts import AlertKind, AlertThresholds
from services.webhooks import new_secret

# Per operation, and per way of choosing its path's ids: enough to cover every parameter's
# kinds of values, few enough for the whole run to take seconds.
EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def explore(document: dict[str, Any], base_url: str, token: str, ids: dict[str, int]) -> int:
    """Run every operation's cases against base_url; the number of operations run. Raises the
    first failure schemathesis finds."""
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        strategies = [operation.as_strategy()]
        known = {name: value for name, value in ids.items() if f"{{{name}}}" in operation.path}
        if known:
            strategies.append(operation.as_strategy(path_parameters=known))

        @hypothesis_settings(
            max_examples=EXAMPLES * len(strategies),
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def check(case) -> None:
            case.call_and_validate(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )

        check()
    return len(operations)


@pytest.mark.settings(api_rate_burst=100_000, api_rate_per_second=1000.0)
async def test_every_answer_matches_the_served_document(app, tg, db, clock, http) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    await on_plan(app, shared.owner, "business")
    token = await api_key(tg, shared.owner, can_write=True)
    rule = await app.services.alerts.create_rule(
        user_id=shared.owner.id,
        channel_id=shared.channel.id,
        kind=AlertKind.MILESTONE,
        thresholds=AlertThresholds(amount=2000),
    )
    # Saved as if its host resolved publicly; schemathesis may test or delete it.
    endpoint = await WebhookEndpointsRepository(db).create(
        owner_id=shared.owner.id,
        url="https://hooks.example.com/analyticbot",
        events=["post.published"],
        secret=new_secret(),
    )
    async with http.get(f"{app.app.web_url}/api/v1/openapi.json") as response:
        assert response.status == 200
        document = await response.json()

    # schemathesis calls synchronously; the bot serves on this test's event loop meanwhile.
    operations = await asyncio.to_thread(
        explore,
        document,
        app.app.web_url,
        token,
        {"channel_id": shared.channel.id, "rule_id": rule.id, "endpoint_id": endpoint.id},
    )

    assert operations == sum(len(methods) for methods in document["paths"].values())
    assert operations >= 9


async def test_the_document_is_openapi_3_1_and_the_docs_page_is_self_contained(app, http) -> None:
    async with http.get(f"{app.app.web_url}/api/v1/openapi.json") as response:
        document = await response.json()
    async with http.get(f"{app.app.web_url}/api/v1/docs") as response:
        page = await response.text()
        content_type = response.content_type

    assert document["openapi"] == "3.1.0"
    assert {
        "/api/v1/channels",
        "/api/v1/channels/{channel_id}/report",
        "/api/v1/alerts/{rule_id}",
    } <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert content_type == "text/html"
    assert "/api/v1/channels/{channel_id}/posts" in page and 'href="openapi.json"' in page
    assert "<script" not in page and "://" not in page.split("<pre>")[0]
