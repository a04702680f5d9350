"""Run `benchroute serve` with an event-loop lag probe (benchmark only; not part of the package).

    BENCHROUTE_LAG_FILE=/tmp/lag.txt python benchmarks/overhead/lagprobe.py serve

A timer scheduled every `INTERVAL` seconds records how late it fired (`time.perf_counter()`
against the time it was due): the time a ready callback waited for the loop. Samples are appended
to `BENCHROUTE_LAG_FILE` as `wall_clock lag_ms wait_ms` lines, written in one batch every half
second (so the probe costs ~200 timer callbacks and 2 small writes a second).

`wait_ms` is how long the loop's thread sat on a run queue, runnable but without a CPU, during the
same interval (the kernel's `/proc/thread-self/schedstat`): on a machine shared with other jobs,
`lag - wait` is the part of the lag the gateway's own work (its callbacks, its other threads
holding the GIL, its garbage collections) can explain; the rest is the machine.

Garbage collections are logged to `BENCHROUTE_LAG_FILE.gc` as `wall_clock generation pause_ms`.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from typing import Any

INTERVAL = 0.005
SCHEDSTAT = "/proc/thread-self/schedstat"


def _waited(fd: int | None) -> float:
    """Nanoseconds this thread has waited on a run queue so far (0 without schedstat)."""
    if fd is None:
        return 0.0
    return float(os.pread(fd, 128, 0).split()[1])


async def probe(path: str) -> None:
    lines: list[str] = []
    last_flush = time.perf_counter()
    try:
        fd: int | None = os.open(SCHEDSTAT, os.O_RDONLY)  # opened in the loop's thread: its own stats
    except OSError:
        fd = None
    with open(path, "a", encoding="ascii") as out:  # noqa: ASYNC230 (once, at start)
        while True:
            due = time.perf_counter() + INTERVAL  # uvloop's loop.time() counts whole milliseconds
            waited = _waited(fd)
            await asyncio.sleep(INTERVAL)
            now = time.perf_counter()
            wait_ms = (_waited(fd) - waited) / 1e6
            lines.append(f"{time.time():.4f} {max(0.0, now - due) * 1000:.3f} {wait_ms:.3f}\n")
            if now - last_flush >= 0.5:
                out.write("".join(lines))
                out.flush()
                lines.clear()
                last_flush = now


def watch_gc(path: str) -> None:
    """Log every collection's generation and pause to `path` (in memory, flushed every 64)."""
    out = open(path, "a", encoding="ascii")
    lines: list[str] = []
    started = [0.0]

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        lines.append(
            f"{time.time():.4f} {info['generation']} {(time.perf_counter() - started[0]) * 1000:.3f}\n"
        )
        if len(lines) >= 64 or info["generation"] == 2:
            out.write("".join(lines))
            out.flush()
            lines.clear()

    gc.callbacks.append(callback)


def main() -> None:
    import uvicorn

    path = os.environ["BENCHROUTE_LAG_FILE"]
    original = uvicorn.Server.startup
    tasks: list[asyncio.Task[None]] = []

    async def startup(self: Any, sockets: Any = None) -> None:
        tasks.append(asyncio.get_running_loop().create_task(probe(path)))
        await original(self, sockets)

    uvicorn.Server.startup = startup  # type: ignore[method-assign]
    watch_gc(path + ".gc")
    from benchroute.cli.main import main as cli

    sys.argv = ["benchroute", *sys.argv[1:]]
    cli()


if __name__ == "__main__":
    main()
