"""`benchroute serve` as a real process: first-start key, requests, graceful shutdown flushes usage."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import openai
import pytest
from e2e_harness import closed_port

from support.upstream import ScriptedUpstream

pytestmark = pytest.mark.slow

CONFIG = """
[server]
port = {port}
discover_local = false

[providers.up]
kind = "openai"
base_url = "{upstream}"

[[models]]
id = "up/small"
provider = "up"
upstream_id = "scripted-small"

[tiers]
default = "up/small"
"""


async def _start(config: Path, home: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "BENCHROUTE_HOME": str(home), "BENCHROUTE_CONFIG": str(config)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from benchroute.cli.main import main; main()",
        "serve",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )


async def _read_until(proc: asyncio.subprocess.Process, marker: str) -> str:
    assert proc.stdout is not None
    seen = ""
    while marker not in seen:
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        if not line:
            raise AssertionError(f"serve exited before printing {marker!r}:\n{seen}")
        seen += line.decode()
    return seen


async def _stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(proc.wait(), 30)


async def test_serve_first_start_prints_a_key_once(tmp_path: Path) -> None:
    port = closed_port()
    async with ScriptedUpstream() as upstream:
        config = tmp_path / "benchroute.toml"
        config.write_text(CONFIG.format(port=port, upstream=upstream.openai_base_url))
        home = tmp_path / "home"
        proc = await _start(config, home)
        try:
            out = await _read_until(proc, "benchroute gateway on")
            assert "shown only this once" in out
            key = next(line.strip() for line in out.splitlines() if line.strip().startswith("br-"))
            client = openai.AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0)
            resp = await client.chat.completions.create(
                model="auto", messages=[{"role": "user", "content": "hi"}]
            )
            assert resp.model == "up/small" and resp.choices[0].message.content == "echo: hi"
            await client.close()
        finally:
            assert await _stop(proc) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
        with sqlite3.connect(home / "benchroute.db") as db:
            assert db.execute("select count(*) from usage").fetchone() == (1,)  # flushed on shutdown

        proc = await _start(config, home)
        try:
            out = await _read_until(proc, "benchroute gateway on")
            assert "br-" not in out  # a key exists: nothing printed the second time
        finally:
            await _stop(proc)
