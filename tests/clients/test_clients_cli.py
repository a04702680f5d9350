"""Kilo CLI 7.7.7 and Codex CLI 0.169.0, run non-interactively against the real gateway on
loopback (the scripted upstream answers), each with its config and data in temporary dirs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import pytest
from dialects_harness import Served, serving

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 240.0

# Kilo: no update check, no models.dev fetch, no sharing, no session upload, no telemetry.
KILO_QUIET = {
    "KILO_DISABLE_AUTOUPDATE": "1",
    "KILO_DISABLE_MODELS_FETCH": "1",
    "KILO_DISABLE_SHARE": "1",
    "KILO_DISABLE_SESSION_INGEST": "1",
    "KILO_TELEMETRY_LEVEL": "off",
}


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment whose HOME and XDG dirs are under `home` (nothing of ours leaks in)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "TERM")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        NO_COLOR="1",
    )
    env.update(extra)
    return env


async def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Run a client to completion (stdin closed); on timeout kill it by PID and fail."""
    proc = await asyncio.create_subprocess_exec(
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), RUN_TIMEOUT)
    except TimeoutError:
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()
        pytest.fail(f"{args[0]} did not finish within {RUN_TIMEOUT}s")
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def dirs(tmp_path: Path) -> tuple[Path, Path]:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(parents=True)
    work.mkdir(parents=True)
    return home, work


async def kilo_records(gw: Served) -> list[object]:
    return [r for r in await gw.usage() if r.client_name == "kilo-code"]


async def test_kilo_cli_with_a_custom_openai_compatible_provider(tmp_path: Path, kilo_bin: Path) -> None:
    home, work = dirs(tmp_path / "kilo")
    async with serving(tmp_path) as gw:
        gw.upstream.text = "PONG from benchroute"
        config = {
            "$schema": "https://app.kilo.ai/config.json",
            "provider": {
                "benchroute": {
                    "npm": "@ai-sdk/openai-compatible",
                    "name": "benchroute",
                    "options": {"baseURL": gw.base_url + "/v1", "apiKey": gw.key},
                    "models": {"auto": {"name": "benchroute auto", "tool_call": True}},
                }
            },
        }
        (home / ".config" / "kilo").mkdir(parents=True)
        (home / ".config" / "kilo" / "kilo.json").write_text(json.dumps(config))
        code, out, err = await run_cli(
            [str(kilo_bin), "run", "--model", "benchroute/auto", "Say PONG"],
            isolated_env(home, **KILO_QUIET),
            work,
        )
        assert code == 0, err[-3000:]
        assert "PONG from benchroute" in out
        records = await gw.usage()
        chat = [r for r in records if r.api_kind == "chat" and r.status == 200]
        assert chat, records
        record = chat[0]
        assert record.requested_model == "auto" and record.routed_model == "oai/small"
        assert record.client_name == "kilo-code" and record.client_version == "7.7.7"
        assert record.stream and record.session_key and record.session_key.startswith("ses_")
        sent = gw.upstream.requests[0].body
        assert sent["tools"], "Kilo's tools reach the upstream"


async def test_kilo_cli_builtin_provider_redirected_by_kilo_api_url(tmp_path: Path, kilo_bin: Path) -> None:
    home, work = dirs(tmp_path / "kilo")
    async with serving(tmp_path) as gw:
        gw.upstream.text = "The plan: step one."
        env = isolated_env(home, KILO_API_URL=gw.base_url, KILO_API_KEY=gw.key, **KILO_QUIET)
        code, out, err = await run_cli(
            [
                str(kilo_bin),
                "run",
                "--model",
                "kilo/kilo-auto/efficient",
                "--agent",
                "plan",
                "Plan a hello world",
            ],
            env,
            work,
        )
        assert code == 0, err[-3000:]
        assert "The plan: step one." in out
        records = [r for r in await gw.usage() if r.api_kind == "chat"]
        assert records, "no chat request reached the gateway"
        record = records[0]
        assert record.status == 200 and record.stream
        assert record.requested_model == "kilo-auto/efficient" and record.routed_model == "oai/small"
        assert record.mode == "plan"
        assert record.task_id and record.task_id.startswith("ses_")
        assert record.client_name == "kilo-code" and record.client_version == "7.7.7"
        assert record.editor_name == "Kilo CLI 7.7.7" and record.machine_id


async def test_codex_cli_exec_over_responses(tmp_path: Path, codex_bin: Path) -> None:
    home, work = dirs(tmp_path / "codex")
    codex_home = home / ".codex"
    codex_home.mkdir()
    async with serving(tmp_path) as gw:
        gw.upstream.text = "Hello from benchroute via Codex."
        (codex_home / "config.toml").write_text(
            "\n".join(
                [
                    'model = "auto"',
                    'model_provider = "benchroute"',
                    "",
                    "[model_providers.benchroute]",
                    'name = "benchroute"',
                    f'base_url = "{gw.base_url}/v1"',
                    'env_key = "BENCHROUTE_KEY"',
                    'wire_api = "responses"',
                    "",
                ]
            )
        )
        env = isolated_env(home, CODEX_HOME=str(codex_home), BENCHROUTE_KEY=gw.key)
        code, out, err = await run_cli(
            [str(codex_bin), "exec", "--skip-git-repo-check", "-s", "read-only", "Say hello"], env, work
        )
        assert code == 0, err[-3000:]
        assert "Hello from benchroute via Codex." in out
        records = await gw.usage()
        (record,) = [r for r in records if r.api_kind == "responses"]
        assert record.status == 200 and record.stream
        assert record.requested_model == "auto" and record.routed_model == "oai/small"
        assert record.client_name == "codex_exec" and record.client_version == "0.169.0"
        # Codex names its conversation in a `session-id` header: that is the session key
        assert record.session_key and not record.session_key.startswith("h:")
        sent = gw.upstream.requests[-1]
        assert sent.path == "/v1/chat/completions"
        assert sent.body["tools"], "Codex's function tools reach the upstream"
