"""Mid-stream errors reach each client in its API's documented shape, without library internals."""

from __future__ import annotations

import orjson

from benchroute.wire import anthropic_stream, chat_stream, responses_stream
from benchroute.wire.canonical import StreamError, TextDelta

INTERNAL = StreamError(
    "up: TransferEncodingError: 400, message='Not enough data for satisfy'", kind="connect"
)


def test_chat_completions_error_event() -> None:
    r = chat_stream.StreamRenderer("id", "m", 0, False)
    out = r.render(TextDelta("a")) + r.render(INTERNAL)
    error = orjson.loads(out.split(b"data: ")[-2].strip())["error"]
    assert error["type"] == "server_error" and error["code"] == "upstream_error"
    assert "TransferEncodingError" not in error["message"] and "lost mid-stream" in error["message"]
    assert out.endswith(b"data: [DONE]\n\n")


def test_anthropic_error_event() -> None:
    r = anthropic_stream.StreamRenderer("id", "m", 0, True)
    out = r.render(TextDelta("a")) + r.render(INTERNAL)
    tail = out.split(b"event: error\n")[-1]
    doc = orjson.loads(tail.split(b"data: ", 1)[1].split(b"\n", 1)[0])
    assert doc["type"] == "error" and doc["error"]["type"] == "api_error"
    assert "TransferEncodingError" not in doc["error"]["message"]
    rate = anthropic_stream.StreamRenderer("id", "m", 0, True)
    out = rate.render(TextDelta("a")) + rate.render(StreamError("slow down", kind="rate_limit_error"))
    assert b'"rate_limit_error"' in out and b"slow down" in out  # an upstream's own words are kept


def test_responses_failed_event() -> None:
    r = responses_stream.StreamRenderer("id", "m", 0, True)
    out = r.render(TextDelta("a")) + r.render(INTERNAL)
    tail = out.split(b"event: response.failed\n")[-1]
    doc = orjson.loads(tail.split(b"data: ", 1)[1].split(b"\n", 1)[0])
    assert doc["response"]["status"] == "failed"
    assert doc["response"]["error"]["code"] == "server_error"
    assert "TransferEncodingError" not in doc["response"]["error"]["message"]
