"""SSE framing: events split anywhere, CRLF line ends, comments, multi-line data."""

from __future__ import annotations

import pytest

from benchroute.wire.errors import WireError
from benchroute.wire.sse import SSEDecoder, SSEEvent, decode_json, parse_sse


def test_crlf_comments_and_multiline_data() -> None:
    body = (
        b": keep-alive\r\n\r\n"
        b'event: ping\r\ndata: {"type":\r\ndata: "ping"}\r\n\r\n'
        b"id: 7\r\ndata: [DONE]\r\n\r\n"
    )
    events = parse_sse(body)
    assert events == [SSEEvent(data='{"type":\n"ping"}', event="ping"), SSEEvent(data="[DONE]")]
    assert decode_json(events[0]) == {"type": "ping"} and events[1].done


def test_byte_at_a_time_and_an_unterminated_tail() -> None:
    body = 'data: {"a": "é"}\n\ndata: {"b": 1}'.encode()
    decoder = SSEDecoder()
    events = [e for i in range(len(body)) for e in decoder.feed(body[i : i + 1])]
    assert events == [SSEEvent(data='{"a": "é"}')]
    assert decoder.close() == [SSEEvent(data='{"b": 1}')]


@pytest.mark.parametrize("data", ["not json", "[1, 2]"])
def test_non_object_data_is_a_bad_gateway(data: str) -> None:
    with pytest.raises(WireError) as info:
        decode_json(SSEEvent(data=data))
    assert info.value.status == 502
