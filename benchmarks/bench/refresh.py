"""What the gateway's leaderboard refresh costs, by number of stored bench results (SQLite).

    PYTHONPATH=src python benchmarks/bench/refresh.py --results 1000 10000 50000

Per size prints: the poll when nothing changed (read every result, compare the stamp), a rebuild
(read + aggregate + merge over the shipped default), and swapping the snapshot into the shipped
Router (`with_snapshot`), as the median of a few runs in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchroute.bench.refresh import LeaderboardSource, base_snapshot
from benchroute.routing.router import Router
from benchroute.routing.taxonomy import ALL_CELLS
from benchroute.settings import Settings
from benchroute.store.base import BenchResult
from benchroute.store.factory import started_store


def results(n: int, models: list[str]) -> list[BenchResult]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        cell = ALL_CELLS[i % len(ALL_CELLS)]
        task_type, _, difficulty = cell.partition(":")
        out.append(
            BenchResult(
                run_id="bench",
                suite="synthetic",
                task_id=f"t{i // len(models)}",
                model=models[i % len(models)],
                provider="x",
                task_type=task_type,
                difficulty=difficulty,
                score=float(i % 3 == 0),
                passed=i % 3 == 0,
                prompt_tokens=300,
                completion_tokens=200,
                cost_usd=0.001,
                latency_ms=900.0,
                time=start + timedelta(seconds=i),
            )
        )
    return out


async def timed(fn: Callable[[], Awaitable[object]], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


async def measure(n: int, router: Router) -> None:
    models = router.snapshot.models()[:10]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), store={"url": f"sqlite:///{tmp}/bench.db"})
        async with started_store(settings) as store:
            rows = results(n, models)
            for i in range(0, n, 5000):
                await store.write_bench_results(rows[i : i + 5000])
            source = LeaderboardSource(store, router.snapshot)
            await source.refresh()
            unchanged = await timed(source.refresh)
            rebuild = await timed(lambda: source.refresh(force=True))
            t = time.perf_counter()
            for _ in range(20):
                router.with_snapshot(source.snapshot)
            swap = (time.perf_counter() - t) * 1000 / 20
    line = f"{n:>8} results: poll (unchanged) {unchanged:8.1f} ms   rebuild {rebuild:8.1f} ms"
    print(f"{line}   swap {swap:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=int, nargs="+", default=[1000, 10000, 50000])
    args = parser.parse_args()
    settings = Settings()
    router = Router.from_settings(settings).with_snapshot(base_snapshot(settings))
    for n in args.results:
        asyncio.run(measure(n, router))


if __name__ == "__main__":
    main()
