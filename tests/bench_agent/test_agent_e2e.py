"""`benchroute bench run --suite … --driver builtin|kilo --via-gateway`: agent tasks through a running
gateway (built from the same config, over the same SQLite store) in front of a scripted upstream
that plays a correct trajectory; the results reach the gateway's leaderboard and its router."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from agent_harness import pick
from click.testing import CliRunner, Result

from benchroute.app import create_app
from benchroute.bench.agent.spec import agent_spec
from benchroute.bench.tasks import Task, dump_tasks
from benchroute.cli.main import cli
from benchroute.gateway.server import InLoopServer
from benchroute.gateway.state import GatewayState
from benchroute.settings import Settings
from support.upstream import Script, ScriptedUpstream

ADMIN = "br-admin-agent-e2e"
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
    suite: Path
    out: str  # the file the command task must produce


@pytest.fixture
async def setup(tmp_path: Path, agent_suite: list[Task]) -> AsyncIterator[Setup]:
    task = pick(agent_suite, "agent/command/py/easy/")
    suite = tmp_path / "one.jsonl"
    dump_tasks([task], suite)
    async with ScriptedUpstream() as upstream:
        config = tmp_path / "benchroute.toml"
        config.write_text(
            CONFIG.format(
                data=tmp_path, admin=ADMIN, db=tmp_path / "gw.db", upstream=upstream.openai_base_url
            )
        )
        app = create_app(Settings.load(config))
        server = InLoopServer(app)
        await server.start()
        try:
            out = str(agent_spec(task).grader["path"])
            yield Setup(config, server.base_url, app.state.gateway, upstream, suite, out)
        finally:
            await server.stop()


async def bench(setup: Setup, driver: str) -> Result:
    argv = ["--config", str(setup.config), "bench", "run", "--models", "up/small", "--no-progress"]
    argv += ["--suite", str(setup.suite), "--driver", driver, "--run-id", f"e2e-{driver}"]
    argv += ["--via-gateway", setup.base_url, "--gateway-key", ADMIN]
    # the CLI runs its own event loop: give it a thread while this loop serves the gateway
    return await asyncio.to_thread(CliRunner().invoke, cli, argv, obj={})


async def leaderboard_cell(setup: Setup) -> dict[str, object]:
    async with aiohttp.ClientSession() as http:
        async with http.get(setup.base_url + "/v1/leaderboard", params={"model": "up/small"}) as resp:
            cells = (await resp.json())["cells"]
    [cell] = [c for c in cells if c["cell"] == "command:easy"]  # (the route list may not name it yet)
    return dict(cell)


async def clients(setup: Setup) -> set[str | None]:
    assert await setup.state.inflight.wait_idle(10)
    await setup.state.writer.flush()  # type: ignore[attr-defined]
    return {u.client_name for u in await setup.state.store.list_usage(project=None)}


async def test_builtin_driver_end_to_end_through_the_gateway(setup: Setup) -> None:
    command = json.dumps({"command": f"mkdir -p $(dirname {setup.out}) && python tools/gen.py > {setup.out}"})
    setup.upstream.add(Script(tool_calls=[("run_command", command)]), Script(text="Saved it."))
    out = await bench(setup, "builtin")
    assert out.exit_code == 0, out.output
    assert "run e2e-builtin: 1 scored, 1 passed (100.0%), 0 provider errors" in out.output
    assert "gateway leaderboard refreshed (1 bench results)" in out.output
    cell = await leaderboard_cell(setup)
    assert (cell["trials"], cell["successes"], cell["sources"]) == (1, 1, ["bench:agent.builtin"])
    assert setup.state.engine.snapshot.get("up/small", "command:easy").trials == 1  # type: ignore[attr-defined]
    assert await clients(setup) == {"benchroute-bench"}


@pytest.mark.slow
async def test_kilo_driver_end_to_end_through_the_gateway(setup: Setup, kilo_bin: Path) -> None:
    command = f"mkdir -p $(dirname {setup.out}) && python3 tools/gen.py > {setup.out}"
    setup.upstream.add(
        Script(tool_calls=[("bash", json.dumps({"command": command, "description": "run the tool"}))]),
        Script(text="Saved it."),
    )
    out = await bench(setup, "kilo")
    assert out.exit_code == 0, out.output
    assert "run e2e-kilo: 1 scored, 1 passed (100.0%), 0 provider errors" in out.output
    cell = await leaderboard_cell(setup)
    assert (cell["trials"], cell["successes"], cell["sources"]) == (1, 1, ["bench:agent.kilo"])
    assert "kilo-code" in await clients(setup)
