"""Anthropic Messages API: `POST {base_url}/v1/messages` (JSON or SSE), `GET {base_url}/v1/models`."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any

from benchroute.providers.base import ProviderError, Target
from benchroute.providers.client import UpstreamClient
from benchroute.providers.http import list_model_ids, open_stream, post_json
from benchroute.providers.streaming import EventStream, anthropic_end, sse_batches
from benchroute.wire import anthropic as wire
from benchroute.wire.canonical import ChatRequest, ChatResponse, StreamEvent
from benchroute.wire.errors import WireError

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_ANTHROPIC_URL = "https://api.anthropic.com"


def merge_beta(configured: str | None, forwarded: tuple[str, ...]) -> str:
    """The provider's configured `anthropic-beta` flags, then the client's, each once."""
    flags = [b.strip() for b in (configured or "").split(",") if b.strip()]
    return ",".join(dict.fromkeys([*flags, *forwarded]))


def anthropic_root(base_url: str) -> str:
    """Accept both `https://api.anthropic.com` and `https://api.anthropic.com/v1`."""
    base = base_url.rstrip("/")
    return base[: -len("/v1")] if base.endswith("/v1") else base


class AnthropicProvider:
    """Transport for Anthropic's Messages API; bodies and streams translated by `wire.anthropic`."""

    def __init__(
        self,
        name: str,
        base_url: str,
        session: UpstreamClient,
        *,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        self.name = name
        self.base_url = anthropic_root(base_url)
        self.session = session
        self.api_key = api_key
        self.headers = dict(headers or {})
        self.timeout = timeout

    def _headers(self, key: str | None, beta: tuple[str, ...] = ()) -> dict[str, str]:
        headers = {"anthropic-version": ANTHROPIC_VERSION, **self.headers}
        if beta:
            configured = [k for k in headers if k.lower() == "anthropic-beta"]
            own = ",".join(headers.pop(k) for k in configured)
            headers["anthropic-beta"] = merge_beta(own, beta)
        if key:
            headers["x-api-key"] = key
        return headers

    def render(self, request: ChatRequest, target: Target, *, stream: bool) -> dict[str, Any]:
        if request.stream != stream:
            request = dataclasses.replace(request, stream=stream)
        body = wire.render_request(request, target.upstream_model, max_output=target.max_output)
        if stream:
            body["stream"] = True
        else:
            body.pop("stream", None)
        return body

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        key = target.api_key or self.api_key
        doc = await post_json(
            self.session,
            f"{self.base_url}/v1/messages",
            self.render(request, target, stream=False),
            headers=self._headers(key, request.context.anthropic_beta),
            provider=self.name,
            read_timeout=self.timeout,
            secrets=(key,),
        )
        try:
            return wire.parse_response(doc, target.catalog_id or target.upstream_model)
        except WireError as exc:
            raise ProviderError("protocol", f"{self.name}: {exc.message}", provider=self.name) from exc

    def stream(self, request: ChatRequest, target: Target) -> EventStream:
        return EventStream(self._batches(request, target))

    async def _batches(self, request: ChatRequest, target: Target) -> AsyncGenerator[list[StreamEvent], None]:
        key = target.api_key or self.api_key
        resp = await open_stream(
            self.session,
            f"{self.base_url}/v1/messages",
            self.render(request, target, stream=True),
            headers=self._headers(key, request.context.anthropic_beta),
            provider=self.name,
            read_timeout=self.timeout,
            secrets=(key,),
        )
        batches = sse_batches(resp, wire.StreamParser(), provider=self.name, is_end=anthropic_end)
        async with aclosing(batches):
            async for batch in batches:
                yield batch

    async def list_models(self) -> list[str]:
        return await list_model_ids(
            self.session,
            f"{self.base_url}/v1/models",
            headers=self._headers(self.api_key),
            provider=self.name,
            read_timeout=self.timeout,
            secrets=(self.api_key,),
        )

    async def aclose(self) -> None:
        return None
