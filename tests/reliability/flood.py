"""Hostile clients on raw sockets (body and header floods, half-open heads) and the probes that
watch a gateway process meanwhile (its RSS from /proc, /healthz latency). Shared by the edge-limit
tests and `benchmarks/soak/hostile.py`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 256 * 1024


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    return sock


def read_answer(sock: socket.socket, within: float = 10.0) -> bytes:
    """What the server sent before closing (or within `within` seconds)."""
    sock.settimeout(within)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except OSError:
        pass
    return data


def _collect(sock: socket.socket, into: list[bytes]) -> None:
    into.append(read_answer(sock, 30.0))


@dataclass
class FloodResult:
    sent: int = 0
    connections: int = 0
    statuses: list[bytes] = field(default_factory=list)


def flood(port: int, head: bytes, filler: bytes, total: int, *, deadline: float) -> FloodResult:
    """Open connections one after another, each sending `head` and then `filler` repeatedly until
    the server stops reading, until `total` bytes went out (or `deadline`, a monotonic time)."""
    result = FloodResult()
    block = filler * max(1, CHUNK // len(filler))
    while result.sent < total and time.monotonic() < deadline:
        sock = _connect(port)
        result.connections += 1
        answers: list[bytes] = []
        reader = threading.Thread(target=_collect, args=(sock, answers), daemon=True)
        reader.start()
        try:
            sock.sendall(head)
            result.sent += len(head)
            while result.sent < total and time.monotonic() < deadline:
                sock.sendall(block)
                result.sent += len(block)
        except OSError:
            pass  # the server closed: the next connection goes on
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        reader.join(30.0)
        sock.close()
        if answers and answers[0]:
            result.statuses.append(answers[0][:12])
    return result


def chunked_head(path: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        "transfer-encoding: chunked\r\n\r\n"
    ).encode()


CHUNKED_FILLER = b"%x\r\n" % 4096 + b"x" * 4096 + b"\r\n"


@dataclass
class Probe:
    """Samples a process's RSS and /healthz latency until stopped."""

    pid: int
    port: int
    interval: float = 0.02
    rss: list[int] = field(default_factory=list)
    healthz_ms: list[float] = field(default_factory=list)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def _sample_rss(self) -> None:
        while not self._stop.is_set():
            self.rss.append(rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def _sample_healthz(self) -> None:
        request = b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
        sock: socket.socket | None = None
        while not self._stop.is_set():
            try:
                if sock is None:
                    sock = _connect(self.port)
                started = time.perf_counter()
                sock.sendall(request)
                data = b""
                while b"\r\n\r\n" not in data or not _complete(data):
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise OSError("closed")
                    data += chunk
                self.healthz_ms.append((time.perf_counter() - started) * 1000)
            except OSError:
                self.failures += 1
                if sock is not None:
                    sock.close()
                sock = None
            self._stop.wait(self.interval)
        if sock is not None:
            sock.close()

    def __enter__(self) -> Probe:
        for target in (self._sample_rss, self._sample_healthz):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(10)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return True


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def wait_for(check: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()
