"""SSE decoding and the one place transport failures become ProviderErrors."""

from __future__ import annotations

import email.utils
import time

import pytest

from benchroute.providers.client import MalformedResponse, UpstreamClient, UpstreamClosed
from benchroute.providers.http import (
    create_session,
    error_from_exception,
    error_from_status,
    parse_retry_after,
)
from benchroute.wire.sse import SSEDecoder


def test_sse_decoder_handles_any_split() -> None:
    body = (
        b": keep-alive\r\n\r\n"
        b'event: message_start\r\ndata: {"a": 1}\r\n\r\n'
        b"data: line one\ndata: line two\n\n"
        b"data: [DONE]\n\n"
    )
    expected = [("message_start", '{"a": 1}'), (None, "line one\nline two"), (None, "[DONE]")]
    for step in (1, 2, 3, 7, len(body)):
        decoder = SSEDecoder()
        got: list[tuple[str | None, str]] = []
        for i in range(0, len(body), step):
            got.extend(decoder.feed(body[i : i + step]))
        got.extend(decoder.close())
        assert got == expected, step


def test_sse_decoder_flushes_unterminated_event_at_eof() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"x": 1}') == []
    assert decoder.close() == [(None, '{"x": 1}')]


def test_sse_decoder_keeps_multibyte_text_split_across_chunks() -> None:
    data = "data: héllo ✓\n\n".encode()
    decoder = SSEDecoder()
    got = decoder.feed(data[:8]) + decoder.feed(data[8:])
    assert got == [(None, "héllo ✓")]


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (429, "rate_limit", True),
        (500, "server", True),
        (503, "server", True),
        (401, "auth", False),
        (403, "auth", False),
        (400, "client", False),
        (404, "client", False),
    ],
)
def test_status_mapping(status: int, kind: str, retryable: bool) -> None:
    err = error_from_status(status, b'{"error": {"message": "nope"}}', {}, provider="p")
    assert err.kind == kind
    assert err.retryable is retryable
    assert err.status == status
    assert "nope" in err.message


def test_status_mapping_keeps_message_but_never_the_key() -> None:
    key = "sk-live-abcdef123456"
    body = f'{{"error": {{"message": "Incorrect API key provided: {key}"}}}}'.encode()
    err = error_from_status(401, body, {}, provider="openai", secrets=(key,))
    assert key not in str(err)
    assert "Incorrect API key provided" in err.message


def test_anthropic_error_shape_and_retry_after() -> None:
    body = b'{"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}'
    err = error_from_status(429, body, {"Retry-After": "7"}, provider="anthropic")
    assert err.kind == "rate_limit"
    assert err.retry_after == 7.0
    assert "slow down" in err.message


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    value = parse_retry_after(when)
    assert value is not None and 25 <= value <= 31
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_exception_mapping() -> None:
    assert error_from_exception(TimeoutError(), provider="p").kind == "timeout"
    assert error_from_exception(UpstreamClosed("gone"), provider="p").kind == "connect"
    assert error_from_exception(MalformedResponse("junk"), provider="p").kind == "connect"
    assert error_from_exception(ConnectionRefusedError(), provider="p").kind == "connect"


async def test_create_session_timeouts() -> None:
    async with create_session(connect_timeout=3.0, read_timeout=42.0, keepalive_timeout=7.0) as session:
        assert isinstance(session, UpstreamClient)
        assert (session.connect_timeout, session.read_timeout, session.keepalive_timeout) == (3.0, 42.0, 7.0)
    assert session.closed
