"""The Kilo CLI driver: `kilo run --auto --format json` in a fresh copy of the task's repository,
pointed at an OpenAI-compatible base URL (the gateway) with the model under test pinned.

Kilo needs the network to reach the gateway, so it runs outside the network namespace: its
commands are limited by wall time (the whole process group is killed at the deadline) and the
workspace is thrown away; grading runs in the sandbox as for every task. The JSON event stream
gives turns (`step_finish`), tokens, tool calls and failed calls; a failed call is classified
from Kilo's error text (`JSON parsing failed` -> bad_json, `Invalid input` -> bad_args,
`unavailable tool` -> unknown_tool).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchroute.bench.agent.graders import Grade, grade
from benchroute.bench.agent.loop import AgentOutcome
from benchroute.bench.agent.record import AgentStats
from benchroute.bench.agent.spec import AgentSpec
from benchroute.bench.agent.workspace import Workspace
from benchroute.catalog.model import ModelInfo
from benchroute.providers.base import Provider

KILO_VERSION = "7.7.7"
QUIET = {
    "KILO_DISABLE_AUTOUPDATE": "1",
    "KILO_DISABLE_MODELS_FETCH": "1",
    "KILO_DISABLE_SHARE": "1",
    "KILO_DISABLE_SESSION_INGEST": "1",
    "KILO_TELEMETRY_LEVEL": "off",
}
PROVIDER = "benchroute"
ANSWER_HINT = "\n\nWhen you are done, end your last message with a line `ANSWER: <answer>`."


def default_kilo_bin() -> Path:
    base = Path(os.environ.get("BENCHROUTE_CLIENTS_DIR", Path.home() / ".cache" / "benchroute-clients"))
    return base / "node_modules" / ".bin" / "kilo"


@dataclass(frozen=True, slots=True)
class KiloOptions:
    base_url: str  # OpenAI-compatible, ending in /v1 (the gateway's)
    api_key: str = "none"
    binary: Path | None = None
    wall_seconds: float = 900.0
    variant: str | None = None


def kilo_config(options: KiloOptions, model_id: str) -> dict[str, Any]:
    return {
        "$schema": "https://app.kilo.ai/config.json",
        "provider": {
            PROVIDER: {
                "npm": "@ai-sdk/openai-compatible",
                "name": PROVIDER,
                "options": {"baseURL": options.base_url, "apiKey": options.api_key},
                "models": {model_id: {"name": model_id, "tool_call": True}},
            }
        },
        "permission": {"webfetch": "deny"},
    }


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "TERM")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        NO_COLOR="1",
        **QUIET,
    )
    return env


def classify_error(text: str) -> str | None:
    if "unavailable tool" in text:
        return "unknown_tool"
    if "JSON parsing failed" in text:
        return "bad_json"
    if "Invalid input" in text or "invalid arguments" in text.lower():
        return "bad_args"
    return None


def read_events(lines: list[str], stats: AgentStats) -> str:
    """Fold Kilo's JSON events into the stats; return the text of the last step."""
    final: list[str] = []
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        kind, part = event.get("type"), event.get("part") or {}
        if kind == "step_start":
            final = []
        elif kind == "text":
            final.append(str(part.get("text", "")))
        elif kind == "tool_use":
            stats.tool_calls += 1
            state = part.get("state") or {}
            if state.get("status") == "error":
                malformed = classify_error(str(state.get("error", "")))
                if malformed:
                    stats.count_malformed(malformed)
        elif kind == "step_finish":
            stats.turns += 1
            tokens = part.get("tokens") or {}
            stats.prompt_tokens += int(tokens.get("input") or 0)
            stats.completion_tokens += int(tokens.get("output") or 0)
            stats.cached_tokens += int((tokens.get("cache") or {}).get("read") or 0)
    if stats.tool_calls == 0 and stats.turns:
        stats.count_malformed("no_tool_call")
    return "\n".join(final)


class KiloDriver:
    name = "kilo"
    version = KILO_VERSION

    def __init__(self, options: KiloOptions) -> None:
        self.options = options

    async def attempt(
        self, spec: AgentSpec, info: ModelInfo, provider: Provider | None = None
    ) -> AgentOutcome:
        stats = AgentStats(driver=self.name, driver_version=self.version, effort=self.options.variant)
        started = time.monotonic()
        async with Workspace(spec) as ws:
            with tempfile.TemporaryDirectory(prefix="benchroute-kilo-home-") as home_dir:
                home = Path(home_dir)
                (home / ".config" / "kilo").mkdir(parents=True)
                config = kilo_config(self.options, info.id)
                (home / ".config" / "kilo" / "kilo.json").write_text(json.dumps(config))
                lines, timed_out = await self._run(spec, info, home, ws.root)
            final = read_events(lines, stats)
            stats.wall_s = round(time.monotonic() - started, 3)
            _open_up(ws.root)
            result = await grade(spec, ws, final)
        if timed_out:
            stats.stop = "timeout"
            result = Grade(
                False, f"kilo did not finish within {self.options.wall_seconds:.0f}s", result.grader
            )
        elif not stats.turns:
            stats.stop = "client_error"
        return AgentOutcome(result, stats, final)

    async def _run(self, spec: AgentSpec, info: ModelInfo, home: Path, work: Path) -> tuple[list[str], bool]:
        binary = str(self.options.binary or default_kilo_bin())
        message = spec.instruction + (ANSWER_HINT if spec.grader_kind == "answer" else "")
        argv = [binary, "run", "--auto", "--format", "json", "--model", f"{PROVIDER}/{info.id}"]
        if self.options.variant:
            argv += ["--variant", self.options.variant]
        proc = await asyncio.create_subprocess_exec(
            *argv,
            message,
            env=_env(home),
            cwd=work,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        timed_out = False
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), self.options.wall_seconds)
        except TimeoutError:
            timed_out = True
            out = b""
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            if proc.returncode is None:
                await proc.wait()
        return out.decode(errors="replace").splitlines(), timed_out


def _open_up(root: Path) -> None:
    """Kilo writes as this uid; the graders run as the sandbox's: let them read and write.
    Symlinks are skipped: chmod would follow them out of the workspace (to an interpreter)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name, mode in [*((d, 0o777) for d in dirnames), *((f, 0o666) for f in filenames)]:
            path = Path(dirpath) / name
            if not path.is_symlink():
                with contextlib.suppress(OSError):
                    os.chmod(path, mode)
