"""Any OpenAI-compatible chat completions upstream: OpenAI, OpenRouter, vLLM, LM Studio, llama.cpp."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any, Literal

from benchroute.providers.base import ProviderError, Target
from benchroute.providers.client import UpstreamClient
from benchroute.providers.http import list_model_ids, loads_json, open_stream, post_json
from benchroute.providers.streaming import EventStream, openai_end, sse_batches
from benchroute.wire import chat
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    Finish,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from benchroute.wire.errors import WireError

MAX_KEYS = 256  # keys whose headers a provider keeps built (BYOK: one per project key)


class OpenAICompatProvider:
    """Transport for `POST {base_url}/chat/completions` (JSON or SSE) and `GET {base_url}/models`.

    The key for a call is `Target.api_key` (the caller's own key, BYOK) or else the provider's.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        session: UpstreamClient,
        *,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_tokens_key: Literal["max_tokens", "max_completion_tokens"] = "max_tokens",
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.api_key = api_key
        self.headers = dict(headers or {})
        self.timeout = timeout
        self._chat_url = f"{self.base_url}/chat/completions"
        # a call's headers by its key (None: no key), built once per key: the same strings on
        # every call, so the client's head cache finds them by their hashes already computed
        self._headers_by_key: dict[str | None, dict[str, str]] = {}
        # OpenAI's reasoning models reject `max_tokens`; most compatible servers only know it.
        self.max_tokens_key: Literal["max_tokens", "max_completion_tokens"] = max_tokens_key

    def _key(self, target: Target | None) -> str | None:
        return (target.api_key if target else None) or self.api_key

    def _headers(self, key: str | None) -> dict[str, str]:
        """The provider's headers with `key`'s `Authorization` (callers copy it, never change it)."""
        headers = self._headers_by_key.get(key)
        if headers is None:
            headers = dict(self.headers)
            if key:
                headers["Authorization"] = f"Bearer {key}"
            if len(self._headers_by_key) >= MAX_KEYS:  # BYOK keys: bounded, forgotten at once
                self._headers_by_key.clear()
            self._headers_by_key[key] = headers
        return headers

    def render(self, request: ChatRequest, target: Target, stream: bool) -> dict[str, Any]:
        if request.stream != stream:
            request = dataclasses.replace(request, stream=stream)
        if request.thinking_budget is not None and not target.reasoning:
            # an effort that only stands for an Anthropic client's extended thinking: a model the
            # catalog lists without reasoning would refuse it (a routed or chat client's own effort
            # is sent as it is)
            request = dataclasses.replace(request, reasoning_effort=None)
        return chat.render_request(request, target.upstream_model, self.max_tokens_key)  # (by position)

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        key = self._key(target)
        doc = await post_json(
            self.session,
            self._chat_url,
            self.render(request, target, False),
            self._headers(key),
            provider=self.name,
            read_timeout=self.timeout,
            secrets=(key,),
        )
        return self._parse(doc, target)

    def _parse(self, doc: Any, target: Target) -> ChatResponse:
        try:
            return chat.parse_response(doc, target.catalog_id or target.upstream_model)
        except WireError as exc:
            raise ProviderError("protocol", f"{self.name}: {exc.message}", provider=self.name) from exc

    def stream(self, request: ChatRequest, target: Target) -> EventStream:
        return EventStream(self._batches(request, target))

    async def _batches(self, request: ChatRequest, target: Target) -> AsyncGenerator[list[StreamEvent], None]:
        key = self._key(target)
        resp = await open_stream(
            self.session,
            self._chat_url,
            self.render(request, target, stream=True),
            headers=self._headers(key),
            provider=self.name,
            read_timeout=self.timeout,
            secrets=(key,),
        )
        if resp.content_type == "application/json":
            # Some compatible servers ignore `stream` and answer with one JSON document.
            try:
                raw = await resp.read()
            finally:
                resp.release()
            doc = loads_json(raw, provider=self.name, secrets=(key,))
            yield list(response_events(self._parse(doc, target)))
            return
        batches = sse_batches(resp, chat.StreamParser(), provider=self.name, is_end=openai_end)
        async with aclosing(batches):
            async for batch in batches:
                yield batch

    async def list_models(self) -> list[str]:
        return await list_model_ids(
            self.session,
            f"{self.base_url}/models",
            headers=self._headers(self.api_key),
            provider=self.name,
            read_timeout=self.timeout,
            secrets=(self.api_key,),
        )

    async def aclose(self) -> None:
        # The session is shared and owned by the gateway; nothing per-provider to close.
        return None


def response_events(response: ChatResponse) -> list[StreamEvent]:
    """A whole response as the events a stream of it would have produced."""
    events: list[StreamEvent] = []
    if response.message.text:
        events.append(TextDelta(response.message.text))
    for index, call in enumerate(response.message.tool_calls):
        events.append(ToolCallDelta(index=index, id=call.id, name=call.name, arguments=call.arguments))
    events.append(Finish(response.finish_reason))
    events.append(UsageReport(response.usage))
    return events
