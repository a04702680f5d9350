"""An agent's workspace: a throw-away sandbox directory holding the task's repository, with the
file operations the tools need (confined to the directory) and commands run under the sandbox's
limits (no network, CPU / memory / process / file-size / wall-time limits)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from benchroute.bench.agent.spec import AgentSpec, write_tree
from benchroute.bench.sandbox import Limits, Sandbox, SandboxResult

COMMAND_LIMITS = Limits(cpu_seconds=30, wall_seconds=60.0, memory_bytes=1024 * 1024 * 1024, processes=64)
MAX_READ = 60_000  # characters of a file shown to the agent
MAX_LISTED = 400
MAX_HITS = 100
SKIP_DIRS = frozenset({".git", "node_modules", "__pycache__", ".grade", ".benchroute"})
BIN_DIR = ".benchroute/bin"


class WorkspaceError(Exception):
    """A tool asked for something the workspace refuses (a path outside it, a missing file)."""


def sandbox_python() -> str:
    """The interpreter the sandboxed uid can run: as root the sandbox drops to `nobody`, who cannot
    read an interpreter under /root (pyenv), so the system's python3 is used there."""
    if os.geteuid() == 0 and shutil.which("setpriv"):
        return shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") or sys.executable
    return sys.executable


def _limits_for(language: str, base: Limits) -> Limits:
    # V8 reserves far more address space than it uses: node cannot start under RLIMIT_AS;
    # its heap is capped with --max-old-space-size instead (see `env`).
    return replace(base, memory_bytes=None) if language in ("javascript", "typescript") else base


class Workspace:
    """`async with Workspace(spec) as ws:` materialises the repository; leaving removes it."""

    def __init__(self, spec: AgentSpec, limits: Limits = COMMAND_LIMITS) -> None:
        self.spec = spec
        self.limits = _limits_for(spec.language, limits)
        self._box = Sandbox(prefix="benchroute-agent-")

    async def __aenter__(self) -> Workspace:
        await self._box.__aenter__()
        write_tree(self.root, self.spec.files)
        self._link_python()
        return self

    def _link_python(self) -> None:
        """`python` and `python3` on the sandbox's PATH (re-made before each command)."""
        bin_dir = self.root / BIN_DIR
        if bin_dir.is_symlink() or not bin_dir.is_dir():
            bin_dir.unlink(missing_ok=True)
            bin_dir.mkdir(parents=True, exist_ok=True)
        for name in ("python", "python3"):
            link = bin_dir / name
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)
            link.unlink(missing_ok=True)
            link.symlink_to(sandbox_python())

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._box.__aexit__(exc_type, exc, tb)

    @property
    def root(self) -> Path:
        return self._box.path

    def resolve(self, name: str) -> Path:
        """The path of `name` inside the workspace; anything that would leave it is refused."""
        if not name or "\x00" in name:
            raise WorkspaceError("empty or invalid path")
        root = self.root.resolve()
        target = (root / name.lstrip("/") if not Path(name).is_absolute() else Path(name)).resolve()
        if target != root and root not in target.parents:
            raise WorkspaceError(f"path {name!r} is outside the workspace")
        return target

    def read(self, name: str) -> str:
        path = self.resolve(name)
        if not path.is_file():
            raise WorkspaceError(f"no file {name!r}")
        text = path.read_text(encoding="utf-8", errors="replace")
        return text if len(text) <= MAX_READ else text[:MAX_READ] + "\n… (truncated)"

    def write(self, name: str, text: str) -> None:
        path = self.resolve(name)
        write_tree(self.root, {str(path.relative_to(self.root.resolve())): text})

    def files(self, under: str = ".") -> list[str]:
        base = self.resolve(under)
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for filename in sorted(filenames):
                if filename.startswith((".stdout.", ".stderr.")):
                    continue  # the sandbox's own capture files
                found.append(str((Path(dirpath) / filename).relative_to(self.root.resolve())))
        return found

    def search(self, pattern: str, under: str = ".") -> list[str]:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise WorkspaceError(f"bad regular expression: {exc}") from exc
        hits: list[str] = []
        for name in self.files(under):
            text = (self.root / name).read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), 1):
                if regex.search(line):
                    hits.append(f"{name}:{number}: {line[:200]}")
                    if len(hits) >= MAX_HITS:
                        return hits
        return hits

    def env(self) -> Mapping[str, str]:
        path = os.pathsep.join([str(self.root / BIN_DIR), os.environ.get("PATH", "/usr/bin:/bin")])
        return {"PATH": path, "NODE_OPTIONS": "--max-old-space-size=512", "CI": "1"}

    async def run(self, command: str, limits: Limits | None = None) -> SandboxResult:
        """A shell command in the workspace, under the sandbox limits."""
        self._link_python()
        return await self._box.run(["bash", "-c", command], limits or self.limits, env=self.env())

    async def run_argv(self, argv: list[str], limits: Limits | None = None) -> SandboxResult:
        """A grader's command: `python` is the interpreter itself, not whatever is on PATH."""
        self._link_python()
        if argv and argv[0] in ("python", "python3"):
            argv = [sandbox_python(), *argv[1:]]
        return await self._box.run(argv, limits or self.limits, env=self.env())
