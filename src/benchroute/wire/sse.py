"""Incremental Server-Sent Events decoding (the framing under every streaming dialect).

`SSEDecoder.feed(bytes)` takes network chunks split anywhere and returns the complete events so
far; `decode_json` turns an event's data into a dict for a dialect's `StreamParser`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from benchroute.wire.errors import WireError


@dataclass(slots=True, frozen=True)
class SSEEvent:
    data: str
    event: str | None = None

    @property
    def done(self) -> bool:
        """The OpenAI end-of-stream sentinel (`data: [DONE]`)."""
        return self.data == "[DONE]"


class SSEDecoder:
    """Bytes in, whole events out. Comments (`: keep-alive`) and `id:`/`retry:` lines are skipped."""

    __slots__ = ("_buffer", "_data", "_event")

    def __init__(self) -> None:
        self._buffer = b""
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        self._buffer += chunk
        events: list[SSEEvent] = []
        while True:
            cut = self._buffer.find(b"\n")
            if cut < 0:
                break
            line = self._buffer[:cut].rstrip(b"\r").decode("utf-8")
            self._buffer = self._buffer[cut + 1 :]
            self._line(line, events)
        return events

    def close(self) -> list[SSEEvent]:
        """Flush an event left unterminated at the end of the stream."""
        events: list[SSEEvent] = []
        if self._buffer:
            self._line(self._buffer.rstrip(b"\r").decode("utf-8"), events)
            self._buffer = b""
        self._line("", events)
        return events

    def _line(self, line: str, events: list[SSEEvent]) -> None:
        if not line:
            if self._data:
                events.append(SSEEvent(data="\n".join(self._data), event=self._event))
            self._data = []
            self._event = None
            return
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value


def decode_json(event: SSEEvent) -> dict[str, Any]:
    """An event's data as a JSON object; WireError(502) when the upstream sent something else."""
    try:
        value = orjson.loads(event.data)
    except orjson.JSONDecodeError as exc:
        raise WireError(f"upstream stream sent non-JSON data: {event.data[:200]!r}", status=502) from exc
    if not isinstance(value, dict):
        raise WireError("upstream stream sent a JSON value that is not an object", status=502)
    return value


def parse_sse(text: bytes) -> list[SSEEvent]:
    """All events of a complete SSE body."""
    decoder = SSEDecoder()
    return decoder.feed(text) + decoder.close()
