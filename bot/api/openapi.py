"""The OpenAPI 3.1 document, built from the endpoints' declarations and their pydantic models,
and a short page for people (no assets from anywhere else)."""

from collections.abc import Sequence
from html import escape
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.api.models import Problem
from bot.api.problems import PROBLEM_CONTENT_TYPE, TITLES
from bot.api.routing import Endpoint, Resource

API_PREFIX = "/api/v1"
_REF = "#/components/schemas/{model}"


def _models(resources: Sequence[Resource]) -> list[type[BaseModel]]:
    models: list[type[BaseModel]] = [Problem]
    for resource in resources:
        for endpoint in resource.endpoints:
            for model in (
                endpoint.response,
                endpoint.path_model,
                endpoint.query_model,
                endpoint.body_model,
            ):
                if model is not None and model not in models:
                    models.append(model)
    return models


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without pydantic's null: an absent parameter is its None."""
    schema = {k: v for k, v in schema.items() if k != "title" and (k, v) != ("default", None)}
    options = [option for option in schema.pop("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        schema |= options[0]
    elif options:
        schema["anyOf"] = options
    return schema


def _parameters(schemas: dict[str, Any], model: type[BaseModel] | None, where: str) -> list:
    if model is None:
        return []
    schema = schemas[model.__name__]
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _not_null(prop)
        description = prop.pop("description", None)
        parameter = {"name": name, "in": where, "required": where == "path" or name in required}
        parameter["schema"] = prop
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _problem(status: int, *, retry_after: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": TITLES[status],
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _REF.format(model="Problem")}}},
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before calling again",
                "required": True,
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }
        }
    return response


def _json_content(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}}


def _operation(endpoint: Endpoint, tag: str, schemas: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if endpoint.response is None:
        responses[str(endpoint.status)] = {"description": "Done"}
    else:
        responses[str(endpoint.status)] = {
            "description": endpoint.summary,
            "content": {
                "application/json": {
                    "schema": {"$ref": _REF.format(model=endpoint.response.__name__)}
                }
            },
        }
    responses["401"] = _problem(401)
    if not endpoint.public:
        # 403: a read-only key writing, or a plan's limit (history, rules).
        responses["403"] = _problem(403)
    if endpoint.path_model is not None:
        responses["404"] = _problem(404)
    if endpoint.body_model is not None:
        responses["413"] = _problem(413)
    if endpoint.path_model or endpoint.query_model or endpoint.body_model:
        responses["422"] = _problem(422)
    responses["429"] = _problem(429, retry_after=True)
    responses["503"] = _problem(503, retry_after=True)
    operation: dict[str, Any] = {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "tags": [tag],
        "parameters": _parameters(schemas, endpoint.path_model, "path")
        + _parameters(schemas, endpoint.query_model, "query"),
        "responses": responses,
    }
    if endpoint.public:
        operation["security"] = []  # it hands out the token the others take
    if endpoint.body_model is not None:
        operation["requestBody"] = {
            "required": True,
            "content": _json_content(endpoint.body_model),
        }
    return operation


def openapi_document(resources: Sequence[Resource], *, server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every resource's endpoints."""
    _, definitions = models_json_schema(
        [(model, "validation") for model in _models(resources)], ref_template=_REF
    )
    schemas = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for resource in resources:
        for endpoint in resource.endpoints:
            operations = paths.setdefault(API_PREFIX + endpoint.path, {})
            operations[endpoint.method.lower()] = _operation(endpoint, resource.tag, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AnalyticBot API",
            "version": "1",
            "description": (
                "Your channels' numbers for your own tools. Create a key with /api in the bot "
                "and send it as `Authorization: Bearer <key>`. Times are ISO 8601 in the "
                "owner's time zone, which every response names; errors are "
                "application/problem+json (RFC 9457)."
            ),
        },
        "servers": [{"url": server_url or "/"}],
        "tags": [{"name": r.tag, "description": r.description} for r in resources],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AnalyticBot API</title>
<style>
body{{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#1b1f24}}code,pre{{background:#f2f4f7;border-radius:4px;padding:0 .3em}}
pre{{padding:.8em;overflow-x:auto}}table{{border-collapse:collapse;width:100%}}
td,th{{text-align:left;padding:.3em .5em;border-bottom:1px solid #e3e6ea;vertical-align:top}}
.m{{font-weight:600;font-family:monospace}}
</style></head><body>
<h1>AnalyticBot API</h1>
<p>Your channels' numbers for dashboards, CRMs and spreadsheets. Create a key in the bot with
<code>/api</code> (read-only or read-write; it is shown once), then send it with every request:</p>
<pre>curl -H "Authorization: Bearer ab_…" {base}/api/v1/channels</pre>
<p>Times are ISO 8601 in the owner's time zone, named in every response as
<code>time_zone</code>; days are that zone's days. Errors are
<code>application/problem+json</code> (RFC 9457): 401 for a missing, forged or revoked key,
403 for a read-only key that writes or a plan's limit, 404 for a channel the owner does not
administer, 422 for bad parameters, 429 with <code>Retry-After</code> past the rate limit.</p>
<p>The machine-readable description: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
{sections}
</body></html>
"""


def docs_page(resources: Sequence[Resource], *, base_url: str) -> str:
    sections = []
    for resource in resources:
        rows = "".join(
            f'<tr><td class="m">{endpoint.method}</td>'
            f"<td><code>{escape(API_PREFIX + endpoint.path)}</code></td>"
            f"<td>{escape(endpoint.summary)}</td></tr>"
            for endpoint in resource.endpoints
        )
        sections.append(
            f"<h2>{escape(resource.tag.title())}</h2><p>{escape(resource.description)}</p>"
            f"<table>{rows}</table>"
        )
    return _PAGE.format(base=escape(base_url), sections="\n".join(sections))
