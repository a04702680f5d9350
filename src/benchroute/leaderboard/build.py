"""A fitted measurement model as a leaderboard snapshot: one CellStats per (model, route:difficulty).

Used by scripts/build_leaderboard.py for the shipped snapshot and by `benchroute evaluate`, which
builds its evidence from training outcomes the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from benchroute.leaderboard.fit import Estimate, Fit, Observation, Priors, estimates, fit
from benchroute.routing.evidence import CellStats, Snapshot
from benchroute.routing.taxonomy import cell


def _r(value: float) -> float:
    return round(value, 4)


def snapshot_from_fit(
    result: Fit, observations: Sequence[Observation], *, created: str = "", description: str = ""
) -> Snapshot:
    """Every model's estimate on every coding cell, with the raw evidence of its route."""
    raw: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    total: dict[str, float] = defaultdict(float)
    for o in observations:
        raw[(o.model, o.route)].append(o)
        total[o.model] += o.n
    pairs: dict[tuple[str, str], dict[bool, Estimate]] = defaultdict(dict)
    for e in estimates(result):
        pairs[(e.model, cell(e.route, e.difficulty))][e.agent] = e
    stats: list[CellStats] = []
    for (model, cell_id), by_setting in sorted(pairs.items()):
        single, agent = by_setting[False], by_setting[True]
        rows = raw.get((model, single.route), [])
        costs = [o.cost_per_task for o in rows if o.cost_per_task is not None]
        dates = [o.date for o in rows if o.date]
        stats.append(
            CellStats(
                model=model,
                cell=cell_id,
                trials=float(sum(o.n for o in rows)),
                successes=round(float(sum(o.k for o in rows)), 3),
                mean_cost=round(sum(costs) / len(costs), 4) if costs else None,
                sources=tuple(sorted(o.source for o in rows)),
                last_run=max(dates) if dates else None,
                estimate=_r(single.estimate),
                low=_r(single.low),
                high=_r(single.high),
                agent_estimate=_r(agent.estimate),
                agent_low=_r(agent.low),
                agent_high=_r(agent.high),
                evidence_tasks=float(total[model]),
            )
        )
    basis = {"priors": asdict(result.priors), "observations": [asdict(o) for o in observations]}
    return Snapshot.from_stats(stats, created, description, fit=basis)


def fitted_from(snapshot: Snapshot) -> tuple[list[Observation], Priors] | None:
    """The observations and priors a fitted snapshot was built from (None for a raw snapshot)."""
    if not snapshot.fit:
        return None
    names = {f.name for f in fields(Observation)}
    obs = [
        Observation(**{k: v for k, v in row.items() if k in names}) for row in snapshot.fit["observations"]
    ]
    priors: dict[str, Any] = snapshot.fit.get("priors") or {}
    return obs, Priors(**{k: float(v) for k, v in priors.items() if k in {f.name for f in fields(Priors)}})


def refit(
    base: Snapshot, extra: Sequence[Observation], *, created: str = "", description: str = ""
) -> Snapshot:
    """`base`'s observations plus `extra`, fitted again at `base`'s priors: new results (bench runs,
    agent runs) land on the same scale as everything the base was built from. `base` must be fitted."""
    basis = fitted_from(base)
    if basis is None:
        raise ValueError("the base snapshot carries no fit to extend")
    obs, priors = basis
    every = [*obs, *extra]
    return snapshot_from_fit(fit(every, priors), every, created=created, description=description)
