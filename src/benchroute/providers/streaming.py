"""The streaming loop every HTTP provider shares: SSE in, canonical events out, failures classified.

Events come in the batches they arrived in: one read of the body, decoded, is one batch
(`EventStream.batch`), so the gateway's relay writes what the upstream sent together in one send
without asking, event by event, whether the next one is ready.

Before the first canonical event a failure raises `ProviderError` (the gateway may still retry or
fail over); after it, the failure is the batch's last event (a `StreamError`) and the stream ends.
A body that ends without a finish and without the dialect's end marker is a truncated stream.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any, Protocol

import aiohttp
import orjson

from benchroute.providers.base import ProviderError
from benchroute.providers.http import TRANSPORT_ERRORS, error_from_exception
from benchroute.wire.canonical import Finish, StreamError, StreamEvent
from benchroute.wire.errors import WireError
from benchroute.wire.sse import SSEDecoder, SSEEvent


class ChunkParser(Protocol):
    def feed(self, chunk: dict[str, Any]) -> list[StreamEvent]: ...


# (event name, data) -> True when it is the dialect's end-of-stream marker
EndMarker = Callable[[str | None, str], bool]


def openai_end(event: str | None, data: str) -> bool:
    return data == "[DONE]"


def anthropic_end(event: str | None, data: str) -> bool:
    return event == "message_stop"


class EventStream:
    """The canonical events of one upstream stream, kept in the batches they arrived in.

    `batch()` returns the events held or the next batch (never empty; `StopAsyncIteration` at the
    end) and `ready` says whether `batch()` has events without waiting. Iterating gives one event
    at a time (the gateway takes the first that way, then relays by batch). `aclose` closes the
    source (and with it the upstream response)."""

    __slots__ = ("_batches", "_held")

    def __init__(self, batches: AsyncGenerator[list[StreamEvent], None]) -> None:
        self._batches = batches
        self._held: deque[StreamEvent] = deque()

    @classmethod
    def of(cls, events: AsyncIterator[StreamEvent]) -> EventStream:
        """Any provider's stream as an EventStream (a plain iterator: batches of one)."""
        return events if isinstance(events, EventStream) else cls(_singles(events))

    @property
    def ready(self) -> bool:
        return bool(self._held)

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> StreamEvent:
        held = self._held
        while not held:
            held.extend(await anext(self._batches))
        return held.popleft()

    async def batch(self) -> list[StreamEvent]:
        if self._held:
            out = list(self._held)
            self._held.clear()
            return out
        return await anext(self._batches)

    async def aclose(self) -> None:
        await self._batches.aclose()


async def _singles(events: AsyncIterator[StreamEvent]) -> AsyncGenerator[list[StreamEvent], None]:
    try:
        async for event in events:
            yield [event]
    finally:
        if isinstance(events, AsyncGenerator):
            await events.aclose()


class _Decoding:
    """SSE events -> canonical events for one stream, with the stream's state (started, ended)."""

    __slots__ = ("clean", "ended", "finished", "is_end", "parser", "provider", "started")

    def __init__(self, parser: ChunkParser, provider: str, is_end: EndMarker) -> None:
        self.parser = parser
        self.provider = provider
        self.is_end = is_end
        self.started = False  # a canonical event was produced: failures are in-band from now on
        self.finished = False  # a Finish event was seen
        self.clean = False  # the dialect's end marker was seen
        self.ended = False  # nothing more to read (end marker or an in-band failure)

    def fail(self, kind: str, message: str) -> StreamError:
        """A failure as the batch's last event, or a ProviderError before the first event."""
        self.ended = True
        if self.started:
            return StreamError(message, kind=kind)
        raise ProviderError("protocol" if kind == "protocol" else "server", message, provider=self.provider)

    def events(self, items: list[SSEEvent]) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for name, data in items:
            if self.is_end(name, data):
                self.clean = self.ended = True
                break
            if name == "ping":
                continue
            try:
                chunk = orjson.loads(data)
                if not isinstance(chunk, dict):
                    raise WireError("stream chunk is not a JSON object", status=502)
                parsed = self.parser.feed(chunk)
            except (orjson.JSONDecodeError, WireError) as exc:
                detail = exc.message if isinstance(exc, WireError) else f"non-JSON data {data[:120]!r}"
                out.append(self.fail("protocol", f"{self.provider}: malformed stream: {detail}"))
                return out
            for item in parsed:
                if isinstance(item, StreamError):
                    self.fail("server", f"{self.provider}: upstream error in stream: {item.message}")
                    out.append(item)
                    return out
                if isinstance(item, Finish):
                    self.finished = True
                self.started = True
                out.append(item)
        return out

    def at_eof(self) -> list[StreamEvent]:
        """What the end of the body means: nothing at all (an error), or a truncated stream."""
        if not self.started:
            raise ProviderError(
                "server", f"{self.provider}: upstream stream had no events", provider=self.provider
            )
        if not self.finished:
            return [
                self.fail(
                    "truncated", f"{self.provider}: upstream stream ended before it finished (truncated)"
                )
            ]
        self.clean = True
        return []


async def sse_batches(
    resp: aiohttp.ClientResponse, parser: ChunkParser, *, provider: str, is_end: EndMarker
) -> AsyncGenerator[list[StreamEvent], None]:
    """Canonical events from an open SSE response, one batch per read of the body; releases (or
    closes) the response at the end."""
    state = _Decoding(parser, provider, is_end)
    decoder = SSEDecoder()
    try:
        try:
            batch: list[StreamEvent] = []
            async for chunk in resp.content.iter_any():
                batch = state.events(decoder.feed(chunk))
                if state.ended:
                    break
                if batch:
                    yield batch
            else:
                batch = state.events(decoder.close())
        except TRANSPORT_ERRORS as exc:
            mapped = error_from_exception(exc, provider=provider)
            if not state.started:
                raise mapped from exc
            yield [StreamError(mapped.message, kind=mapped.kind)]
            return
        if not state.started:
            raise ProviderError("server", f"{provider}: upstream stream had no events", provider=provider)
        if not state.ended:
            batch += state.at_eof()
        if batch:
            yield batch
    finally:
        if state.clean:
            release_when_read(resp)
        else:
            resp.close()


DRAIN_SECONDS = 5.0  # how long the body's last bytes may take after the end marker
DRAIN_BYTES = 64 * 1024  # more than that after the end marker: not worth keeping the connection


def release_when_read(resp: aiohttp.ClientResponse) -> None:
    """Give a finished stream's connection back to the pool. After the dialect's end marker the
    body's last bytes (the chunked terminator) often have not been read yet, and a response
    released before the end of its body has its connection closed by aiohttp: every stream then
    paid a new TCP connect to the upstream (~8% of the gateway's CPU at 64 streams). They are read
    in a task of its own, off the client's path (its last byte does not wait for them)."""
    if resp.content.is_eof():
        resp.release()
        return
    # the loop holds the task through its timeout's timer handle until it ends
    asyncio.get_running_loop().create_task(_drain_then_release(resp))


async def _drain_then_release(resp: aiohttp.ClientResponse) -> None:
    left = DRAIN_BYTES
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while left >= 0 and not resp.content.is_eof():
                chunk = await resp.content.readany()
                if not chunk:
                    break
                left -= len(chunk)
    except TRANSPORT_ERRORS:  # the timeout, or the upstream went away: nothing to keep
        resp.close()
        return
    except BaseException:
        resp.close()
        raise
    if left < 0:
        resp.close()
    else:
        resp.release()
