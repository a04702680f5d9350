"""The current leaderboard: bench results from the store, aggregated and merged over a base snapshot.

The base is what the router started with: the configured `leaderboard` file, else the shipped
default. `LeaderboardSource.refresh()` re-reads the store's bench results and rebuilds the snapshot
only when they changed (their count or the newest result's time), so polling it is cheap when
nothing new was run: on the SQL stores that check is one aggregate query (`stored_stamp`), on others
it reads the results. The gateway polls it and swaps the new snapshot into its router.

    source = LeaderboardSource(store, base_snapshot(settings))
    if await source.refresh():
        engine = engine.with_snapshot(source.snapshot)
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from benchroute.bench.agent.evidence import agent_section, malformed_rates
from benchroute.bench.aggregate import MergeMode, aggregate, merge, observations, snapshot_from_results
from benchroute.leaderboard.build import fitted_from, refit
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.routing.taxonomy import split_cell
from benchroute.settings import Settings
from benchroute.store.base import BenchResult, Store


@dataclass(frozen=True, slots=True)
class ResultsStamp:
    """What identifies a set of stored bench results cheaply: how many, and the newest one's time."""

    count: int
    newest: datetime | None

    @classmethod
    def of(cls, results: Sequence[BenchResult]) -> ResultsStamp:
        return cls(len(results), max((r.time for r in results), default=None))

    def to_dict(self) -> dict[str, object]:
        return {"count": self.count, "newest": self.newest.isoformat() if self.newest else None}


def base_snapshot(settings: Settings) -> Snapshot:
    """The snapshot bench results are merged over: the configured file, else the shipped default
    (an empty snapshot if neither can be read, so the bench results alone still count)."""
    from benchroute.leaderboard.loader import load_default_snapshot, load_snapshot

    try:
        return load_snapshot(settings.leaderboard) if settings.leaderboard else load_default_snapshot()
    except (OSError, ValueError):
        return Snapshot()


def build_snapshot(
    results: Sequence[BenchResult], base: Snapshot, *, mode: MergeMode = "prefer_bench"
) -> Snapshot:
    """The evidence with the bench results in it (pure).

    Over a fitted base (the shipped leaderboard carries its observations) the results are fitted
    together with the base's observations: one scale, intervals, agent results through the fit's
    agent term (`leaderboard.build.refit`). Over a raw base they are aggregated per (model, cell),
    single-turn and agent kept apart, and merged (`mode`). Either way the snapshot carries the
    per-model malformed-tool-call rate of the agent results (the router's capability signal)."""
    malformed = malformed_rates(results)
    extra = observations(results)
    basis = fitted_from(base)
    if extra and basis is not None:
        built = refit(base, extra, created=base.created, description=f"{base.description} + bench results")
        shipped = {(o.model, o.route) for o in basis[0]}
        snap = replace(built, cells=_with_raw(built.cells, results, shipped))
    else:
        snap = merge(snapshot_from_results(results), base, mode=mode)
    return replace(snap, malformed={**base.malformed, **malformed})


POOL_RUN = re.compile(r"^pool-(?P<project>.+)-\d{8}$")  # the run ids of `benchroute bench pool`


def pool_project(run_id: str) -> str | None:
    """The project a `bench pool` run measured for (run id pool-<project>-<UTC date>), else None."""
    match = POOL_RUN.match(run_id)
    return match.group("project") if match else None


def build_snapshots(
    results: Sequence[BenchResult], base: Snapshot, *, mode: MergeMode = "prefer_bench"
) -> tuple[Snapshot, dict[str, Snapshot]]:
    """The shared snapshot (every result but the projects' pool runs) and, per project with pool
    results, the shared evidence with that project's pool results in it (pure)."""
    shared: list[BenchResult] = []
    pools: dict[str, list[BenchResult]] = {}
    for r in results:
        project = pool_project(r.run_id)
        if project is None:
            shared.append(r)
        else:
            pools.setdefault(project, []).append(r)
    overlays = {p: build_snapshot([*shared, *own], base, mode=mode) for p, own in sorted(pools.items())}
    return build_snapshot(shared, base, mode=mode), overlays


def _with_raw(
    cells: dict[tuple[str, str], CellStats], results: Sequence[BenchResult], shipped: set[tuple[str, str]]
) -> dict[tuple[str, str], CellStats]:
    """Fitted cells with the bench's raw numbers per cell (trials and successes over both settings,
    tokens, latency, cost, sources). Where a route's evidence is bench results only, a cell counts
    the tasks run on that cell (none where none were run), as a raw bench cell does; where the route
    also has shipped evidence, the fitted cell keeps its route total."""
    raw = {(s.model, s.cell): s for s in aggregate(results, setting="all")}
    out = dict(cells)
    for key, cell in cells.items():
        r = raw.get(key)
        if (cell.model, split_cell(cell.cell)[0]) in shipped:
            if r is not None:
                out[key] = replace(
                    cell,
                    mean_prompt_tokens=r.mean_prompt_tokens,
                    mean_completion_tokens=r.mean_completion_tokens,
                    latency_ms=r.latency_ms,
                )
            continue
        if r is None:
            out[key] = replace(cell, trials=0.0, successes=0.0, mean_cost=None, sources=(), last_run=None)
            continue
        out[key] = replace(
            cell,
            trials=r.trials,
            successes=r.successes,
            mean_cost=r.mean_cost,
            mean_prompt_tokens=r.mean_prompt_tokens,
            mean_completion_tokens=r.mean_completion_tokens,
            latency_ms=r.latency_ms,
            sources=r.sources,
            last_run=r.last_run,
        )
    for key, r in raw.items():  # cells the fit does not estimate (not about code): raw, as shown
        out.setdefault(key, r)
    return out


async def stored_stamp(store: Store) -> ResultsStamp | None:
    """The stamp of the stored results from one `count(*), max(time)` query when `store` is the SQL
    backend (reading 10,000 results instead takes ~0.4 s of the event loop); None for other stores.
    The Store protocol has no such method: this reads the shared schema, never writes."""
    from benchroute.store.sql import SqlStore

    if not isinstance(store, SqlStore):
        return None
    import sqlalchemy as sa

    from benchroute.store import schema

    stmt = sa.select(sa.func.count(), sa.func.max(schema.bench_results.c.time))
    async with store.engine.connect() as conn:
        count, newest = (await conn.execute(stmt)).one()
    return ResultsStamp(int(count), newest)


class LeaderboardSource:
    """Holds the current snapshot (and one per project with `bench pool` results); `refresh()`
    rebuilds them when the stored results changed.

    Refreshes are serialised (the periodic one and one asked for over HTTP never interleave).
    Until the first refresh the snapshot is `base`.
    """

    def __init__(self, store: Store, base: Snapshot, *, mode: MergeMode = "prefer_bench") -> None:
        self.store = store
        self.base = base
        self.mode: MergeMode = mode
        self.snapshot = base
        self.project_snapshots: dict[str, Snapshot] = {}  # per project with pool results
        self.agents: dict[str, Any] = {}  # the agent results per driver (agent_section)
        self.stamp: ResultsStamp | None = None
        self.refreshed: datetime | None = None  # when the snapshot was last rebuilt
        self.checked: datetime | None = None  # when the store was last looked at
        self._lock = asyncio.Lock()

    async def refresh(self, *, force: bool = False) -> bool:
        """Re-read the bench results; True when the snapshot was rebuilt (they changed, or `force`)."""
        async with self._lock:
            quick = await stored_stamp(self.store)
            self.checked = datetime.now(UTC)
            if not force and quick is not None and quick == self.stamp:
                return False
            results = await self.store.list_bench_results()
            stamp = ResultsStamp.of(results)  # of exactly what is built (more may have come meanwhile)
            if not force and stamp == self.stamp:
                return False
            # Aggregation is pure CPU work: keep it off the event loop that serves requests.
            self.snapshot, self.project_snapshots = await asyncio.to_thread(
                build_snapshots, results, self.base, mode=self.mode
            )
            self.agents = await asyncio.to_thread(agent_section, results)
            self.stamp = stamp
            self.refreshed = self.checked
            return True
