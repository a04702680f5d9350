"""`benchroute bench run --via-gateway`: the suite's calls go through a running gateway (built from
the same config, over the same SQLite store) in front of a scripted upstream, and the gateway's
leaderboard and router pick the results up."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner, Result

from benchroute.app import create_app
from benchroute.cli.main import cli
from benchroute.gateway.server import InLoopServer
from benchroute.gateway.state import GatewayState
from benchroute.settings import Settings
from support.upstream import Script, ScriptedUpstream

ADMIN = "br-admin-via-gateway"
SUITES = Path(__file__).resolve().parents[2] / "src" / "benchroute" / "data" / "suites"

CONFIG = """
data_dir = "{data}"
[server]
discover_local = false
admin_key = "{admin}"
[store]
url = "sqlite:///{db}"
[providers.up]
kind = "openai"
base_url = "{upstream}"
[[models]]
id = "up/small"
provider = "up"
upstream_id = "scripted-small"
input_price = 1.0
output_price = 4.0
[tiers]
default = "up/small"
balanced = {{ chat = "up/small", messages = "up/small", responses = "up/small" }}
"""


@dataclass
class Setup:
    config: Path
    base_url: str
    state: GatewayState
    upstream: ScriptedUpstream
    tasks: Path


def write_config(path: Path, upstream: ScriptedUpstream, db: Path) -> Path:
    path.write_text(CONFIG.format(data=path.parent, admin=ADMIN, db=db, upstream=upstream.openai_base_url))
    return path


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    # the two GSM8K tasks of the smoke suite (math, read as general:easy), as a suite file of their own
    lines = (SUITES / "smoke.jsonl").read_text().splitlines()
    tasks = tmp_path / "two.jsonl"
    tasks.write_text("\n".join(line for line in lines if '"id":"gsm8k/' in line) + "\n")
    async with ScriptedUpstream() as upstream:
        config = write_config(tmp_path / "benchroute.toml", upstream, tmp_path / "gw.db")
        app = create_app(Settings.load(config))
        server = InLoopServer(app)
        await server.start()
        try:
            yield Setup(config, server.base_url, app.state.gateway, upstream, tasks)
        finally:
            await server.stop()


async def bench(config: Path, *args: str) -> Result:
    argv = ["--config", str(config), "bench", "run", "--models", "up/small", "--no-progress", *args]
    # the CLI runs its own event loop: give it a thread while this loop serves the gateway
    return await asyncio.to_thread(CliRunner().invoke, cli, argv, obj={})


async def test_bench_run_through_the_gateway_reaches_its_leaderboard(setup: Setup) -> None:
    # one right answer, one wrong (concurrency 1 keeps the task order)
    setup.upstream.add(Script(text="Working.\n#### 18"), Script(text="#### 7"))
    out = await bench(
        setup.config,
        *("--suite", str(setup.tasks), "--run-id", "via-1", "--concurrency", "1"),
        *("--via-gateway", setup.base_url + "/v1", "--gateway-key", ADMIN),
    )
    assert out.exit_code == 0, out.output
    assert "run via-1: 2 scored, 1 passed (50.0%), 0 provider errors" in out.output
    assert "gateway leaderboard refreshed (2 bench results)" in out.output

    # both calls went through the gateway: it sent them upstream under the upstream id, and logged them
    sent = [r for r in setup.upstream.requests if r.path.endswith("/chat/completions")]
    assert [r.body["model"] for r in sent] == ["scripted-small", "scripted-small"]
    assert await setup.state.inflight.wait_idle(5)
    await setup.state.writer.flush()  # type: ignore[attr-defined]
    usage = await setup.state.store.list_usage(project=None)
    assert len(usage) == 2 and {u.routed_model for u in usage} == {"up/small"}
    assert {u.client_name for u in usage} == {"benchroute-bench"}

    async with aiohttp.ClientSession() as http:
        params = {"model": "up/small", "cell": "general:easy"}
        async with http.get(setup.base_url + "/v1/leaderboard", params=params) as resp:
            board = await resp.json()
    [cell] = board["cells"]
    assert (cell["trials"], cell["successes"], cell["accuracy"]) == (2, 1, 0.5)
    assert cell["sources"] == ["bench:smoke"]
    assert cell["mean_completion_tokens"] > 0 and cell["latency_ms"] > 0 and cell["mean_cost"] > 0
    snapshot = setup.state.engine.snapshot  # type: ignore[attr-defined]
    assert snapshot.get("up/small", "general:easy").trials == 2


async def test_a_gateway_on_another_store_is_warned_about(setup: Setup, tmp_path: Path) -> None:
    elsewhere = write_config(tmp_path / "other.toml", setup.upstream, tmp_path / "other.db")
    out = await bench(
        elsewhere, "--suite", str(setup.tasks), "--via-gateway", setup.base_url, "--gateway-key", ADMIN
    )
    assert out.exit_code == 0, out.output
    assert "the gateway sees 0 bench results, this store has 2" in out.output


async def test_a_project_key_runs_but_cannot_refresh(setup: Setup) -> None:
    _, key = await setup.state.store.create_key("default", name="bench")
    out = await bench(
        setup.config, "--suite", str(setup.tasks), "--via-gateway", setup.base_url, "--gateway-key", key
    )
    assert out.exit_code == 0, out.output
    assert "2 scored" in out.output
    assert "the gateway refreshes its leaderboard within a minute (now: HTTP 403)" in out.output


async def test_bad_key_or_unknown_model_fail_before_any_call(setup: Setup) -> None:
    out = await bench(
        setup.config, "--suite", str(setup.tasks), "--via-gateway", setup.base_url, "--gateway-key", "nope"
    )
    assert out.exit_code == 1 and "/v1/models answered 401" in out.output
    argv = ["--config", str(setup.config), "bench", "run", "--suite", str(setup.tasks), "--models", "auto"]
    argv += ["--via-gateway", setup.base_url, "--gateway-key", ADMIN]
    out = await asyncio.to_thread(CliRunner().invoke, cli, argv, obj={})
    assert out.exit_code == 1 and "does not serve the model 'auto'" in out.output
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    out = await bench(
        setup.config, "--suite", str(setup.tasks), "--via-gateway", closed, "--gateway-key", ADMIN
    )
    assert out.exit_code == 1 and f"cannot reach the gateway at {closed}" in out.output
    assert not [r for r in setup.upstream.requests if r.path.endswith("/chat/completions")]
