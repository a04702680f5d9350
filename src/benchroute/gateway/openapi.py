"""The gateway's OpenAPI 3.1 document, served at `/openapi.json`.

Built from the app's own routes, so every endpoint is in it (the same dialect under several base
paths is documented once per path): known endpoints get their request and response schemas, any
other route a generic entry. Schemas describe what the gateway accepts loosely where the wire
parsers are lenient (`additionalProperties` allowed), and every error is the client's error shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from benchroute import __version__
from benchroute.gateway.openapi_schemas import (
    CHAT_REQUEST,
    MESSAGES_REQUEST,
    RESPONSES_REQUEST,
    SSE_EVENTS,
    sse,
)
from benchroute.wire.error_body import endpoint_dialect

JSON = dict[str, Any]

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}
_ANTHROPIC_ERROR = {
    "type": "object",
    "required": ["type", "error"],
    "properties": {
        "type": {"const": "error"},
        "error": {
            "type": "object",
            "required": ["type", "message"],
            "properties": {"type": {"type": "string"}, "message": {"type": "string"}},
        },
    },
}

_CHAT_RESPONSE = {
    "type": "object",
    "required": ["id", "object", "model", "choices"],
    "properties": {
        "id": {"type": "string"},
        "object": {"const": "chat.completion"},
        "created": {"type": "integer"},
        "model": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "object"}},
        "usage": {"type": "object"},
    },
}
_MODEL_LIST = {
    "type": "object",
    "required": ["object", "data"],
    "properties": {
        "object": {"const": "list"},
        "data": {
            "type": "array",
            "items": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        },
    },
}
_GROUP = "(model|day|project|session|tier|client)"
_GROUPS = {"type": "string", "pattern": f"^{_GROUP}(,{_GROUP})*$"}
_ISO_DATE = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])$"}
_LIST = {"type": "object", "required": ["data"], "properties": {"data": {"type": "array"}}}


def _json(schema: JSON, description: str = "OK") -> JSON:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int, schema: JSON = _ERROR) -> dict[str, JSON]:
    text = {
        400: "Malformed or invalid request",
        401: "Missing, invalid or revoked API key",
        403: "Model not allowed for the project",
        404: "Not found",
        413: "Request body too large",
        429: "A rate limit or budget of the project or key is reached (see Retry-After)",
        431: "Too many or too large request headers",
        502: "Upstream failed",
        503: "Unavailable: no model can serve it, or a store it needs is unreachable",
        504: "Upstream timed out",
    }
    return {str(s): _json(schema, text[s]) for s in statuses}


_HEADERS = {
    "x-benchroute-model": {"description": "the catalog id that served", "schema": {"type": "string"}},
    "x-benchroute-tier": {"description": "the tier of the decision", "schema": {"type": "string"}},
    "x-benchroute-decision-id": {
        "description": "GET /v1/decisions/{id} explains it",
        "schema": {"type": "string"},
    },
    "x-benchroute-budget-warning": {
        "description": "present when a budget is past its warning share",
        "schema": {"type": "string"},
    },
}


def _dialect(summary: str, request: JSON, response: JSON, events: str, error: JSON = _ERROR) -> JSON:
    ok = _json(response, "The completion (JSON), or a server-sent event stream when `stream` is true")
    ok["content"]["text/event-stream"] = sse(events)
    ok["headers"] = _HEADERS
    return {
        "summary": summary,
        "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
        "responses": {"200": ok, **_errors(400, 401, 403, 404, 413, 429, 431, 502, 503, 504, schema=error)},
    }


def _query(name: str, description: str, schema: JSON | None = None) -> JSON:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}  # fmt: skip


def operation(path: str, method: str) -> JSON:
    """The documented operation of one route (a generic one for routes not described here)."""
    dialect = endpoint_dialect(path) if method == "POST" else None
    if dialect == "chat":
        return _dialect("OpenAI chat completions (routed)", CHAT_REQUEST, _CHAT_RESPONSE, SSE_EVENTS["chat"])
    if dialect == "messages":
        return _dialect(
            "Anthropic Messages (routed)",
            MESSAGES_REQUEST,
            {"type": "object"},
            SSE_EVENTS["messages"],
            _ANTHROPIC_ERROR,
        )
    if dialect == "responses":
        return _dialect(
            "OpenAI Responses (routed)", RESPONSES_REQUEST, {"type": "object"}, SSE_EVENTS["responses"]
        )
    if method == "POST" and path == "/v1/route":
        return {
            "summary": "The routing decision for a request body, without calling a model (a preview)",
            "parameters": [_query("api", "the body's dialect", {"enum": ["chat"]})],
            "requestBody": {"required": True, "content": {"application/json": {"schema": CHAT_REQUEST}}},
            "responses": {
                "200": _json({"type": "object"}),
                **_errors(400, 401, 403, 404, 413, 429, 431, 503),
            },
        }
    if method == "GET" and path.endswith("/models"):
        return {
            "summary": "Models the project may use",
            "responses": {"200": _json(_MODEL_LIST), **_errors(401)},
        }
    described = _read_operation(path)
    if described is not None:
        return described
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _path_params(path)
    ]
    return {
        "summary": f"{method} {path}",
        **({"parameters": params} if params else {}),
        "responses": {"default": {"description": "HTML page, redirect, or an error"}},
    }


def _read_operation(path: str) -> JSON | None:
    """The GET routes of the API that read the store or the gateway's state, described."""
    if path == "/v1/usage":
        groups = "comma-separated: model, day, hour, project, session, tier, client, mode"
        return {
            "summary": "Usage, cost and savings against always-Frontier of the caller's project",
            "parameters": [
                _query("group_by", groups, _GROUPS),
                _query("since", "ISO date or date-time", _ISO_DATE),
                _query("until", "ISO date or date-time", _ISO_DATE),
                _query("project", "a project: an admin key's to name; a project key's own only (else 403)"),
            ],
            "responses": {"200": _json(_LIST), **_errors(400, 401, 403)},
        }
    if path == "/v1/decisions":
        return {
            "summary": "Routing decisions of the caller's project",
            "parameters": [
                _query("session", "a session key"),
                _query("limit", "1 to 1000", {"type": "integer", "minimum": 1, "maximum": 1000}),
            ],
            "responses": {"200": _json(_LIST), **_errors(400, 401)},
        }
    if path == "/v1/decisions/{decision_id}":
        return {
            "summary": "One routing decision, explained",
            "parameters": [
                {"name": "decision_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": _json({"type": "object"}), **_errors(401, 404)},
        }
    if path == "/v1/sessions/{key}":
        return {
            "summary": "One session of the caller's project: model, turns, switches, history, decisions",
            "parameters": [
                {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}},
                _query("limit", "decisions, 1 to 1000", {"type": "integer", "minimum": 1, "maximum": 1000}),
            ],
            "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 404, 503)},
        }
    if path == "/healthz":
        return {
            "summary": "Health (no auth)",
            "security": [],
            "responses": {"200": _json({"type": "object"})},
        }
    if path == "/openapi.json":
        return {"summary": "This document", "security": [], "responses": {"200": _json({"type": "object"})}}
    return None


def _path_params(path: str) -> list[str]:
    names: list[str] = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            names.append(part[1:-1].split(":", 1)[0])
    return names


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield prefix + route.path, method
        elif isinstance(route, Mount) and route.routes:
            yield from _walk(route.routes, prefix + route.path)


def build_openapi(routes: Iterable[BaseRoute], *, extra_post: Iterable[str] = ()) -> JSON:
    """The document for `routes` (Mounts are followed; static file mounts are left out) and the
    POST paths the app serves outside its router (`extra_post`)."""
    paths: dict[str, dict[str, JSON]] = {}
    found = [*_walk(routes), *((p, "POST") for p in extra_post)]
    for path, method in found:
        paths.setdefault(path, {})[method.lower()] = operation(path, method)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "benchroute gateway",
            "version": __version__,
            "description": "A self-hosted model router: OpenAI and Anthropic compatible endpoints that route "
            "`auto` models to the cheapest model proven on a coding benchmark.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            }
        },
        "paths": dict(sorted(paths.items())),
    }


async def openapi_json(request: Request) -> Response:
    """GET /openapi.json (no auth; built once per app, from its routes)."""
    state = request.app.state
    body: bytes | None = getattr(state, "openapi_body", None)
    if body is None:
        extra = getattr(request.app, "post_paths", {})
        body = orjson.dumps(build_openapi(request.app.routes, extra_post=extra))
        state.openapi_body = body
    return Response(body, media_type="application/json")
