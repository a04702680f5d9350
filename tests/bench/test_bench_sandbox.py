"""The sandbox contains what generated code may do: CPU, memory, processes, files, network, time."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from pathlib import Path

import pytest

from benchroute.bench.sandbox import Limits, Sandbox, run_python

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox")

TIGHT = Limits(cpu_seconds=1, wall_seconds=4.0, memory_bytes=256 * 1024 * 1024, processes=32)


async def test_ordinary_program_runs_and_reports_output() -> None:
    result = await run_python("print('hello'); import sys; print('oops', file=sys.stderr)", TIGHT)
    assert result.ok
    assert result.stdout.strip() == "hello"
    assert "oops" in result.stderr
    assert result.describe() == ""


async def test_infinite_loop_hits_the_cpu_limit() -> None:
    # the wall clock is generous so the CPU limit is what stops it, even on a busy machine
    limits = Limits(cpu_seconds=1, wall_seconds=15.0)
    started = time.monotonic()
    result = await run_python("while True:\n    pass\n", limits)
    assert not result.ok
    assert result.signal == "SIGXCPU"
    assert result.describe() == "CPU time limit exceeded"
    assert time.monotonic() - started < 15.0


async def test_sleeping_program_is_killed_at_the_wall_clock_timeout() -> None:
    limits = Limits(cpu_seconds=5, wall_seconds=0.5)
    result = await run_python("import time\ntime.sleep(30)\n", limits)
    assert result.timed_out
    assert result.duration < 2.0
    assert "timed out" in result.describe()


async def test_fork_bomb_is_contained_and_its_processes_are_killed() -> None:
    code = (
        "import os, time\n"
        "print(os.getpid(), flush=True)\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        time.sleep(0.01)\n"
    )
    limits = Limits(cpu_seconds=2, wall_seconds=2.0, processes=16)
    started = time.monotonic()
    result = await run_python(code, limits)
    assert not result.ok
    assert time.monotonic() - started < 5.0
    pgid = int(result.stdout.split()[0])
    await asyncio.sleep(0.2)
    assert _live_in_group(pgid) == 0  # killed; zombies wait only for init to reap them


def _live_in_group(pgid: int) -> int:
    live = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            live += 1
    return live


async def test_huge_allocation_fails_inside_the_memory_limit() -> None:
    result = await run_python("x = bytearray(4 * 1024 * 1024 * 1024)\nprint('allocated')\n", TIGHT)
    assert not result.ok
    assert "allocated" not in result.stdout
    assert "MemoryError" in result.stderr


async def test_output_flood_is_capped_by_the_file_size_limit() -> None:
    limits = Limits(cpu_seconds=5, wall_seconds=5.0, file_bytes=1024 * 1024)
    result = await run_python("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", limits)
    assert not result.ok
    assert len(result.stdout) <= 20_000


async def test_network_is_unreachable_from_the_sandbox() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = asyncio.get_running_loop().run_in_executor(None, _accept_one, server)
    code = (
        "import socket\n"
        f"socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'hi')\n"
        "print('connected')\n"
    )
    try:
        isolated = await run_python(code, TIGHT)
        assert isolated.network_isolated
        assert not isolated.ok
        assert "connected" not in isolated.stdout
        assert "unreachable" in isolated.stderr.lower() or "refused" in isolated.stderr.lower()
        # control: the same program with the network allowed does reach the server
        allowed = await run_python(code, Limits(cpu_seconds=2, wall_seconds=4.0, network=True))
        assert allowed.ok, allowed.describe()
        assert await asyncio.wait_for(accepted, 5) == b"hi"
    finally:
        server.close()


def _accept_one(server: socket.socket) -> bytes:
    server.settimeout(5)
    conn, _ = server.accept()
    with conn:
        return conn.recv(16)


async def test_sandbox_directory_is_private_and_removed() -> None:
    async with Sandbox() as box:
        box.write("data.txt", "payload")
        result = await box.run([sys.executable, "-c", "print(open('data.txt').read())"], TIGHT)
        path = box.path
        assert result.stdout.strip() == "payload"
    assert not path.exists()
