"""A scripted upstream HTTP server for end-to-end tests and the overhead benchmark.

Speaks OpenAI chat completions (`POST /v1/chat/completions`, `GET /v1/models`), Anthropic messages
(`POST /v1/messages`) and Ollama's model list (`GET /api/tags`). Each request takes the next
`Script` from a queue, or the server's default (echo the last user message). Knobs cover latency,
chunk count, mid-stream resets, 429 bursts, garbage JSON, missing `[DONE]`, hangs (timeouts).
Every request is recorded in `requests`.

In-process::

    async with ScriptedUpstream() as up:
        up.add(Script(text="hello"))
        provider = OpenAICompatProvider("up", up.openai_base_url, session)

As a process (benchmarks)::

    python tests/support/upstream.py --port 9100 --delay-ms 200 --chunks 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import ClientConnectionResetError, web

JSON = dict[str, Any]


@dataclass(slots=True)
class Script:
    """How the upstream answers one request. `None` fields fall back to the server's defaults."""

    text: str | None = None  # None: echo the last user message
    tool_calls: list[tuple[str, str]] = field(default_factory=list)  # (name, JSON arguments)
    thinking: tuple[str, str] | None = None  # Anthropic: a first thinking block (text, signature)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int = 0
    finish: str | None = None  # OpenAI finish_reason; default stop / tool_calls
    status: int = 200  # non-2xx: an error body in the dialect's shape
    error_message: str = "scripted upstream error"
    retry_after: str | None = None
    raw_body: bytes | None = None  # sent as-is (e.g. garbage instead of JSON)
    delay_ms: float | None = None  # before the response headers
    chunks: int | None = None  # text deltas when streaming
    chunk_delay_ms: float | None = None
    reset_after: int | None = None  # streaming: drop the connection after N data events
    garbage_after: int | None = None  # streaming: send a non-JSON data line after N events
    no_done: bool = False  # streaming: end the body without a finish event or [DONE]
    stall_after: int | None = None  # streaming: after N data events go silent (until the server stops)
    hang: bool = False  # never answer (until the server stops)


@dataclass(slots=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ScriptedUpstream:
    """The scripted server. Use as an async context manager; `url` is set once started."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        delay_ms: float = 0.0,
        chunks: int = 4,
        chunk_delay_ms: float = 0.0,
        rate_limit_burst: int = 0,
        models: list[str] | None = None,
        text: str | None = None,
        record: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.delay_ms = delay_ms
        self.chunks = chunks
        self.chunk_delay_ms = chunk_delay_ms
        self.rate_limit_burst = rate_limit_burst  # the next N completion requests get 429
        self.models = models or ["scripted-small", "scripted-large"]
        self.text = text  # a fixed answer instead of the echo
        self.record = record
        self.scripts: deque[Script] = deque()
        self.requests: list[SeenRequest] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    # ---- control ----------------------------------------------------------------------------

    def add(self, *scripts: Script) -> None:
        self.scripts.extend(scripts)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/chat/completions", self._chat)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/models", self._models)
        app.router.add_get("/api/tags", self._tags)
        return app

    async def start(self) -> ScriptedUpstream:
        self._closing.clear()
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = int(sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ScriptedUpstream:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- helpers ----------------------------------------------------------------------------

    async def _take(self, request: web.Request) -> tuple[Script, JSON]:
        raw = await request.read()
        try:
            body = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        if self.record:
            self.requests.append(SeenRequest(request.method, request.path, dict(request.headers), body))
        if self.rate_limit_burst > 0:
            self.rate_limit_burst -= 1
            return Script(status=429, error_message="rate limited (burst)", retry_after="1"), body
        script = self.scripts.popleft() if self.scripts else Script()
        delay = self.delay_ms if script.delay_ms is None else script.delay_ms
        if script.hang:
            await self._closing.wait()
        elif delay > 0:
            await asyncio.sleep(delay / 1000)
        return script, body

    def _text(self, script: Script, body: JSON) -> str:
        if script.text is not None:
            return script.text
        if self.text is not None:
            return self.text
        for message in reversed(body.get("messages") or []):
            if isinstance(message, dict) and message.get("role") == "user":
                return "echo: " + _content_text(message.get("content"))
        return "echo:"

    def _usage(self, script: Script, body: JSON, text: str) -> tuple[int, int]:
        prompt = script.prompt_tokens
        if prompt is None:
            prompt = len(orjson.dumps(body.get("messages") or [])) // 4 + 1
        completion = script.completion_tokens
        if completion is None:
            completion = (len(text) + sum(len(a) for _, a in script.tool_calls)) // 4 + 1
        return prompt, completion

    def _error(self, script: Script, dialect: str) -> web.Response:
        headers = {"Retry-After": script.retry_after} if script.retry_after else {}
        if script.raw_body is not None:
            return web.Response(status=script.status, body=script.raw_body, headers=headers)
        if dialect == "anthropic":
            kind = {429: "rate_limit_error", 401: "authentication_error", 529: "overloaded_error"}
            doc: JSON = {
                "type": "error",
                "error": {"type": kind.get(script.status, "api_error"), "message": script.error_message},
            }
        else:
            doc = {"error": {"message": script.error_message, "type": "scripted", "code": script.status}}
        return web.Response(
            status=script.status, body=_dumps(doc), headers=headers, content_type="application/json"
        )

    async def _sse(
        self, request: web.Request, script: Script, events: list[tuple[str | None, bytes]]
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        pause = (self.chunk_delay_ms if script.chunk_delay_ms is None else script.chunk_delay_ms) / 1000
        try:
            for count, (event, data) in enumerate(events):
                if script.reset_after is not None and count >= script.reset_after:
                    if request.transport is not None:
                        request.transport.abort()
                    return resp
                if script.stall_after is not None and count >= script.stall_after:
                    await self._closing.wait()
                    return resp
                if script.garbage_after is not None and count >= script.garbage_after:
                    await resp.write(b"data: {not json at all\n\n")
                    break
                head = b"event: " + event.encode() + b"\n" if event else b""
                await resp.write(head + b"data: " + data + b"\n\n")
                if pause:
                    await asyncio.sleep(pause)
            await resp.write_eof()
        except (ConnectionResetError, ClientConnectionResetError):
            pass  # the client went away (a test that stops reading early)
        return resp

    # ---- OpenAI chat completions ------------------------------------------------------------

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        script, body = await self._take(request)
        if script.status >= 300:
            return self._error(script, "openai")
        if script.raw_body is not None and not body.get("stream"):
            return web.Response(body=script.raw_body, content_type="application/json")
        text = self._text(script, body)
        prompt, completion = self._usage(script, body, text)
        usage: JSON = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": script.cached_tokens},
        }
        finish = script.finish or ("tool_calls" if script.tool_calls else "stop")
        model = str(body.get("model") or "scripted")
        rid = f"chatcmpl-{next(self._ids)}"
        created = int(time.time())
        calls = [
            {"id": f"call_{rid}_{i}", "type": "function", "function": {"name": n, "arguments": a}}
            for i, (n, a) in enumerate(script.tool_calls)
        ]
        if not body.get("stream"):
            message: JSON = {"role": "assistant", "content": text if text or not calls else None}
            if calls:
                message["tool_calls"] = calls
            doc = {
                "id": rid,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage,
            }
            return web.Response(body=_dumps(doc), content_type="application/json")

        def chunk(delta: JSON, finish_reason: str | None = None) -> tuple[str | None, bytes]:
            doc = {
                "id": rid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            return None, _dumps(doc)

        events = [chunk({"role": "assistant", "content": ""})]
        n = script.chunks if script.chunks is not None else self.chunks
        events.extend(chunk({"content": piece}) for piece in _split(text, n))
        for i, (name, arguments) in enumerate(script.tool_calls):
            function = {"name": name, "arguments": ""}
            head = {"index": i, "id": f"call_{rid}_{i}", "type": "function", "function": function}
            events.append(chunk({"tool_calls": [head]}))
            for piece in _split(arguments, 2):
                events.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
        if not script.no_done:
            events.append(chunk({}, finish))
            options = body.get("stream_options") or {}
            if options.get("include_usage"):
                tail = {"id": rid, "object": "chat.completion.chunk", "created": created, "model": model}
                events.append((None, _dumps({**tail, "choices": [], "usage": usage})))
            events.append((None, b"[DONE]"))
        return await self._sse(request, script, events)

    # ---- Anthropic messages -----------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        script, body = await self._take(request)
        if script.status >= 300:
            return self._error(script, "anthropic")
        if script.raw_body is not None and not body.get("stream"):
            return web.Response(body=script.raw_body, content_type="application/json")
        text = self._text(script, body)
        prompt, completion = self._usage(script, body, text)
        usage = {
            "input_tokens": prompt - script.cached_tokens,
            "output_tokens": completion,
            "cache_read_input_tokens": script.cached_tokens,
            "cache_creation_input_tokens": 0,
        }
        stop = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}
        stop_reason = stop.get(script.finish or ("tool_calls" if script.tool_calls else "stop"), "end_turn")
        rid = f"msg_{next(self._ids)}"
        model = str(body.get("model") or "scripted")
        blocks: list[JSON] = []
        if script.thinking is not None:
            thought, signature = script.thinking
            blocks.append({"type": "thinking", "thinking": thought, "signature": signature})
        if text:
            blocks.append({"type": "text", "text": text})
        for i, (name, args) in enumerate(script.tool_calls):
            blocks.append(
                {"type": "tool_use", "id": f"toolu_{rid}_{i}", "name": name, "input": orjson.loads(args)}
            )
        message = {"id": rid, "type": "message", "role": "assistant", "model": model}
        if not body.get("stream"):
            doc = {
                **message,
                "content": blocks,
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": usage,
            }
            return web.Response(body=_dumps(doc), content_type="application/json")

        def ev(kind: str, doc: JSON) -> tuple[str | None, bytes]:
            return kind, _dumps({"type": kind, **doc})

        start_usage = {**usage, "output_tokens": 1}
        events = [
            ev(
                "message_start",
                {"message": {**message, "content": [], "stop_reason": None, "usage": start_usage}},
            )
        ]
        n = script.chunks if script.chunks is not None else self.chunks
        for index, block in enumerate(blocks):
            if block["type"] == "thinking":
                head = {"type": "thinking", "thinking": "", "signature": ""}
                events.append(ev("content_block_start", {"index": index, "content_block": head}))
                for kind, key in (("thinking_delta", "thinking"), ("signature_delta", "signature")):
                    delta = {"type": kind, key: block[key]}
                    events.append(ev("content_block_delta", {"index": index, "delta": delta}))
            elif block["type"] == "text":
                events.append(
                    ev("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}})
                )
                for piece in _split(text, n):
                    delta = {"type": "text_delta", "text": piece}
                    events.append(ev("content_block_delta", {"index": index, "delta": delta}))
            else:
                head = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
                events.append(ev("content_block_start", {"index": index, "content_block": head}))
                for piece in _split(_dumps(block["input"]).decode(), 2):
                    delta = {"type": "input_json_delta", "partial_json": piece}
                    events.append(ev("content_block_delta", {"index": index, "delta": delta}))
            events.append(ev("content_block_stop", {"index": index}))
        if not script.no_done:
            delta_doc = {
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": completion},
            }
            events.append(ev("message_delta", delta_doc))
            events.append(ev("message_stop", {}))
        return await self._sse(request, script, events)

    # ---- model lists ------------------------------------------------------------------------

    def _seen_get(self, request: web.Request) -> None:
        if self.record:
            self.requests.append(SeenRequest(request.method, request.path, dict(request.headers), None))

    async def _models(self, request: web.Request) -> web.Response:
        self._seen_get(request)
        data = [{"id": m, "object": "model", "owned_by": "scripted"} for m in self.models]
        return web.Response(body=_dumps({"object": "list", "data": data}), content_type="application/json")

    async def _tags(self, request: web.Request) -> web.Response:
        self._seen_get(request)
        data = [{"name": m, "model": m} for m in self.models]
        return web.Response(body=_dumps({"models": data}), content_type="application/json")


def _dumps(doc: Any) -> bytes:
    return orjson.dumps(doc)


def _split(text: str, parts: int) -> list[str]:
    if not text:
        return []
    parts = max(1, min(parts, len(text)))
    size = -(-len(text) // parts)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


async def _serve(args: argparse.Namespace) -> None:
    upstream = ScriptedUpstream(
        host=args.host,
        port=args.port,
        delay_ms=args.delay_ms,
        chunks=args.chunks,
        chunk_delay_ms=args.chunk_delay_ms,
        text=args.text,
        rate_limit_burst=args.rate_limit_burst,
        record=False,
    )
    await upstream.start()
    print(f"scripted upstream listening on {upstream.url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await upstream.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Scripted OpenAI/Anthropic-compatible upstream.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="latency before response headers")
    parser.add_argument("--chunks", type=int, default=4, help="text deltas per streamed answer")
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0)
    parser.add_argument(
        "--rate-limit-burst", type=int, default=0, help="answer the first N requests with 429"
    )
    parser.add_argument("--text", default=None, help="a fixed answer (default: echo)")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
