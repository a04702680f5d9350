"""Incremental Server-Sent Events decoding (the framing under every streaming dialect): the one
decoder, used by the providers on upstream bodies and by tests on rendered streams.

`SSEDecoder.feed(bytes)` takes network chunks split anywhere and returns the complete events so
far; `decode_json` turns an event's data into a dict for a dialect's `StreamParser`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from benchroute.wire.errors import WireError


class SSEEvent(NamedTuple):
    """One event: its name (`event:` line, None when absent) and its data lines joined by `\\n`.
    A tuple, so `for name, data in events` works and an event costs one small allocation."""

    event: str | None = None
    data: str = ""

    @property
    def done(self) -> bool:
        """The OpenAI end-of-stream sentinel (`data: [DONE]`)."""
        return self.data == "[DONE]"


class SSEDecoder:
    """Bytes in, whole events out. Comments (`: keep-alive`) and `id:`/`retry:` lines are skipped;
    CRLF line ends, multi-line data and events split across chunks at any byte are handled.
    Splits on newlines with `bytes.split` (no regex, no per-line slicing of the buffer)."""

    __slots__ = ("_buf", "_data", "_event")

    def __init__(self) -> None:
        self._buf = b""
        self._event: str | None = None
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        out: list[SSEEvent] = []
        buf = self._buf + chunk if self._buf else chunk
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        for line in lines:
            self._line(line, out)
        return out

    def close(self) -> list[SSEEvent]:
        """End of body: a last unterminated line and an event without its blank line still count."""
        out: list[SSEEvent] = []
        if self._buf:
            self._line(self._buf, out)
            self._buf = b""
        self._line(b"", out)
        return out

    def _line(self, line: bytes, out: list[SSEEvent]) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            if self._data:
                out.append(SSEEvent(self._event, b"\n".join(self._data).decode("utf-8", "replace")))
            self._event = None
            self._data = []
            return
        if line[0] == 0x3A:  # ":" comment / keepalive
            return
        name, _, value = line.partition(b":")
        if value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value)
        elif name == b"event":
            self._event = value.decode("utf-8", "replace")


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
