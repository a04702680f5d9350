"""Calling upstreams with retries and failover, before anything reached the client.

`complete` and `open_stream` return what served (the model with the response or the opened
stream); when every attempt failed they raise `FailoverError`, which names the model tried last.

A connect error, timeout, 429 or 5xx before the first byte: retry on the same model
(`server.retries` times), then try the Decision's fallbacks in order, skipping models in cooldown.
Anything else (a 4xx, a body that is not what the dialect promises) ends the attempt chain.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from benchroute.catalog.model import ModelInfo
from benchroute.gateway.attempts import Attempts
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.state import GatewayState
from benchroute.providers.base import ErrorKind, Provider, ProviderError, Target
from benchroute.providers.streaming import EventStream
from benchroute.quickinit import quick_init
from benchroute.routing.decision import Decision
from benchroute.wire.canonical import ChatRequest, ChatResponse, StreamError, StreamEvent
from benchroute.wire.errors import WireError

log = logging.getLogger(__name__)


@dataclass(slots=True)
class OpenStream:
    """A stream the client will get: its first event arrived (`first`), or it did not arrive
    within `server.keepalive_seconds` (`pending`), and the response starts anyway so the client
    and any proxy see bytes. Either way, nothing fails over any more."""

    first: StreamEvent | None
    events: EventStream
    model: ModelInfo
    pending: asyncio.Future[StreamEvent] | None = None
    secrets: tuple[str, ...] = ()  # keys the call used: scrubbed from mid-stream error messages
    attempts: Attempts = field(default_factory=Attempts)


@quick_init
@dataclass(frozen=True, slots=True)
class Served:
    """A whole response and the model that gave it."""

    response: ChatResponse
    model: ModelInfo
    attempts: Attempts = field(default_factory=Attempts)


class FailoverError(GatewayError):
    """Every attempt failed: the last failure as the client sees it, and the model tried last."""

    def __init__(self, last: GatewayError, model: ModelInfo | None, attempts: Attempts | None = None) -> None:
        super().__init__(
            last.status, last.message, code=last.code, param=last.param, type=last.type, headers=last.headers
        )
        self.model = model
        self.attempts = attempts or Attempts()


def secrets_of(provider: Provider, target: Target) -> tuple[str, ...]:
    """The keys a call used (BYOK and the provider's own), to scrub from anything an upstream said."""
    keys = (target.api_key, getattr(provider, "api_key", None))
    return tuple(k for k in keys if isinstance(k, str) and len(k) >= 8)


def scrub(message: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        message = message.replace(secret, "[redacted]")
    return message


def _scrubbed(exc: ProviderError, secrets: tuple[str, ...]) -> ProviderError:
    # Upstreams echo keys back ("Incorrect API key provided: sk-..."), also in bodies the provider
    # quotes as they are (a proxy's HTML page): nothing an upstream said leaves with a key in it.
    message = scrub(exc.message, secrets)
    if message == exc.message:
        return exc
    return ProviderError(
        exc.kind, message, status=exc.status, provider=exc.provider, retry_after=exc.retry_after
    )


def plan(decision: Decision, state: GatewayState, attempts: Attempts | None = None) -> list[str]:
    """Model ids to try, in order: the chosen one (plus retries), then healthy fallbacks (those
    cooling down are skipped, and named in `attempts`)."""
    retries = max(0, state.settings.server.retries)
    order = [decision.model] * (1 + retries)
    cooling = state.health.unavailable()
    seen = {decision.model}
    skipped: list[str] = []
    for model_id in decision.fallbacks:
        if model_id in seen:
            continue
        seen.add(model_id)
        if model_id in cooling:
            skipped.append(model_id)
        else:
            order.append(model_id)
    if attempts is not None:
        attempts.skipped = tuple(skipped)
    return order


def error_for(exc: ProviderError, model_id: str) -> GatewayError:
    """A provider failure as the client sees it (never contains a key: ProviderError has none)."""
    where = f"upstream for {model_id}"
    if exc.kind == "rate_limit":
        headers = {"retry-after": str(max(1, round(exc.retry_after)))} if exc.retry_after else {}
        return GatewayError(
            429, f"{where} is rate limited: {exc.message}", code="upstream_rate_limited", headers=headers
        )
    if exc.kind == "timeout":
        return GatewayError(504, f"{where} timed out: {exc.message}", code="upstream_timeout")
    if exc.kind == "connect":
        return GatewayError(502, f"could not connect to the {where}: {exc.message}", code="upstream_connect")
    if exc.kind == "auth":
        return GatewayError(
            502,
            f"{where} rejected the provider key ({exc.status}): {exc.message}; check the provider's key "
            "or the project's BYOK key",
            code="upstream_auth",
        )
    if exc.kind == "client":
        status = exc.status if exc.status and 400 <= exc.status < 500 and exc.status != 429 else 400
        return GatewayError(status, f"{where} rejected the request: {exc.message}", code="upstream_rejected")
    if exc.kind == "protocol":
        return GatewayError(502, f"{where} sent an invalid response: {exc.message}", code="upstream_protocol")
    shown = f" {exc.status}" if exc.status else ""
    return GatewayError(502, f"{where} failed{shown}: {exc.message}", code="upstream_error")


async def _target(state: GatewayState, info: ModelInfo, project: str) -> tuple[Provider, Target]:
    provider = state.providers.get(info.provider)
    if provider is None:
        raise GatewayError(
            503,
            f"model {info.id} needs provider {info.provider!r}, which is not configured "
            f"(add [providers.{info.provider}] to the config or set its API key variable)",
            code="provider_not_configured",
        )
    key = await state.provider_keys.get(project, info.provider)
    return provider, Target.of(info, key)


def _model(state: GatewayState, model_id: str, previous: ModelInfo | None, attempts: Attempts) -> ModelInfo:
    info = state.catalog.get(model_id)
    if info is None:
        error = GatewayError(503, f"routed model {model_id!r} is not in the catalog", code="model_not_found")
        raise FailoverError(error, previous, attempts)
    return info


def _failed(state: GatewayState, model_id: str, exc: ProviderError) -> None:
    # A request the upstream rejects (4xx) or a key it refuses (one project's BYOK key, perhaps)
    # says nothing about the model's health: only outages count toward a cooldown.
    if exc.kind not in ("client", "auth"):
        state.health.failure(model_id, retry_after=exc.retry_after, rate_limited=exc.kind == "rate_limit")
    log.info("upstream for %s failed (%s): %s", model_id, exc.kind, exc.message)


async def complete(state: GatewayState, request: ChatRequest, decision: Decision, project: str) -> Served:
    last: GatewayError | None = None
    info: ModelInfo | None = None
    tried: set[str] = set()
    attempts = Attempts()
    for model_id in plan(decision, state, attempts):
        if model_id in tried and model_id in state.health.unavailable():
            continue  # it failed and went into cooldown (e.g. 429 + Retry-After): no retry on it
        tried.add(model_id)
        info = _model(state, model_id, info, attempts)
        try:
            provider, target = await _target(state, info, project)
        except GatewayError as exc:
            attempts.failed(model_id, exc.code or "provider_not_configured", exc.status)
            last = exc
            continue
        try:
            response = await provider.complete(request, target)
        except ProviderError as raw:
            failure = _scrubbed(raw, secrets_of(provider, target))
            _failed(state, model_id, failure)
            attempts.failed(model_id, failure.kind, failure.status)
            last = error_for(failure, model_id)
            if failure.retryable:
                continue
            raise FailoverError(last, info, attempts) from raw
        except WireError as exc:
            state.health.failure(model_id)
            attempts.failed(model_id, "protocol", None)
            said = scrub(exc.message, secrets_of(provider, target))
            message = f"upstream for {model_id} sent an invalid response: {said}"
            raise FailoverError(GatewayError(502, message, code="upstream_protocol"), info, attempts) from exc
        state.health.success(model_id)
        response.model = info.id
        return Served(response, info, attempts)
    assert last is not None
    raise FailoverError(last, info, attempts)


async def open_stream(
    state: GatewayState, request: ChatRequest, decision: Decision, project: str
) -> OpenStream:
    """Start a stream and wait for its first event, failing over while nothing was sent. A first
    event slower than `server.keepalive_seconds` is awaited by the relay instead (after the
    response started), so a slow upstream cannot make the client or a proxy time out."""
    commit_after = state.settings.server.keepalive_seconds
    last: GatewayError | None = None
    info: ModelInfo | None = None
    tried: set[str] = set()
    attempts = Attempts()
    for model_id in plan(decision, state, attempts):
        if model_id in tried and model_id in state.health.unavailable():
            continue  # it failed and went into cooldown (e.g. 429 + Retry-After): no retry on it
        tried.add(model_id)
        info = _model(state, model_id, info, attempts)
        try:
            provider, target = await _target(state, info, project)
        except GatewayError as exc:
            attempts.failed(model_id, exc.code or "provider_not_configured", exc.status)
            last = exc
            continue
        events = EventStream.of(provider.stream(request, target))
        pending: asyncio.Future[StreamEvent] = asyncio.ensure_future(anext(events))
        try:
            await asyncio.wait((pending,), timeout=commit_after)
        except asyncio.CancelledError:
            pending.cancel()
            raise
        secrets = secrets_of(provider, target)
        if not pending.done():
            return OpenStream(
                first=None, events=events, model=info, pending=pending, secrets=secrets, attempts=attempts
            )
        first = _first_or_failure(pending, info.provider)
        if not isinstance(first, ProviderError):
            state.health.success(model_id)
            return OpenStream(first=first, events=events, model=info, secrets=secrets, attempts=attempts)
        await close_stream(events)
        failure = _scrubbed(first, secrets)
        _failed(state, model_id, failure)
        attempts.failed(model_id, failure.kind, failure.status)
        last = error_for(failure, model_id)
        if not failure.retryable:
            raise FailoverError(last, info, attempts)
    assert last is not None
    raise FailoverError(last, info, attempts)


def _first_or_failure(pending: asyncio.Future[StreamEvent], provider: str) -> StreamEvent | ProviderError:
    """The first event of a stream, or why there is none (an in-band error before anything reached
    the client is still "before the first byte": it fails over like a raised one)."""
    try:
        first = pending.result()
    except StopAsyncIteration:
        return ProviderError("protocol", "the stream ended before any event", provider=provider)
    except ProviderError as err:
        return err
    except WireError as err:
        return ProviderError("protocol", err.message, provider=provider)
    if isinstance(first, StreamError):
        kind: ErrorKind = (
            "timeout" if first.kind == "timeout" else "connect" if first.kind == "connect" else "server"
        )
        return ProviderError(kind, first.message, provider=provider)
    return first


async def close_stream(events: EventStream) -> None:
    try:
        await events.aclose()
    except Exception:  # closing a broken stream must not mask the original failure
        log.debug("closing a failed upstream stream raised", exc_info=True)
