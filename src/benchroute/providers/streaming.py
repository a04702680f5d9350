"""The streaming loop every HTTP provider shares: SSE in, canonical events out, failures classified.

Before the first canonical event a failure raises `ProviderError` (the gateway may still retry or
fail over); after it, the failure is yielded as a `StreamError` and the stream ends. A body that
ends without a finish and without the dialect's end marker is a truncated stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any, Protocol

import aiohttp
import orjson

from benchroute.providers.base import ProviderError
from benchroute.providers.http import TRANSPORT_ERRORS, error_from_exception, iter_sse
from benchroute.wire.canonical import Finish, StreamError, StreamEvent
from benchroute.wire.errors import WireError


class ChunkParser(Protocol):
    def feed(self, chunk: dict[str, Any]) -> list[StreamEvent]: ...


# (event name, data) -> True when it is the dialect's end-of-stream marker
EndMarker = Callable[[str | None, str], bool]


def openai_end(event: str | None, data: str) -> bool:
    return data == "[DONE]"


def anthropic_end(event: str | None, data: str) -> bool:
    return event == "message_stop"


async def sse_events(
    resp: aiohttp.ClientResponse,
    parser: ChunkParser,
    *,
    provider: str,
    is_end: EndMarker,
) -> AsyncIterator[StreamEvent]:
    """Canonical events from an open SSE response; releases (or closes) the response at the end."""
    started = False
    finished = False
    clean = False

    def fail(kind: str, message: str) -> ProviderError | StreamError:
        if started:
            return StreamError(message, kind=kind)
        return ProviderError("protocol" if kind == "protocol" else "server", message, provider=provider)

    try:
        try:
            async with aclosing(iter_sse(resp)) as sse:
                async for event, data in sse:
                    if is_end(event, data):
                        clean = True
                        break
                    if event == "ping":
                        continue
                    try:
                        chunk = orjson.loads(data)
                        if not isinstance(chunk, dict):
                            raise WireError("stream chunk is not a JSON object", status=502)
                        events = parser.feed(chunk)
                    except (orjson.JSONDecodeError, WireError) as exc:
                        detail = (
                            exc.message if isinstance(exc, WireError) else f"non-JSON data {data[:120]!r}"
                        )
                        err = fail("protocol", f"{provider}: malformed stream: {detail}")
                        if isinstance(err, ProviderError):
                            raise err from exc
                        yield err
                        return
                    for item in events:
                        if isinstance(item, StreamError):
                            err = fail("server", f"{provider}: upstream error in stream: {item.message}")
                            if isinstance(err, ProviderError):
                                raise err
                            yield item
                            return
                        if isinstance(item, Finish):
                            finished = True
                        started = True
                        yield item
        except TRANSPORT_ERRORS as exc:
            mapped = error_from_exception(exc, provider=provider)
            if not started:
                raise mapped from exc
            yield StreamError(mapped.message, kind=mapped.kind)
            return
        if not started:
            raise ProviderError("server", f"{provider}: upstream stream had no events", provider=provider)
        if not clean and not finished:
            message = f"{provider}: upstream stream ended before it finished (truncated)"
            yield StreamError(message, kind="truncated")
            return
        clean = True
    finally:
        if clean:
            resp.release()
        else:
            resp.close()
