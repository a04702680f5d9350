"""`benchroute serve --workers 2` against PostgreSQL and Redis, behind the scripted upstream: two
worker processes on one port, every request recorded once, a limit shared by both, a session kept
across connections, each worker its own data dir, and SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest
from reliability_harness import (
    create_database,
    drop_database,
    drop_redis_keys,
    free_port,
    gateway_config,
    prepare_store,
    usage_ids,
)

from support.poll import eventually
from support.upstream import ScriptedUpstream

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(180)]

RUN = uuid.uuid4().hex[:8]
COUNTED, RPM = f"counted-{RUN}", f"rpm-{RUN}"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


async def _post(base: str, key: str, session_id: str = "") -> tuple[int, str]:
    """One request on a fresh connection (the kernel picks the worker that accepts it)."""
    body = {"model": "auto", "messages": [{"role": "user", "content": "hello"}]}
    headers = {"authorization": f"Bearer {key}", **({"x-session-id": session_id} if session_id else {})}
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http,
        http.post(base + "/v1/chat/completions", json=body, headers=headers) as r,
    ):
        await r.read()
        return r.status, r.headers.get("x-benchroute-model", "")


def _spawn(config: Path, port: int, data: Path, log: Path) -> subprocess.Popen[bytes]:
    """`benchroute serve --workers 2` in a process of its own, output to `log`."""
    env = {**os.environ, "BENCHROUTE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    code = "from benchroute.cli.main import main; main()"
    cmd = [sys.executable, "-c", code, "--config", str(config), "serve", "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen([*cmd, "--workers", "2"], stdout=out, stderr=subprocess.STDOUT, env=env)


async def _started(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    async def healthy() -> bool:
        assert proc.poll() is None, log.read_text(errors="replace")  # noqa: ASYNC240
        try:
            async with aiohttp.ClientSession() as http, http.get(base + "/healthz") as r:
                return r.status == 200
        except aiohttp.ClientError:
            return False

    await eventually(healthy, what="the gateway answering /healthz", within=60)


async def test_two_workers_share_usage_limits_and_sessions(tmp_path: Path) -> None:
    db = await create_database()
    upstream = ScriptedUpstream()
    await upstream.start()
    store_url = f"postgresql://postgres@127.0.0.1:5432/{db}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        keys = await prepare_store(store_url, ["default", COUNTED, RPM])
        config = gateway_config(
            tmp_path / "gateway.toml",
            upstream_url=upstream.openai_base_url,
            store_url=store_url,
            redis_url="redis://127.0.0.1:6379/0",
            projects={"default": {}, COUNTED: {}, RPM: {"requests_per_minute": 4}},
        )
        port, data = free_port(), tmp_path / "data"
        log = tmp_path / "serve.log"
        proc = _spawn(config, port, data, log)
        base = f"http://127.0.0.1:{port}"
        await _started(proc, base, log)
        workers = _children(proc.pid)
        assert len(workers) == 2, log.read_text(errors="replace")
        await eventually(
            lambda: all((data / "workers" / i / "usage-wal").is_dir() for i in ("0", "1")),
            what="both workers started on their own data dir",
        )

        answers = await asyncio.gather(*(_post(base, keys[COUNTED], "task-w") for _ in range(24)))
        assert {status for status, _ in answers} == {200}
        assert len({model for _, model in answers}) == 1  # one session, whichever worker served

        async def all_recorded() -> bool:
            return len(set(await usage_ids(store_url, COUNTED))) == 24

        await eventually(all_recorded, what="24 usage rows, each once")

        statuses = [(await _post(base, keys[RPM]))[0] for _ in range(7)]
        assert statuses.count(200) == 4 and statuses.count(429) == 3, statuses  # one limit for both

        proc.send_signal(signal.SIGTERM)  # stops like one uvicorn process: by the signal, once all stopped
        try:
            code = await asyncio.to_thread(proc.wait, 60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"not stopped 60 s after SIGTERM; its log:\n{log.read_text(errors='replace')}")
        assert code == -signal.SIGTERM, log.read_text(errors="replace")
        assert not any(os.path.exists(f"/proc/{w}") for w in workers)  # noqa: ASYNC240
        assert len(set(await usage_ids(store_url, COUNTED))) == 24
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        await upstream.stop()
        await drop_redis_keys(f"*-{RUN}:*")
        await drop_database(db)
