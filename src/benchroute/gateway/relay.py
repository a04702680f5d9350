"""The stream relay: an opened upstream stream to the client as SSE.

The upstream's events arrive in batches (`providers.streaming.EventStream`: one read of its body,
decoded); a batch is rendered into one buffer and goes out in one send. The first event goes out
as soon as it is there. A keep-alive comment is sent only when the upstream has been silent for
`server.keepalive_seconds`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from starlette.types import Receive, Send

from benchroute.gateway import failover
from benchroute.gateway.state import GatewayState
from benchroute.gateway.usage import RequestLog
from benchroute.providers.base import ProviderError
from benchroute.wire.canonical import (
    ChatRequest,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from benchroute.wire.errors import WireError

SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


class StreamRendererLike(Protocol):
    """A dialect's renderer of one stream: canonical events to SSE bytes."""

    def render(self, event: StreamEvent) -> bytes: ...

    def finish(self) -> bytes: ...

    def keepalive(self) -> bytes: ...


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
        state: GatewayState,
        chat_request: ChatRequest,
        rlog: RequestLog,
        opened: failover.OpenStream,
        renderer: StreamRendererLike,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        self.state = state
        self.chat_request = chat_request
        self.rlog = rlog
        self.opened = opened
        self.renderer = renderer
        self.headers = [*SSE_HEADERS, *headers]
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
                        await self._send(send, self.renderer.keepalive())
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

    async def _send(self, send: Send, body: bytes, more: bool = True) -> None:
        """One body write; while it runs the watcher sends no keep-alive (no interleaving)."""
        self.sending = True
        try:
            await send({"type": "http.response.body", "body": body, "more_body": more})
        finally:
            self.sending = not more

    async def _pump(self, send: Send) -> None:
        self.sending = True
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        first = self.opened.first
        if first is None:  # a slow first token: show the client bytes while we wait
            await self._send(send, self.renderer.keepalive())
            first = await self._first()
        self.sending = False
        self.rlog.first_byte()
        out = self._take(first)
        if not isinstance(first, StreamError):
            out = await self._relay(send, out)
        await self._send(send, out + self.renderer.finish(), more=False)

    async def _relay(self, send: Send, out: bytes) -> bytes:
        """Relay batch by batch until the stream ends; returns what is left to send."""
        loop = asyncio.get_running_loop()
        events = self.opened.events
        take = self._take
        budget = self.state.loop_budget
        self.last = loop.time()
        while True:
            if out and not events.ready:  # nothing more without waiting: send what we have
                await self._send(send, out)
                out = b""
            try:
                batch = await events.batch()
            except StopAsyncIteration:
                return out
            except Exception as exc:  # a provider that raised instead of yielding StreamError
                # (only the upstream's failures: a failed send to the client is not the upstream's)
                return out + take(StreamError(f"upstream failed mid-stream: {exc}", kind="upstream_error"))
            self.last = loop.time()
            if budget.spent(admitted=True):  # a burst of streams' chunks lets timers in between
                try:
                    await budget.next_pass()
                except asyncio.CancelledError:
                    for event in batch:  # taken, as it was before anything could cancel (usage)
                        take(event)
                    raise
            for event in batch:
                out += take(event)
                if isinstance(event, StreamError):
                    return out

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
