"""The request pipeline every client dialect shares: auth, parse, route, call the upstream (with
failover), respond, log. A `Dialect` supplies what differs (body parser, response and stream
renderers, error shape); `dialect_app(dialect)` is the ASGI app of one endpoint.

This is the hot path, written as a plain ASGI app (no Request/Response objects, no middleware
stack): headers are read once into a dict, the body is parsed once with orjson, and streams are
relayed chunk by chunk with a keep-alive comment only when the upstream is silent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Protocol

import orjson
from starlette.types import Receive, Scope, Send

from benchroute.gateway import callables as callable_models
from benchroute.gateway import failover
from benchroute.gateway import limits as limits_http
from benchroute.gateway import sessions as gateway_sessions
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.headers import header_dict, request_context
from benchroute.gateway.state import GatewayState
from benchroute.gateway.usage import RequestLog
from benchroute.limits.base import Subject
from benchroute.providers.base import ProviderError
from benchroute.routing.base import RouteContext
from benchroute.routing.decision import Decision, pin_effort
from benchroute.routing.static import RouteError
from benchroute.settings import ProjectSettings
from benchroute.store.base import DecisionRecord
from benchroute.wire.canonical import (
    ApiKind,
    ChatRequest,
    ChatResponse,
    RequestContext,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from benchroute.wire.errors import WireError

log = logging.getLogger(__name__)

_JSON_HEADERS = [(b"content-type", b"application/json")]
_SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


class StreamRendererLike(Protocol):
    def render(self, event: StreamEvent) -> bytes: ...

    def finish(self) -> bytes: ...

    def keepalive(self) -> bytes: ...


def openai_error(exc: GatewayError) -> dict[str, Any]:
    return exc.body()


@dataclass(frozen=True, slots=True)
class Dialect:
    """What one client API needs from the pipeline."""

    api_kind: ApiKind
    parse_request: Callable[[dict[str, Any], RequestContext], ChatRequest]
    render_response: Callable[[ChatResponse], dict[str, Any]]
    # (response id, routed model, created, include_usage, request) -> renderer of one stream
    stream_renderer: Callable[[str, str, int, bool, ChatRequest], StreamRendererLike]
    id_prefix: str = ""
    error_body: Callable[[GatewayError], dict[str, Any]] = openai_error


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


def route_error(exc: Exception) -> GatewayError:
    """A routing failure as a client error; engines may raise RouteError or the builtin kinds."""
    if isinstance(exc, RouteError):
        return GatewayError(exc.status, exc.message, code=exc.code, param=exc.param)
    if isinstance(exc, PermissionError):
        return GatewayError(403, str(exc), code="model_not_allowed", param="model")
    if isinstance(exc, LookupError):
        return GatewayError(404, str(exc).strip("'\""), code="model_not_found", param="model")
    return GatewayError(400, str(exc), code="invalid_model", param="model")


def decision_headers(decision: Decision, model: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-benchroute-model", model.encode()),
        (b"x-benchroute-tier", decision.tier.encode()),
        (b"x-benchroute-decision-id", decision.id.encode()),
    ]


async def send_error(
    send: Send,
    exc: GatewayError,
    extra: list[tuple[bytes, bytes]] | None = None,
    render: Callable[[GatewayError], dict[str, Any]] = openai_error,
) -> None:
    headers = [*_JSON_HEADERS, *((k.encode(), v.encode()) for k, v in exc.headers.items()), *(extra or [])]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": orjson.dumps(render(exc))})


def dialect_app(dialect: Dialect) -> Callable[[Scope, Receive, Send], Any]:
    """The ASGI app serving one dialect's endpoint through the shared pipeline."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await serve(dialect, scope, receive, send)

    return app


async def serve(dialect: Dialect, scope: Scope, receive: Receive, send: Send) -> None:
    """One request, start to finish (the usage record is handed over in every case)."""
    state: GatewayState = scope["app"].state.gateway
    headers = header_dict(scope["headers"])
    try:
        caller = await state.auth.authenticate(headers)
    except GatewayError as exc:
        await send_error(send, exc, render=dialect.error_body)
        return
    context = request_context(
        headers, api_kind=dialect.api_kind, project=caller.routing_project, key_id=caller.key_id
    )
    rlog = RequestLog(caller.routing_project, context)
    state.inflight.enter()
    limited: list[Subject] = []
    if state.wal is not None:
        send = state.wal.wrap_send(send, rlog)
    try:
        try:
            project = await state.project(rlog.project)
            limited, admission = await limits_http.admit(state.limiter, rlog.project, project, caller.key_id)
            send = limits_http.with_warnings(send, admission)
            chat_request = await _parse(dialect, receive, headers, state, context, rlog)
            decision = await _route(state, chat_request, rlog, project)
            chat_request = pin_effort(chat_request, decision)
            if chat_request.stream:
                opened = await failover.open_stream(state, chat_request, decision, rlog)
            else:
                await _complete_unless_gone(dialect, receive, send, state, chat_request, decision, rlog)
                return
        except GatewayError as exc:
            rlog.fail(exc.status, exc.message)
            extra = (
                decision_headers(rlog.decision, rlog.model.id if rlog.model else "")
                if rlog.decision
                else None
            )
            await send_error(send, exc, extra, dialect.error_body)
            return
        except ClientGone:
            rlog.fail(499, "client disconnected while sending the request")
            return
        await Relay(dialect, state, chat_request, decision, rlog, opened).run(receive, send)
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
            await _log(state, rlog, limited)
        finally:
            state.inflight.leave()


async def _parse(
    dialect: Dialect,
    receive: Receive,
    headers: dict[str, str],
    state: GatewayState,
    context: RequestContext,
    rlog: RequestLog,
) -> ChatRequest:
    body = await read_body(receive, headers, state.settings.server.max_body_bytes)
    data = parse_json(body)
    model = data.get("model")
    rlog.requested_model = model if isinstance(model, str) else ""
    rlog.stream = data.get("stream") is True
    try:
        request = dialect.parse_request(data, context)
    except WireError as exc:
        raise GatewayError(exc.status, exc.message, param=exc.param, code="invalid_request") from exc
    limits_http.check_ranges(request)
    return request


async def _route(
    state: GatewayState, chat_request: ChatRequest, rlog: RequestLog, project: ProjectSettings
) -> Decision:
    ctx = RouteContext(unavailable=state.health.unavailable())
    try:
        decision = await gateway_sessions.route(state, chat_request, rlog, project, ctx)
    except gateway_sessions.ROUTING_ERRORS as exc:
        raise await callable_models.route_failure(state, chat_request, project, route_error(exc)) from exc
    rlog.decision = decision
    await callable_models.require_key(state, decision, rlog.project)  # before any network call
    return decision


async def _complete_unless_gone(
    dialect: Dialect,
    receive: Receive,
    send: Send,
    state: GatewayState,
    chat_request: ChatRequest,
    decision: Decision,
    rlog: RequestLog,
) -> None:
    """`_complete`, abandoned (and the upstream call cancelled) if the client disconnects first:
    nobody would read the answer, so nobody should pay for the rest of it."""
    work = asyncio.ensure_future(_complete(dialect, send, state, chat_request, decision, rlog))
    listen: asyncio.Future[Any] = asyncio.ensure_future(receive())
    try:
        await asyncio.wait((work, listen), return_when=asyncio.FIRST_COMPLETED)
        if not work.done() and listen.result()["type"] == "http.disconnect":
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
            rlog.fail(499, "client disconnected before the response")
            return
        await work
    finally:
        listen.cancel()
        if not work.done():
            work.cancel()


async def _complete(
    dialect: Dialect,
    send: Send,
    state: GatewayState,
    chat_request: ChatRequest,
    decision: Decision,
    rlog: RequestLog,
) -> None:
    response = await failover.complete(state, chat_request, decision, rlog)
    rlog.first_byte()
    usage = response.usage
    if usage.prompt_tokens == 0 and usage.completion_tokens == 0:
        await state.tokens.ensure_loaded()
        usage.prompt_tokens = state.tokens.count_prompt(chat_request)
        usage.completion_tokens = state.tokens.count_completion(response.message)
        rlog.token_method = state.tokens.method
    rlog.usage = usage
    body = orjson.dumps(dialect.render_response(response))
    headers = [*_JSON_HEADERS, *decision_headers(decision, response.model)]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_DECISION_FIELDS = tuple(f.name for f in fields(Decision))


def decision_dict(decision: Decision) -> dict[str, Any]:
    """`Decision.to_dict()` without `asdict`'s deep copies (the Decision is frozen; its
    candidates are the only nested dataclasses). Same keys and values, a third of the time."""
    out = {name: getattr(decision, name) for name in _DECISION_FIELDS}
    out["cells"] = dict(decision.cells)
    out["fallbacks"] = list(decision.fallbacks)
    out["candidates"] = [
        {"model": c.model, "expected_accuracy": c.expected_accuracy, "expected_cost": c.expected_cost,
         "eligible": c.eligible, "note": c.note, "low": c.low, "high": c.high, "coverage": c.coverage}
        for c in decision.candidates
    ]  # fmt: skip
    return out


async def _log(state: GatewayState, rlog: RequestLog, limited: list[Subject]) -> None:
    """Hand the usage and decision records to the writer, count the request's tokens and spend
    against its limits; never raises into the request."""
    try:
        usage = rlog.record()
        await state.writer.submit(usage)
        if state.wal is not None:
            state.wal.submitted(usage.id)
        await limits_http.record(state.limiter, limited, usage)
        d = await gateway_sessions.after_serving(state, rlog)
        if d is not None:
            data = decision_dict(d)
            data["served_model"] = rlog.model.id if rlog.model else None
            data["usage_source"] = rlog.token_method
            data["status"] = rlog.status
            record = DecisionRecord(
                id=d.id, time=usage.time, project=rlog.project, session_key=rlog.session, decision=data
            )
            await state.writer.submit_decision(record)
    except Exception:
        log.exception("could not hand the usage record of request %s to the writer", rlog.request_id)


# Rendered SSE bytes held back at most while further events are ready at once.
_COALESCE_BYTES = 32 * 1024


def ready_or_suspended(step: Any) -> Any:
    """Run an awaitable (e.g. an async iterator's `__anext__()`) up to its first suspension.

    Raises `StopIteration(value)` when it finished without waiting (its value was ready), and
    whatever it raised; otherwise returns what it suspended on, to hand to `resume`.
    """
    return step.send(None)


async def resume(step: Any, suspended: Any) -> Any:
    """Finish an awaitable that `ready_or_suspended` left suspended on `suspended`, the way an
    asyncio Task would: wait for that future, then continue it; exceptions raised here (this
    task cancelled, the future failed) are thrown into it."""
    while True:
        try:
            if suspended is None:  # a bare yield: asyncio.sleep(0)
                await asyncio.sleep(0)
            else:
                suspended._asyncio_future_blocking = False  # as a Task does before waiting on it
                await suspended
        except BaseException as exc:
            try:
                suspended = step.throw(exc)
            except StopIteration as done:
                return done.value
            continue
        try:
            suspended = step.send(None)
        except StopIteration as done:
            return done.value


class Relay:
    """Relays an opened upstream stream to the client as SSE (see `failover.OpenStream`: the first
    event arrived, or is still awaited after the response started).

    The events are read in a pump task; this task watches the client (a disconnect cancels the pump
    and closes the upstream) and sends a keep-alive comment whenever the upstream has been silent
    for `server.keepalive_seconds`. An upstream failure after the first byte ends the stream with
    the renderer's error event.
    """

    def __init__(
        self,
        dialect: Dialect,
        state: GatewayState,
        chat_request: ChatRequest,
        decision: Decision,
        rlog: RequestLog,
        opened: failover.OpenStream,
    ) -> None:
        self.state = state
        self.chat_request = chat_request
        self.rlog = rlog
        self.opened = opened
        self.renderer = dialect.stream_renderer(
            dialect.id_prefix + decision.id,
            opened.model.id,
            int(time.time()),
            chat_request.include_usage,
            chat_request,
        )
        self.headers = [*_SSE_HEADERS, *decision_headers(decision, opened.model.id)]
        self.text: list[str] = []
        self.usage_seen = False
        self.sending = True  # until the headers are out, nothing else may be sent
        self.last = 0.0  # loop time of the last upstream event

    async def run(self, receive: Receive, send: Send) -> None:
        rlog = self.rlog
        loop = asyncio.get_running_loop()
        self.last = loop.time()
        pump = loop.create_task(self._pump(send))
        try:
            gone = await self._watch(receive, send, pump)
            if gone:
                rlog.fail(499, "client disconnected during the stream")
                pump.cancel()
            try:
                await pump
            except asyncio.CancelledError:
                if not gone:
                    raise
            except OSError:
                rlog.fail(499, "client disconnected during the stream")
        finally:
            if not pump.done():
                pump.cancel()
            pending = self.opened.pending
            if pending is not None and not pending.done():
                pending.cancel()  # the generator must not be running when it is closed
                await asyncio.gather(pending, return_exceptions=True)
            await failover.close_stream(self.opened.events)
            await self._count_if_unreported()

    async def _watch(self, receive: Receive, send: Send, pump: asyncio.Task[None]) -> bool:
        """Wait for the pump to end (False) or the client to go away (True); keep the line alive."""
        loop = asyncio.get_running_loop()
        interval = self.state.settings.server.keepalive_seconds
        listen: asyncio.Future[Any] = asyncio.ensure_future(receive())
        try:
            while True:
                delay = self.last + interval - loop.time()
                if delay <= 0:
                    if not self.sending:
                        self.sending = True
                        try:
                            await send(
                                {
                                    "type": "http.response.body",
                                    "body": self.renderer.keepalive(),
                                    "more_body": True,
                                }
                            )
                        finally:
                            self.sending = False
                    self.last = loop.time()
                    continue
                done, _ = await asyncio.wait(
                    (pump, listen), timeout=delay, return_when=asyncio.FIRST_COMPLETED
                )
                if pump in done:
                    return False
                if listen in done:
                    if listen.result()["type"] == "http.disconnect":
                        return True
                    listen = asyncio.ensure_future(receive())
        finally:
            listen.cancel()

    async def _pump(self, send: Send) -> None:
        loop = asyncio.get_running_loop()
        take = self._take
        self.sending = True
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        first = self.opened.first
        if first is None:  # a slow first token: show the client bytes while we wait
            await send({"type": "http.response.body", "body": self.renderer.keepalive(), "more_body": True})
            self.sending = False
            first = await self._first()
        self.rlog.first_byte()
        out = take(first)
        if isinstance(first, StreamError):
            out += self.renderer.finish()
            self.sending = True
            await send({"type": "http.response.body", "body": out, "more_body": False})
            return
        self.sending = False
        self.last = loop.time()
        # Events the upstream delivered together (one read, many SSE events) go out in one send:
        # `ready_or_suspended` tells whether the next event is there without waiting.
        events = self.opened.events
        try:
            while True:
                step = events.__anext__()
                try:
                    suspended = ready_or_suspended(step)
                except StopIteration as ready:
                    event: StreamEvent = ready.value
                except StopAsyncIteration:
                    break
                else:  # nothing more yet: send what we have, then wait for it
                    if out:
                        self.sending = True
                        await send({"type": "http.response.body", "body": out, "more_body": True})
                        self.sending = False
                        out = b""
                    try:
                        event = await resume(step, suspended)
                    except StopAsyncIteration:
                        break
                self.last = loop.time()
                out += take(event)
                if isinstance(event, StreamError):
                    break
                if len(out) >= _COALESCE_BYTES:
                    self.sending = True
                    await send({"type": "http.response.body", "body": out, "more_body": True})
                    self.sending = False
                    out = b""
        except Exception as exc:  # a provider that raised instead of yielding StreamError
            out += take(StreamError(f"upstream failed mid-stream: {exc}", kind="upstream_error"))
        out += self.renderer.finish()
        self.sending = True
        await send({"type": "http.response.body", "body": out, "more_body": False})

    async def _first(self) -> StreamEvent:
        """The first event of a stream that started before it arrived; a failure becomes the
        stream's error event (the response is under way: too late to fail over)."""
        assert self.opened.pending is not None
        try:
            return await self.opened.pending
        except StopAsyncIteration:
            return StreamError("the upstream ended the stream before any event", kind="protocol")
        except ProviderError as exc:
            return StreamError(f"before the first token: {exc.message}", kind=exc.kind)
        except WireError as exc:
            return StreamError(f"before the first token: {exc.message}", kind="protocol")

    def _take(self, event: StreamEvent) -> bytes:
        if isinstance(event, TextDelta):
            self.text.append(event.text)
        elif isinstance(event, ToolCallDelta):
            self.text.append(event.arguments)
            if event.name:
                self.text.append(event.name)
        elif isinstance(event, UsageReport):
            u = event.usage
            if u.prompt_tokens or u.completion_tokens:
                self.usage_seen = True
                self.rlog.usage = u
        elif isinstance(event, StreamError):
            if self.opened.secrets:
                event = StreamError(failover.scrub(event.message, self.opened.secrets), kind=event.kind)
            self.state.health.failure(self.opened.model.id)
            self.rlog.fail(502, f"upstream failed mid-stream: {event.message}")
        return self.renderer.render(event)

    async def _count_if_unreported(self) -> None:
        if self.usage_seen:
            return
        tokens = self.state.tokens
        await tokens.ensure_loaded()
        self.rlog.usage.prompt_tokens = tokens.count_prompt(self.chat_request)
        self.rlog.usage.completion_tokens = tokens.count_text("".join(self.text))
        self.rlog.token_method = tokens.method
