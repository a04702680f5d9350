"""`POST /v1/route`: the Decision the router makes for a request body, without calling any model.

The body is a request in any dialect the gateway serves (chat completions by default;
`?api=messages` or `?api=responses` for the others), with the same headers a real request would
carry (mode, task id, session). Nothing is sent upstream, no usage is recorded and the session is
not moved: this is a preview of the routing policy for the caller's project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from benchroute.gateway import callables as callable_models
from benchroute.gateway import heavy
from benchroute.gateway.concurrency import ProjectGate
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.headers import header_dict, request_context
from benchroute.gateway.pipeline import parse_json, route_error
from benchroute.gateway.records import decision_dict
from benchroute.gateway.sessions import ROUTING_ERRORS
from benchroute.gateway.state import GatewayState
from benchroute.routing.base import RouteContext
from benchroute.routing.static import RouteError
from benchroute.sessions.keys import session_key
from benchroute.settings import ProjectSettings
from benchroute.wire import anthropic, chat, responses
from benchroute.wire.canonical import ApiKind, ChatRequest, RequestContext
from benchroute.wire.errors import WireError

Parser = Callable[[dict[str, Any], RequestContext], ChatRequest]

# A body that fails to parse without ?api= was read as chat completions: say how to send the others.
NO_API_HINT = (
    " (read as a chat completions body: add ?api=messages for an Anthropic Messages body,"
    " ?api=responses for an OpenAI Responses body)"
)

PARSERS: dict[str, tuple[ApiKind, Parser]] = {
    "chat": ("chat", chat.parse_request),
    "messages": ("messages", anthropic.parse_request),
    "responses": ("responses", responses.parse_request),
}


async def route_preview(request: Request) -> Response:
    state: GatewayState = request.app.state.gateway
    headers = header_dict(request.scope["headers"])
    try:
        caller = await state.auth.authenticate(headers)
        api = request.query_params.get("api")
        hint = "" if api else NO_API_HINT
        api = api or "chat"
        if api not in PARSERS:
            raise GatewayError(400, f"api must be one of {sorted(PARSERS)}, not {api!r}", param="api")
        api_kind, parse = PARSERS[api]
        with _gate(state).enter(caller.routing_project):
            body = await _body(request, state.settings.server.max_body_bytes)
            context = request_context(
                headers, api_kind=api_kind, project=caller.routing_project, key_id=caller.key_id
            )
            project = await state.project(caller.routing_project)
            unavailable = state.health.unavailable()

            def work() -> tuple[ChatRequest, dict[str, Any] | RouteError]:
                return _preview(state, parse, body, context, project, unavailable, hint)

            chat_request, data = await heavy.parse_off_loop(body, work)
            if isinstance(data, RouteError):
                failure = route_error(data)
                raise await callable_models.route_failure(state, chat_request, project, failure) from data
    except GatewayError as exc:
        return exc.response()
    return Response(orjson.dumps(data, default=str), media_type="application/json")


def _gate(state: GatewayState) -> ProjectGate:
    gate = state.route_gate
    if gate is None:
        gate = state.route_gate = ProjectGate(state.settings.server.route_concurrency, "/v1/route")
    return gate


def _preview(
    state: GatewayState,
    parse: Parser,
    body: bytes,
    context: RequestContext,
    project: ProjectSettings,
    unavailable: frozenset[str],
    hint: str = "",
) -> tuple[ChatRequest, dict[str, Any] | RouteError]:
    """Parse and route (pure, no I/O: safe in a worker thread); a routing failure is returned, for
    the caller to explain on the event loop. `hint` ends a parse error's message."""
    try:
        chat_request = parse(parse_json(body), context)
    except WireError as exc:
        message = exc.message + hint
        raise GatewayError(exc.status, message, param=exc.param, code="invalid_request") from exc
    key, parent = session_key(chat_request)
    ctx = RouteContext(unavailable=unavailable, session_key=key)
    try:
        decision = state.engine.route(chat_request, project, ctx)
    except ROUTING_ERRORS as exc:
        return chat_request, exc
    data = decision_dict(replace(decision, session_key=key))
    data["parent_session_key"] = parent
    data["preview"] = True  # nothing was called, recorded or moved
    return chat_request, data


async def _body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise GatewayError(413, f"request body too large: over {limit} bytes", code="body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)
