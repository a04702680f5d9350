"""The request pipeline every client dialect shares: auth, parse, route, call the upstream (with
failover), respond, log. A `Dialect` supplies what differs (body parser, response and stream
renderers, error shape); `dialect_app(dialect)` is the ASGI app of one endpoint.

This is the hot path, written as a plain ASGI app (no Request/Response objects, no middleware
stack): headers are read once into a dict and the body is parsed once with orjson. Streams go to
`relay.Relay`; the records of a finished request to `records.hand_over`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from benchroute.gateway import callables as callable_models
from benchroute.gateway import failover, heavy
from benchroute.gateway import limits as limits_http
from benchroute.gateway import sessions as gateway_sessions
from benchroute.gateway.cycle import Cycle
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.headers import header_dict, request_context
from benchroute.gateway.middleware import edge_cycle
from benchroute.gateway.records import hand_over
from benchroute.gateway.relay import Relay, StreamRendererLike
from benchroute.gateway.state import GatewayState
from benchroute.gateway.usage import RequestLog
from benchroute.limits.base import Subject
from benchroute.routing.base import RouteContext
from benchroute.routing.decision import Decision, pin_effort
from benchroute.routing.static import RouteError
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import (
    ApiKind,
    ChatRequest,
    ChatResponse,
    RequestContext,
)
from benchroute.wire.errors import WireError

_JSON_HEADERS = [(b"content-type", b"application/json")]
LISTEN_AFTER = 0.05  # seconds into a non-streamed call before a client disconnect is listened for


@dataclass(frozen=True, slots=True)
class Dialect:
    """What one client API needs from the pipeline."""

    api_kind: ApiKind
    parse_request: Callable[[dict[str, Any], RequestContext], ChatRequest]
    render_response: Callable[[ChatResponse], dict[str, Any]]
    # (response id, routed model, created, include_usage, request) -> renderer of one stream
    stream_renderer: Callable[[str, str, int, bool, ChatRequest], StreamRendererLike]
    id_prefix: str = ""


class ClientGone(Exception):
    """The client disconnected before the request body was complete."""


async def read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    """The whole body, or 413 as soon as it passes `limit` bytes (also when Content-Length says so)."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise GatewayError(
            413, f"request body too large: {declared} bytes (limit {limit})", code="body_too_large"
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise GatewayError(413, f"request body too large: over {limit} bytes", code="body_too_large")
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_json(body: bytes) -> dict[str, Any]:
    if not body:
        raise GatewayError(400, "request body is empty: expected a JSON object", code="invalid_json")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise GatewayError(400, f"request body is not valid JSON: {exc}", code="invalid_json") from exc
    if not isinstance(data, dict):
        raise GatewayError(
            400, f"request body must be a JSON object, not {type(data).__name__}", code="invalid_json"
        )
    return data


def route_error(exc: RouteError) -> GatewayError:
    """A routing failure (the router's own error types only) as a client error."""
    return GatewayError(exc.status, exc.message, code=exc.code, param=exc.param)


def decision_headers(decision: Decision, model: str) -> list[tuple[bytes, bytes]]:
    """The decision's headers; `x-benchroute-model` (the model that served, or was tried last) only
    when some model was called: a request refused before any call names none, not an empty one."""
    tier = (b"x-benchroute-tier", decision.tier.encode())
    decision_id = (b"x-benchroute-decision-id", decision.id.encode())
    if model:
        return [(b"x-benchroute-model", model.encode()), tier, decision_id]
    return [tier, decision_id]


async def send_error(
    send: Send,
    exc: GatewayError,
    extra: list[tuple[bytes, bytes]] | None = None,
    dialect: ApiKind = "chat",
) -> None:
    body = exc.json(dialect)
    headers = [
        *_JSON_HEADERS,
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in exc.headers.items()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def dialect_app(dialect: Dialect) -> Callable[[Scope, Receive, Send], Any]:
    """The ASGI app serving one dialect's endpoint through the shared pipeline."""

    def app(scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:
        return serve(dialect, scope, receive, send)  # (no coroutine of its own around `serve`)

    return app


async def serve(dialect: Dialect, scope: Scope, receive: Receive, send: Send) -> None:
    """One request, start to finish (the usage record is handed over in every case)."""
    app = scope["app"]
    # `GatewayApp.gateway_state`: Starlette's `app.state` answers through `__getattr__`, after a
    # failed (raised and cleared) lookup: an exception per request
    state: GatewayState = getattr(app, "gateway_state", None) or app.state.gateway
    # checkpoints before the heavy sections (gateway.loopbudget): a new request waits for a pass
    # with budget left (nothing is counted or recorded for it yet)
    if state.loop_budget.spent():
        await state.loop_budget.next_pass()
    headers = header_dict(scope["headers"])
    try:
        caller = await state.auth.authenticate(headers)
    except GatewayError as exc:
        await send_error(send, exc, dialect=dialect.api_kind)
        return
    project = caller.routing_project
    context = request_context(headers, dialect.api_kind, project, caller.key_id)
    rlog = RequestLog(project, context)
    state.inflight.enter()
    limited: list[Subject] = []  # what the request counts against, once admitted
    if state.wal is not None:
        send = state.wal.wrap_send(send, rlog)
    try:
        client = _Client(receive, edge_cycle(scope))
        await _handle(dialect, state, headers, caller.key_id, rlog, limited, client, send)
    except asyncio.CancelledError:
        if rlog.status < 400:
            rlog.fail(499, "request cancelled (client gone or server shutting down)")
        raise
    except BaseException as exc:
        if rlog.status < 400:
            rlog.fail(500, f"internal error: {type(exc).__name__}")
        raise
    finally:
        try:
            # the loop budget's checkpoint (`gateway.loopbudget`): the response went out, the
            # records can wait a pass; in a `finally` after it, so a cancellation while it waits
            # does not skip them
            budget = state.loop_budget
            if budget.spent(admitted=True):
                await budget.next_pass()
        finally:
            try:
                await hand_over(state, rlog, limited)
            finally:
                state.inflight.leave()


async def _handle(
    dialect: Dialect,
    state: GatewayState,
    headers: dict[str, str],
    key_id: str | None,
    rlog: RequestLog,
    limited: list[Subject],
    client: _Client,
    send: Send,
) -> None:
    """Admit, parse, route, then answer: a whole response, a relayed stream, or an error."""
    receive = client.receive
    budget = state.loop_budget
    try:
        project = await state.project(rlog.project)
        if limits_http.has_limits(project):  # (the common case, none: no coroutine)
            subjects, admission = await limits_http.admit(state.limiter, rlog.project, project, key_id)
            limited.extend(subjects)
            send = limits_http.with_warnings(send, admission)
        chat_request = await _parse(dialect, receive, headers, state, rlog.context, rlog)
        if budget.spent(admitted=True):
            await budget.next_pass()
        decision = await _route(state, chat_request, rlog, project)
        chat_request, decision = pin_effort(chat_request, decision)
        rlog.decision = decision
        if budget.spent(admitted=True):
            await budget.next_pass()
        if not chat_request.stream:
            await _complete_unless_gone(dialect, client, send, state, chat_request, decision, rlog)
            return
        opened = await failover.open_stream(state, chat_request, decision, rlog.project)
        rlog.served_by(opened.model)
        rlog.attempts = opened.attempts
    except GatewayError as exc:
        await _refuse(dialect, send, rlog, exc)
        return
    except ClientGone:
        rlog.fail(499, "client disconnected while sending the request")
        return
    renderer = dialect.stream_renderer(
        dialect.id_prefix + decision.id,
        opened.model.id,
        int(time.time()),
        chat_request.include_usage,
        chat_request,
    )
    headers_out = decision_headers(decision, opened.model.id)
    await Relay(state, chat_request, rlog, opened, renderer, headers_out).run(receive, send)


async def _refuse(dialect: Dialect, send: Send, rlog: RequestLog, exc: GatewayError) -> None:
    """An error answer, with the decision's headers when routing got that far."""
    if isinstance(exc, failover.FailoverError):
        rlog.attempts = exc.attempts
        if exc.model is not None:
            rlog.served_by(exc.model)
    rlog.fail(exc.status, exc.message)
    extra = decision_headers(rlog.decision, rlog.model.id if rlog.model else "") if rlog.decision else None
    await send_error(send, exc, extra, dialect.api_kind)


def _parse_body(
    dialect: Dialect, body: bytes, context: RequestContext
) -> tuple[dict[str, Any], ChatRequest | WireError]:
    data = parse_json(body)
    try:
        return data, dialect.parse_request(data, context)
    except WireError as exc:
        return data, exc


async def _parse(
    dialect: Dialect,
    receive: Receive,
    headers: dict[str, str],
    state: GatewayState,
    context: RequestContext,
    rlog: RequestLog,
) -> ChatRequest:
    body = await read_body(receive, headers, state.settings.server.max_body_bytes)
    if heavy.is_light(body):  # (the usual body: no coroutine, no closure)
        data, request = _parse_body(dialect, body, context)
    else:
        data, request = await heavy.parse_off_loop(body, lambda: _parse_body(dialect, body, context))
    model = data.get("model")
    rlog.requested_model = model if isinstance(model, str) else ""
    rlog.stream = data.get("stream") is True
    if isinstance(request, WireError):
        raise GatewayError(request.status, request.message, param=request.param, code="invalid_request")
    limits_http.check_ranges(request)
    return request


async def _route(
    state: GatewayState, chat_request: ChatRequest, rlog: RequestLog, project: ProjectSettings
) -> Decision:
    ctx = RouteContext(state.health.unavailable())  # unavailable
    try:
        decision = await gateway_sessions.route(state, chat_request, rlog, project, ctx)
    except gateway_sessions.ROUTING_ERRORS as exc:
        raise await callable_models.route_failure(state, chat_request, project, route_error(exc)) from exc
    rlog.decision = decision
    await callable_models.require_key(state, decision, rlog.project)  # before any network call
    return decision


@dataclass(slots=True)
class _Client:
    """How the pipeline hears from the client: `receive`, and the request's `Cycle` when the
    gateway's own protocol serves it (it tells of a disconnect without a task on `receive`)."""

    receive: Receive
    cycle: Cycle | None


async def _complete_unless_gone(
    dialect: Dialect,
    client: _Client,
    send: Send,
    state: GatewayState,
    chat_request: ChatRequest,
    decision: Decision,
    rlog: RequestLog,
) -> None:
    """`_complete`, abandoned (and the upstream call cancelled) if the client disconnects first:
    nobody would read the answer, so nobody should pay for the rest of it. The work runs in this
    task; a disconnect cancels it. Under the gateway's protocol the request's cycle calls back on a
    disconnect (`Cycle.watch`). Otherwise a listener (a task waiting on `receive`) starts once the
    call has taken `LISTEN_AFTER` seconds: most answers are quicker, and then cost a timer instead
    of a task; a client that left meanwhile is noticed when it starts."""
    cycle = client.cycle
    # the request's task: the cycle's when the gateway's protocol runs it, the app in that task
    # (its middleware is plain ASGI: none moves the app into a task of its own); `current_task`
    # is a Python function in 3.11, and asks the kernel for the process id
    task = cycle.task if cycle is not None and cycle.task is not None else asyncio.current_task()
    assert task is not None
    gone = False
    working = True
    listen: asyncio.Future[Any] | None = None

    def on_gone() -> None:
        nonlocal gone
        if working:
            gone = True
            task.cancel()

    timer = None
    if cycle is not None:
        if cycle.disconnected:
            rlog.fail(499, "client disconnected before the response")
            return
        cycle.watch(on_gone)
    else:  # (the listener's functions are made only here: the gateway's protocol needs neither)

        def on_message(listen: asyncio.Future[Any]) -> None:
            if not listen.cancelled() and listen.exception() is None:
                if listen.result()["type"] == "http.disconnect":
                    on_gone()

        def start_listening() -> None:
            nonlocal listen
            if working:
                listen = asyncio.ensure_future(client.receive())
                listen.add_done_callback(on_message)

        timer = asyncio.get_running_loop().call_later(LISTEN_AFTER, start_listening)
    try:
        await _complete(dialect, send, state, chat_request, decision, rlog)
    except asyncio.CancelledError:
        if not gone:
            raise
        task.uncancel()
        rlog.fail(499, "client disconnected before the response")
    finally:
        working = False
        if cycle is not None:
            cycle.watch(None)
        if timer is not None:
            timer.cancel()
        if listen is not None:
            listen.cancel()


async def _complete(
    dialect: Dialect,
    send: Send,
    state: GatewayState,
    chat_request: ChatRequest,
    decision: Decision,
    rlog: RequestLog,
) -> None:
    served = await failover.complete(state, chat_request, decision, rlog.project)
    rlog.served_by(served.model)
    rlog.attempts = served.attempts
    response = served.response
    # The client's dialect, not the upstream's: the id is the gateway's (as in a stream, and the
    # decision's id after the dialect's prefix: chatcmpl-, resp_, msg_), whatever API served it
    # (an Anthropic model's "msg_..." in a chat completion), and the time is when it was created.
    response.id = dialect.id_prefix + decision.id
    response.created = response.created or int(time.time())
    rlog.first_byte()
    usage = response.usage
    if usage.prompt_tokens == 0 and usage.completion_tokens == 0:
        await state.tokens.ensure_loaded()
        usage.prompt_tokens = state.tokens.count_prompt(chat_request)
        usage.completion_tokens = state.tokens.count_completion(response.message)
        rlog.token_method = state.tokens.method
    rlog.usage = usage
    budget = state.loop_budget  # (the record is complete: a client gone while this waits is a 499)
    if budget.spent(admitted=True):
        await budget.next_pass()
    body = orjson.dumps(dialect.render_response(response))
    # a length, not chunked: the body goes out in one write, with no terminating chunk after it
    headers = [
        *_JSON_HEADERS,
        (b"content-length", str(len(body)).encode()),
        *decision_headers(decision, response.model),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
