"""`benchroute serve --workers N`: N gateway processes accepting on one listening socket, for when
one core is not enough (docs/operations.md, "More than one core").

The socket is bound once, then N processes are forked; each builds its own app and serves the
socket with uvicorn. Whatever must hold across them is what already holds across replicas:
PostgreSQL (usage, keys, settings) and Redis (sessions, rate limits, budgets, cooldowns). Each
worker writes its usage write-ahead and spill files to its own `data_dir/workers/<i>`, replayed by
worker <i> on the next start; the BYOK server secret is resolved once and shared.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Callable
from pathlib import Path

from benchroute.settings import ServerSettings, Settings

WORKERS_DIR = "workers"


def worker_problems(settings: Settings) -> list[str]:
    """Why `settings` cannot run more than one worker ([] when they can): state that lives in one
    process would be split between the workers."""
    problems: list[str] = []
    if not settings.store_url.startswith("postgresql"):
        problems.append(
            "usage, keys and settings are in SQLite, which one process writes: "
            'set store.url = "postgresql+asyncpg://user@host/db" (BENCHROUTE_STORE__URL)'
        )
    if not settings.store.redis_url:
        problems.append(
            "sessions, rate limits, budgets and cooldowns are in process memory, so each worker "
            'would keep its own: set store.redis_url = "redis://host:6379/0" (BENCHROUTE_STORE__REDIS_URL)'
        )
    return problems


def worker_dir(settings: Settings, index: int) -> Path:
    return Path(settings.data_dir) / WORKERS_DIR / str(index)


def unreplayed(settings: Settings, workers: int) -> list[Path]:
    """Data dirs of workers numbered `workers` or above (an earlier run had more) that still hold
    usage records to replay: only a worker with that number replays them."""
    root = Path(settings.data_dir) / WORKERS_DIR
    if not root.is_dir():
        return []
    out: list[Path] = []
    for path in sorted(root.iterdir()):
        if not path.name.isdigit() or int(path.name) < workers:
            continue
        if any((path / "usage-wal").glob("*.jsonl")) or _non_empty(path / "usage-spill.jsonl"):
            out.append(path)
    return out


def _non_empty(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def worker_settings(settings: Settings, index: int, secret: str) -> Settings:
    """Worker `index`'s settings: its own data dir, the shared server secret."""
    server = ServerSettings.model_validate({**settings.server.model_dump(), "secret": secret})
    return settings.model_copy(update={"data_dir": worker_dir(settings, index), "server": server})


def run_workers(count: int, serve_one: Callable[[int], None]) -> int:
    """Fork `count` processes, each running `serve_one(its index)`; forward SIGINT / SIGTERM to
    them and wait. When one exits with an error the others are stopped too (a supervisor then
    restarts the whole gateway) and its exit code is returned. Stopped by a signal, the process
    re-raises it once every worker has stopped, like a single uvicorn process."""
    pids: dict[int, int] = {}
    for index in range(count):
        pid = os.fork()
        if pid == 0:  # the worker: its own process group, so Ctrl+C reaches it once (forwarded)
            code = 1
            try:
                os.setpgid(0, 0)
                serve_one(index)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        pids[pid] = index

    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        for pid in pids:
            _kill(pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    status = 0
    while pids:
        pid, raw = os.wait()
        if pids.pop(pid, None) is None:
            continue
        code = os.waitstatus_to_exitcode(raw)
        if code != 0 and -code not in received and status == 0:
            status = code if code > 0 else 128 - code  # a worker failed: stop the others
            forward(signal.SIGTERM, None)
    if received and status == 0:
        # Stopped by a signal, after every worker shut down gracefully: exit by that signal, as
        # one uvicorn process does (it re-raises the signal it caught once it has stopped).
        signal.signal(received[0], signal.SIG_DFL)
        signal.raise_signal(received[0])
    return status


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
