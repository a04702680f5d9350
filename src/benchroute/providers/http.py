"""HTTP transport shared by every provider: the process-wide client and error mapping (the client
is `providers.client`, SSE framing `wire.sse`, the stream loop `providers.streaming`).

The gateway creates ONE `UpstreamClient` in its lifespan (`create_session`) and hands it to every
provider, so connections to an upstream are pooled and kept alive across requests. All transport
failures become a `ProviderError` here, in one place, and never carry a key.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Coroutine, Mapping
from typing import Any

import orjson

from benchroute.providers.base import ProviderError
from benchroute.providers.client import MalformedResponse, Response, UpstreamClient, UpstreamClosed

# Upstream error bodies are quoted back to the client; keep them short.
MAX_ERROR_MESSAGE = 500


def create_session(
    *,
    connect_timeout: float = 10.0,
    read_timeout: float = 300.0,
    keepalive_timeout: float = 60.0,
) -> UpstreamClient:
    """The one shared client. There is no cap on concurrent connections (the gateway's own
    concurrency is the cap) and no total timeout (a long generation is fine); `read_timeout` bounds
    the longest silence between bytes and `connect_timeout` the TCP/TLS connect."""
    return UpstreamClient(
        connect_timeout=connect_timeout, read_timeout=read_timeout, keepalive_timeout=keepalive_timeout
    )


# ---- errors ---------------------------------------------------------------------------------------


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _redact(text: str, secrets: tuple[str | None, ...]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


def upstream_message(body: bytes) -> str:
    """The human message inside an upstream error body (OpenAI and Anthropic shapes), else the text."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace").strip()[:MAX_ERROR_MESSAGE]
    if isinstance(doc, dict):
        err = doc.get("error", doc)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("detail") or err.get("error")
            if isinstance(msg, str):
                return msg[:MAX_ERROR_MESSAGE]
        elif isinstance(err, str):
            return err[:MAX_ERROR_MESSAGE]
    return body.decode("utf-8", "replace").strip()[:MAX_ERROR_MESSAGE]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name."""
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def error_from_status(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    provider: str,
    secrets: tuple[str | None, ...] = (),
) -> ProviderError:
    """Map a non-2xx upstream answer to a ProviderError, with the upstream's message but no key."""
    message = _redact(upstream_message(body), secrets) or f"HTTP {status}"
    text = f"{provider}: upstream returned {status}: {message}"
    if status == 429:
        return ProviderError(
            "rate_limit",
            text,
            status=status,
            provider=provider,
            retry_after=parse_retry_after(_header(headers, "retry-after")),
        )
    if status in (401, 403):
        return ProviderError("auth", text, status=status, provider=provider)
    if status >= 500:
        return ProviderError("server", text, status=status, provider=provider)
    return ProviderError("client", text, status=status, provider=provider)


def error_from_exception(exc: BaseException, *, provider: str) -> ProviderError:
    """Map a transport exception (`providers.client`, the socket, asyncio) to a ProviderError."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, TimeoutError):
        return ProviderError("timeout", f"{provider}: upstream timed out", provider=provider)
    if isinstance(exc, UpstreamClosed):
        return ProviderError("connect", f"{provider}: upstream body broken: {exc}", provider=provider)
    if isinstance(exc, MalformedResponse):
        return ProviderError("connect", f"{provider}: upstream request failed: {exc}", provider=provider)
    if isinstance(exc, OSError):
        return ProviderError("connect", f"{provider}: cannot reach upstream: {exc}", provider=provider)
    return ProviderError("protocol", f"{provider}: {type(exc).__name__}: {exc}", provider=provider)


TRANSPORT_ERRORS = (TimeoutError, OSError)


def loads_json(body: bytes, *, provider: str, secrets: tuple[str | None, ...] = ()) -> Any:
    """Parse a JSON body; anything else is a protocol error, quoting the body with `secrets` redacted."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        snippet = _redact(body[:120].decode("utf-8", "replace"), secrets)
        raise ProviderError(
            "protocol", f"{provider}: upstream sent a non-JSON body: {snippet!r}", provider=provider
        ) from exc


def _with_defaults(extra: Mapping[str, str], headers: Mapping[str, str]) -> dict[str, str]:
    """JSON defaults, then `extra`, then the provider's `headers` (the client compares names
    case-insensitively: the last one given wins)."""
    return {"Content-Type": "application/json", "Accept": "application/json", **extra, **headers}


async def _request_json(
    session: UpstreamClient,
    method: str,
    url: str,
    data: bytes,
    headers: Mapping[str, str],
    provider: str,
    read_timeout: float | None,
    secrets: tuple[str | None, ...],
) -> Any:
    """One request whose answer is a JSON document; every failure is a ProviderError. (By
    position: keywords cost more than this function's own work.)"""
    try:
        resp = await session.request(method, url, data, headers, read_timeout)
        try:
            raw = await resp.read()
        finally:
            resp.release()
    except TRANSPORT_ERRORS as exc:
        raise error_from_exception(exc, provider=provider) from exc
    if resp.status >= 300:
        raise error_from_status(resp.status, raw, resp.headers, provider=provider, secrets=secrets)
    return loads_json(raw, provider=provider, secrets=secrets)


def post_json(
    session: UpstreamClient,
    url: str,
    body: Any,
    headers: Mapping[str, str],
    *,
    provider: str,
    read_timeout: float | None = None,
    secrets: tuple[str | None, ...] = (),
) -> Coroutine[Any, Any, Any]:
    """POST a JSON body and return the decoded JSON answer; every failure is a ProviderError.
    (`_request_json`'s coroutine itself: a coroutine of its own would only pass it on, and every
    resumption of the call went through it.)"""
    return _request_json(
        session, "POST", url, orjson.dumps(body), _with_defaults({}, headers), provider, read_timeout, secrets
    )


async def get_json(
    session: UpstreamClient,
    url: str,
    *,
    headers: Mapping[str, str],
    provider: str,
    read_timeout: float | None = None,
    secrets: tuple[str | None, ...] = (),
) -> Any:
    """GET a JSON document; every failure is a ProviderError."""
    return await _request_json(
        session,
        "GET",
        url,
        data=b"",
        headers=headers,
        provider=provider,
        read_timeout=read_timeout,
        secrets=secrets,
    )


async def list_model_ids(
    session: UpstreamClient,
    url: str,
    *,
    headers: Mapping[str, str],
    provider: str,
    read_timeout: float | None = None,
    secrets: tuple[str | None, ...] = (),
) -> list[str]:
    """The ids of an OpenAI- or Anthropic-style model list (`{"data": [{"id": ...}, ...]}`)."""
    doc = await get_json(
        session, url, headers=headers, provider=provider, read_timeout=read_timeout, secrets=secrets
    )
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        raise ProviderError("protocol", f"{provider}: {url} has no data list", provider=provider)
    return [str(m["id"]) for m in data if isinstance(m, dict) and m.get("id")]


async def open_stream(
    session: UpstreamClient,
    url: str,
    body: Any,
    *,
    headers: Mapping[str, str],
    provider: str,
    read_timeout: float | None = None,
    secrets: tuple[str | None, ...] = (),
) -> Response:
    """POST a streaming request and return the open response once its status is 2xx.

    The caller owns the response (release or close it). Errors before the body are ProviderErrors.
    """
    try:
        resp = await session.request(
            "POST",
            url,
            body=orjson.dumps(body),
            headers=_with_defaults({"Accept": "text/event-stream"}, headers),
            read_timeout=read_timeout,
        )
    except TRANSPORT_ERRORS as exc:
        raise error_from_exception(exc, provider=provider) from exc
    if resp.status >= 300:
        try:
            raw = await resp.read()
        except TRANSPORT_ERRORS:
            raw = b""
        finally:
            resp.release()
        raise error_from_status(resp.status, raw, resp.headers, provider=provider, secrets=secrets)
    return resp
