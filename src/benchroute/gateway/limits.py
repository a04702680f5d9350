"""The limits on the gateway's HTTP edge: request header count and size, slow request bodies, and
the glue between the request pipeline and the `Limiter` (admit before the call, record after).

`RequestGuard` is plain ASGI in front of every route when the app runs under another ASGI server
than the gateway's own protocol (which enforces the same limits while the bytes arrive:
`gateway.protocol`): more than `max_header_count` headers or `max_header_bytes` of them -> 431; a
request body not complete within `body_timeout` seconds of its first read -> 408 (a client
trickling bytes cannot hold a request open). Errors are in the OpenAI shape, or Anthropic's on
`/messages` paths.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from operator import attrgetter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchroute.gateway.errors import GatewayError
from benchroute.limits.base import Admission, Limiter, LimitExceeded, Subject, subjects
from benchroute.settings import ProjectSettings, ServerSettings
from benchroute.store.base import UsageRecord
from benchroute.wire.canonical import ChatRequest
from benchroute.wire.error_body import dialect_of, error_json

log = logging.getLogger("benchroute.limits")

BUDGET_WARNING_HEADER = b"x-benchroute-budget-warning"
_LIMIT_FIELDS = (
    "requests_per_minute",
    "tokens_per_minute",
    "daily_budget_usd",
    "monthly_budget_usd",
    "key_requests_per_minute",
    "key_tokens_per_minute",
    "key_daily_budget_usd",
    "key_monthly_budget_usd",
)
_limit_values = attrgetter(*_LIMIT_FIELDS)  # one C call, not a generator over getattr
_ADMITTED = Admission()


async def _reject(scope: Scope, send: Send, status: int, message: str, code: str) -> None:
    dialect = dialect_of(scope.get("path", ""))
    body = error_json(dialect, status, message, code=code)
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    def __init__(self, app: ASGIApp, server: ServerSettings) -> None:
        self.app = app
        self.max_count = server.max_header_count
        self.max_bytes = server.max_header_bytes
        self.body_timeout = server.body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if len(headers) > self.max_count:
            message = f"too many request headers: {len(headers)} (limit {self.max_count})"
            await _reject(scope, send, 431, message, "headers_too_large")
            return
        size = sum(len(k) + len(v) for k, v in headers)
        if size > self.max_bytes:
            message = f"request headers too large: {size} bytes (limit {self.max_bytes})"
            await _reject(scope, send, 431, message, "headers_too_large")
            return
        await _BodyDeadline(self.app, self.body_timeout)(scope, receive, send)


class _BodyDeadline:
    """One request: its whole body must arrive within `timeout` seconds, else 408."""

    __slots__ = ("app", "body_done", "deadline", "scope", "send", "started", "timed_out", "timeout")

    def __init__(self, app: ASGIApp, timeout: float) -> None:
        self.app = app
        self.timeout = timeout
        self.body_done = False
        self.timed_out = False
        self.started = False
        self.deadline: float | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope, self.send = scope, send

        async def guarded_receive() -> Message:
            if self.body_done:
                return await receive()
            if self.deadline is None:
                self.deadline = asyncio.get_running_loop().time() + self.timeout
            try:
                async with asyncio.timeout_at(self.deadline):
                    message = await receive()
            except TimeoutError:
                return await self._timed_out()
            if message["type"] != "http.request" or not message.get("more_body", False):
                self.body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            if self.timed_out:
                return  # the 408 went out: whatever the app still says is dropped
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        await self.app(scope, guarded_receive, guarded_send)

    async def _timed_out(self) -> Message:
        self.body_done = True
        if not self.started:
            self.timed_out = True
            message = f"request body too slow: not complete within {self.timeout:g} s"
            await _reject(self.scope, self.send, 408, message, "body_timeout")
        return {"type": "http.disconnect"}


MAX_INT = 2**63 - 1  # what an upstream request body (orjson) can carry


def check_ranges(request: ChatRequest) -> None:
    """400 for numbers no upstream call could encode (JSON allows 1e30 as max_tokens; orjson does
    not serialise integers past 64 bits, and the call would fail as an internal error)."""
    if request.max_tokens is not None and not -MAX_INT <= request.max_tokens <= MAX_INT:
        raise GatewayError(
            400,
            f"max_tokens is out of range: {request.max_tokens:.3g}",
            param="max_tokens",
            code="invalid_request",
        )


def has_limits(settings: ProjectSettings) -> bool:
    """Whether the project sets any limit or budget (else `admit` has nothing to do)."""
    return _limit_values(settings).count(None) != len(_LIMIT_FIELDS)


async def admit(
    limiter: Limiter, project: str, settings: ProjectSettings, key_id: str | None
) -> tuple[list[Subject], Admission]:
    """Admit one request of `project` / `key_id` or raise a 429 `GatewayError` naming the limit,
    with Retry-After. Returns the subjects to `record` against once the request is done."""
    if not has_limits(settings):
        return [], _ADMITTED  # the common case: no limits, nothing to count
    subs = subjects(project, settings, key_id)
    try:
        admission = await limiter.admit(subs)
    except LimitExceeded as exc:
        log.info("rejected a request of %s: %s", exc.subject.label, exc.limit)
        raise GatewayError(
            429,
            exc.message,
            code=exc.code,
            param=exc.limit,
            type="rate_limit_error",
            headers={"retry-after": str(exc.retry_after)},
        ) from exc
    for warning in admission.warnings:
        log.warning("budget warning: %s", warning)
    return subs, admission


def with_warnings(send: Send, admission: Admission) -> Send:
    """`send` that adds the budget warning header to the response (when there is a warning)."""
    if not admission.warnings:
        return send
    value = "; ".join(admission.warnings).encode("ascii", "backslashreplace")

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (BUDGET_WARNING_HEADER, value)]}
        await send(message)

    return sending


async def record(limiter: Limiter, subs: Sequence[Subject], usage: UsageRecord) -> None:
    """Count a finished request's tokens and cost; never raises into the request."""
    if not subs:
        return
    try:
        tokens = usage.prompt_tokens + usage.completion_tokens
        await limiter.record(subs, tokens, usage.cost_usd)
    except Exception:
        log.exception("could not count the usage of request %s against its limits", usage.id)
