"""Run `benchroute serve` with an event-loop lag probe (benchmark only; not part of the package).

    BENCHROUTE_LAG_FILE=/tmp/lag.txt python benchmarks/overhead/lagprobe.py serve

A timer scheduled every `INTERVAL` seconds records how late it fired (`loop.time()` against the
time it was due): the time a ready callback waited for the loop. Samples are appended to
`BENCHROUTE_LAG_FILE` as `wall_clock lag_ms` lines, written in one batch every half second (so
the probe costs ~200 timer callbacks and 2 small writes a second).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any

INTERVAL = 0.005


async def probe(path: str) -> None:
    lines: list[str] = []
    last_flush = time.perf_counter()
    with open(path, "a", encoding="ascii") as out:  # noqa: ASYNC230 (once, at start)
        while True:
            due = time.perf_counter() + INTERVAL  # uvloop's loop.time() counts whole milliseconds
            await asyncio.sleep(INTERVAL)
            now = time.perf_counter()
            lines.append(f"{time.time():.4f} {max(0.0, now - due) * 1000:.3f}\n")
            if now - last_flush >= 0.5:
                out.write("".join(lines))
                out.flush()
                lines.clear()
                last_flush = now


def main() -> None:
    import uvicorn

    path = os.environ["BENCHROUTE_LAG_FILE"]
    original = uvicorn.Server.startup
    tasks: list[asyncio.Task[None]] = []

    async def startup(self: Any, sockets: Any = None) -> None:
        tasks.append(asyncio.get_running_loop().create_task(probe(path)))
        await original(self, sockets)

    uvicorn.Server.startup = startup  # type: ignore[method-assign]
    from benchroute.cli.main import main as cli

    sys.argv = ["benchroute", *sys.argv[1:]]
    cli()


if __name__ == "__main__":
    main()
