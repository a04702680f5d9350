"""Hostile input straight on the socket and through hypothesis: deep nesting, huge strings, wrong
types, invalid UTF-8, too many or too large headers, clients that trickle bytes. The gateway
answers each with a 4xx in the error shape, never a 5xx, never hangs, and keeps serving."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import hypothesis.strategies as st
import pytest
import requests
from fuzz_harness import Served, served
from hypothesis import HealthCheck, given, settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

PATHS = ["/v1/chat/completions", "/v1/messages", "/v1/responses"]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("fuzz-hostile"), body_timeout=1.0) as s:
        yield s


def _post(
    gateway: Served, path: str, body: bytes, headers: dict[str, str] | None = None
) -> requests.Response:
    hdrs = {"authorization": f"Bearer {gateway.key}", "content-type": "application/json", **(headers or {})}
    return requests.post(gateway.base_url + path, data=body, headers=hdrs, timeout=15)


def _assert_clean_4xx(r: requests.Response) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    doc = r.json()
    assert "error" in doc  # OpenAI's {"error": {...}} or Anthropic's {"type": "error", "error": {...}}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=30,
)
message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", "tool", "developer", "bogus"]) | json_values},
    optional={
        "content": json_values,
        "tool_calls": json_values,
        "tool_call_id": json_values,
        "name": json_values,
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "model": st.sampled_from(["up/small", "auto", "nope/x", ""]) | json_values,
        "messages": st.lists(message, max_size=3) | json_values,
        "input": json_values,
        "system": json_values,
        "max_tokens": json_values,
        "stream": st.booleans() | json_values,
        "tools": json_values,
        "tool_choice": json_values,
        "stream_options": json_values,
        "temperature": json_values,
    },
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(PATHS), body=bodies)
def test_wrong_types_never_cause_a_server_error(gateway: Served, path: str, body: dict[str, Any]) -> None:
    r = _post(gateway, path, json.dumps(body).encode())
    assert r.status_code < 500, (path, body, r.status_code, r.text[:300])
    if r.status_code >= 400:
        _assert_clean_4xx(r)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(PATHS), raw=st.binary(max_size=300))
def test_arbitrary_bytes_are_a_clean_4xx(gateway: Served, path: str, raw: bytes) -> None:
    _assert_clean_4xx(_post(gateway, path, raw))


@pytest.mark.parametrize("path", PATHS)
def test_deep_nesting_huge_strings_and_invalid_utf8(gateway: Served, path: str) -> None:
    deep = b'{"model": "up/small", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    _assert_clean_4xx(_post(gateway, path, deep))  # over max_body_bytes: 413
    nested = (
        b'{"model": "up/small", "messages": [{"role": "user", "content": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}]}"
    )
    _assert_clean_4xx(_post(gateway, path, nested))
    huge = json.dumps(
        {"model": "up/small", "messages": [{"role": "user", "content": "x" * 1_000_000}]}
    ).encode()
    _assert_clean_4xx(_post(gateway, path, huge))
    bad_utf8 = b'{"model": "up/small", "messages": [{"role": "user", "content": "\xff\xfe\xc3("}]}'
    _assert_clean_4xx(_post(gateway, path, bad_utf8))
    lone_surrogate = (
        b'{"model": "up/small", "max_tokens": 5, "input": "\\ud800", '
        b'"messages": [{"role": "user", "content": "\\udc00"}]}'
    )
    r = _post(gateway, path, lone_surrogate)
    assert r.status_code < 500, r.text[:300]


def test_header_count_and_size_limits(gateway: Served) -> None:
    many = {f"x-h-{i}": "v" for i in range(150)}
    r = _post(gateway, "/v1/chat/completions", b"{}", many)
    assert r.status_code == 431 and "too many request headers" in r.json()["error"]["message"]
    big = {"x-big": "v" * 40_000}
    r = requests.get(gateway.base_url + "/v1/models", headers=big, timeout=15)
    assert r.status_code == 431 and "headers too large" in r.json()["error"]["message"]
    r = requests.post(gateway.base_url + "/v1/messages", data=b"{}", headers=many, timeout=15)
    assert r.status_code == 431 and r.json()["type"] == "error"  # Anthropic's shape on /messages


def _raw(gateway: Served) -> socket.socket:
    url = urlsplit(gateway.base_url)
    return socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=15)


def test_a_client_trickling_its_body_gets_408_and_others_are_served(gateway: Served) -> None:
    body = json.dumps({"model": "up/small", "messages": [{"role": "user", "content": "hello"}]}).encode()
    sock = _raw(gateway)
    results: list[int] = []

    def other_clients() -> None:  # served normally while the slow one holds its request open
        for _ in range(5):
            results.append(_post(gateway, "/v1/chat/completions", body).status_code)

    t = threading.Thread(target=other_clients)
    answer = b""
    try:
        head = (
            "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            f"authorization: Bearer {gateway.key}\r\ncontent-length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode())
        started = time.monotonic()
        t.start()
        for i in range(len(body)):  # a byte every 0.2 s: each piece is quick, the whole is too slow
            try:
                sock.sendall(body[i : i + 1])
            except OSError:
                break
            ready, _, _ = select.select([sock], [], [], 0.2)
            if ready:
                answer = sock.recv(4096)
                break
        elapsed = time.monotonic() - started
        t.join(30)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert elapsed < 5  # body_timeout = 1 s
    assert results == [200] * 5


def test_slow_body_answer_is_408_in_the_error_shape(gateway: Served) -> None:
    sock = _raw(gateway)
    try:
        head = (
            "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            f"authorization: Bearer {gateway.key}\r\ncontent-length: 100\r\n\r\n{{"
        )
        sock.sendall(head.encode())
        data = b""
        while b"}}" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert b"request body too slow" in data


def test_a_client_that_sends_nothing_does_not_hold_the_gateway(gateway: Served) -> None:
    idle = [_raw(gateway) for _ in range(50)]  # connections that never send a byte
    try:
        r = _post(
            gateway,
            "/v1/chat/completions",
            b'{"model": "up/small", "messages": [{"role": "user", "content": "hi"}]}',
        )
        assert r.status_code == 200
    finally:
        for s in idle:
            s.close()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/chat/completions", "max_tokens"),
        ("/v1/responses", "max_output_tokens"),
        ("/v1/messages", "max_tokens"),
    ],
)
def test_numbers_past_64_bits_are_a_400(gateway: Served, path: str, field: str) -> None:
    # found by schemathesis: 1e30 parsed as an integer could not be sent upstream (a 500)
    body = {"model": "up/small", "messages": [{"role": "user", "content": "hi"}], "input": "hi", field: 1e30}
    r = _post(gateway, path, json.dumps(body).encode())
    _assert_clean_4xx(r)
