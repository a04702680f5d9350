"""The HTTP edge of a running `benchroute serve` process, attacked through real sockets without a
key: 1 GB body and header floods on API and dashboard routes leave its RSS within 32 MB of where
it was, and are answered 413/431 in the API's error shape; heads that never complete are closed
(408) after `server.header_timeout`; a body over the limit is refused before it is read.

/healthz latency during the floods is sampled and printed (figures: benchmarks/soak/hostile.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flood import (
    CHUNKED_FILLER,
    Probe,
    chunked_head,
    flood,
    percentile,
    read_answer,
    wait_for,
)
from reliability_harness import Gateway, free_port, gateway_config, prepare_store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

GB = 1024**3
RSS_BOUND = 32 * 1024 * 1024
MAX_BODY = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("edge")
    store_url = f"sqlite:///{tmp / 'edge.db'}"
    asyncio.run(prepare_store(store_url, ["default"]))
    config = gateway_config(
        tmp / "benchroute.toml",
        upstream_url=f"http://127.0.0.1:{free_port()}/v1",
        store_url=store_url,
        redis_url=None,
        projects={"default": {"allowed_models": ["*"]}},
        server={"header_timeout": 1.0, "body_timeout": 5.0, "max_body_bytes": MAX_BODY},
    )
    gw = Gateway(config, tmp / "data", "edge")
    asyncio.run(gw.start())
    try:
        yield gw
    finally:
        asyncio.run(gw.stop())


def _pid(gateway: Gateway) -> int:
    assert gateway.proc is not None
    return gateway.proc.pid


def _flood_case(gateway: Gateway, head: bytes, filler: bytes) -> tuple[int, list[bytes], Probe]:
    with Probe(_pid(gateway), gateway.port) as probe:
        wait_for(lambda: len(probe.rss) >= 5, 5.0)
        baseline = max(probe.rss[:5])
        result = flood(gateway.port, head, filler, GB, deadline=time.monotonic() + 240)
    assert result.sent >= GB, f"only {result.sent} bytes went out"
    growth = max(probe.rss) - baseline
    p99 = percentile(probe.healthz_ms, 0.99)
    print(
        f"\n{head[:40]!r}: {result.sent / GB:.2f} GB over {result.connections} connections, "
        f"RSS +{growth / 2**20:.1f} MB, /healthz p50 {percentile(probe.healthz_ms, 0.5):.1f} ms "
        f"p99 {p99:.1f} ms over {len(probe.healthz_ms)} probes ({probe.failures} failed)"
    )
    return growth, result.statuses, probe


BODY_FLOODS = {
    "declared 1 GB body": (
        b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        + f"content-length: {GB}\r\n\r\n".encode(),
        b"x" * 4096,
        b"413",
    ),
    # without a key the pipeline answers 401 before it reads; the edge then cuts the unread rest off
    "chunked body, no key": (chunked_head("/v1/chat/completions"), CHUNKED_FILLER, b"401"),
    "chunked dashboard login": (chunked_head("/dashboard/login"), CHUNKED_FILLER, b"413"),
    "header lines": (b"GET /healthz HTTP/1.1\r\nhost: x\r\n", b"x-flood: " + b"v" * 100 + b"\r\n", b"431"),
    "one header value": (b"POST /dashboard/login HTTP/1.1\r\nhost: x\r\nx-big: ", b"v" * 4096, b"431"),
}


@pytest.mark.parametrize("case", sorted(BODY_FLOODS))
def test_a_1gb_flood_leaves_memory_bounded_and_is_refused(gateway: Gateway, case: str) -> None:
    head, filler, status = BODY_FLOODS[case]
    growth, statuses, probe = _flood_case(gateway, head, filler)
    assert growth < RSS_BOUND, f"{case}: RSS grew by {growth / 2**20:.1f} MB"
    assert statuses and all(s == b"HTTP/1.1 " + status for s in statuses), statuses[:5]
    assert probe.healthz_ms, "/healthz never answered during the flood"


def _raw(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def test_heads_that_never_complete_are_closed(gateway: Gateway) -> None:
    partial = [_raw(gateway.port) for _ in range(100)]
    idle = [_raw(gateway.port) for _ in range(100)]
    for sock in partial:
        sock.sendall(b"POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-slow: 1")
    answers = [read_answer(s, 15.0) for s in partial]
    quiet = [read_answer(s, 15.0) for s in idle]
    for sock in partial + idle:
        sock.close()
    assert all(a.startswith(b"HTTP/1.1 408") for a in answers), answers[:3]
    body = json.loads(answers[0].split(b"\r\n\r\n", 1)[1])
    assert (
        body["type"] == "error" and "request head too slow" in body["error"]["message"]
    )  # Anthropic's shape
    assert quiet == [b""] * 100  # idle connections are closed without an answer


def test_a_body_over_the_limit_is_refused_before_it_is_read(gateway: Gateway) -> None:
    r = requests.post(gateway.url + "/v1/messages", data=b"x" * (MAX_BODY + 1), timeout=30)
    assert r.status_code == 413
    assert r.json()["error"]["type"] == "request_too_large"


def test_too_many_headers_and_a_large_value_are_431(gateway: Gateway) -> None:
    many = requests.get(
        gateway.url + "/dashboard/", headers={f"x-h-{i}": "v" for i in range(150)}, timeout=15
    )
    big = requests.post(
        gateway.url + "/v1/chat/completions", data=b"{}", headers={"x-big": "v" * 40_000}, timeout=15
    )
    assert many.status_code == 431 and "too many request headers" in many.json()["error"]["message"]
    assert big.status_code == 431 and "headers too large" in big.json()["error"]["message"]


def test_the_gateway_still_serves_after_the_attacks(gateway: Gateway) -> None:
    r = requests.get(gateway.url + "/healthz", timeout=10)
    assert r.status_code == 200
    assert Path(f"/proc/{_pid(gateway)}").exists()
