"""Run untrusted code in a separate process: a temporary directory, resource limits, no network.

Each run gets its own process group (killed whole on timeout), CPU time / address space / file
size / process count limits (`resource.setrlimit` before exec), stdout and stderr written to files
inside the sandbox so RLIMIT_FSIZE caps them too, and a fresh network namespace with no interfaces
but a downed loopback (`unshare -n`). As root the code also drops to an unprivileged uid
(`setpriv`), because Linux does not apply RLIMIT_NPROC to root: without the drop a fork bomb
would not be contained.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

NOBODY = 65534
OUTPUT_TAIL = 16_384  # characters of stdout/stderr kept for reasons and judges


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one sandboxed process (and everything it starts)."""

    cpu_seconds: int = 10
    memory_bytes: int | None = 1024 * 1024 * 1024  # RLIMIT_AS; None for runtimes that map huge areas
    file_bytes: int = 16 * 1024 * 1024
    processes: int = 64  # RLIMIT_NPROC for the sandbox uid (threads count too)
    wall_seconds: float = 20.0
    network: bool = False
    drop_privileges: bool = True  # only meaningful as root


@dataclass(frozen=True, slots=True)
class SandboxResult:
    returncode: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False
    signal: str | None = None  # name of the signal that ended the process, if any
    network_isolated: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def describe(self) -> str:
        """A one-line reason for a failure (empty when the run succeeded)."""
        if self.timed_out:
            return f"timed out after {self.duration:.1f}s"
        if self.signal == "SIGXCPU":
            return "CPU time limit exceeded"
        if self.signal:
            return f"killed by {self.signal}"
        if self.returncode != 0:
            tail = (self.stderr.strip() or self.stdout.strip()).splitlines()[-3:]
            return f"exit status {self.returncode}: " + " | ".join(tail)[:300]
        return ""


@functools.cache
def _network_prefix() -> tuple[tuple[str, ...], bool]:
    """The command prefix that puts a process in an empty network namespace, probed once:
    where namespaces are not allowed (some containers), code runs without and results say so."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return (), False
    prefix = (unshare, "--net", "--") if os.geteuid() == 0 else (unshare, "--map-root-user", "--net", "--")
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False, timeout=10)
    return (prefix, True) if probe.returncode == 0 else ((), False)


def _privilege_prefix(limits: Limits) -> list[str]:
    if not limits.drop_privileges or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return []
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]


def _preexec(limits: Limits) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        cpu = limits.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if limits.memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _read_tail(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - OUTPUT_TAIL))
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class Sandbox:
    """A temporary directory to write files into and run commands in; removed on exit.

    ```python
    async with Sandbox() as box:
        box.write("main.py", code)
        result = await box.run([sys.executable, "main.py"], Limits(cpu_seconds=5))
    ```
    """

    def __init__(self, prefix: str = "benchroute-sandbox-") -> None:
        self._prefix = prefix
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._runs = 0

    @property
    def path(self) -> Path:
        if self._dir is None:
            raise RuntimeError("Sandbox used outside `async with`")
        return Path(self._dir.name)

    async def __aenter__(self) -> Sandbox:
        self._dir = tempfile.TemporaryDirectory(prefix=self._prefix)
        # the sandboxed uid must be able to create files here (compiled binaries, test output)
        os.chmod(self._dir.name, 0o777)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def write(self, name: str, text: str, mode: int = 0o644) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        os.chmod(target, mode)
        return target

    def _child_env(self, env: Mapping[str, str] | None) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.path),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            **(env or {}),
        }

    async def run(
        self,
        argv: Sequence[str],
        limits: Limits | None = None,
        *,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> SandboxResult:
        limits = limits or Limits()
        self._runs += 1
        out_path = self.path / f".stdout.{self._runs}"
        err_path = self.path / f".stderr.{self._runs}"
        prefix, isolated = ((), False) if limits.network else _network_prefix()
        command = [*prefix, *_privilege_prefix(limits), *argv]
        child_env = self._child_env(env)
        started = time.monotonic()
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=self.path,
                env=child_env,
                start_new_session=True,
                preexec_fn=_preexec(limits),
            )
            timed_out = await _feed_and_wait(proc, stdin, limits.wall_seconds)
        duration = time.monotonic() - started
        rc = proc.returncode
        sig = signal.Signals(-rc).name if rc is not None and rc < 0 and not timed_out else None
        return SandboxResult(
            returncode=rc,
            stdout=_read_tail(out_path),
            stderr=_read_tail(err_path),
            duration=duration,
            timed_out=timed_out,
            signal=sig,
            network_isolated=isolated,
        )


async def _feed_and_wait(proc: asyncio.subprocess.Process, stdin: bytes | None, wall_seconds: float) -> bool:
    """Write `stdin`, wait for the exit within `wall_seconds`; True when it timed out. The process
    group is killed either way."""
    try:
        if stdin is not None and proc.stdin is not None:
            proc.stdin.write(stdin)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await proc.stdin.drain()
            proc.stdin.close()
        await asyncio.wait_for(proc.wait(), timeout=wall_seconds)
        return False
    except TimeoutError:
        return True
    finally:
        # the whole group: also children the program left behind (or a fork bomb)
        _kill_group(proc.pid)
        if proc.returncode is None:
            await proc.wait()


async def run_python(code: str, limits: Limits | None = None) -> SandboxResult:
    """Run one Python program in a fresh sandbox."""
    async with Sandbox() as box:
        box.write("main.py", code)
        return await box.run([sys.executable, "-I", "main.py"], limits)
