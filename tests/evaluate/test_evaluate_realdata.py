"""Converters on the shared public data, and the router against the single-model hull on RouterBench."""

from __future__ import annotations

import random
from pathlib import Path

from benchroute.evaluate.datasets import CONVERTERS, llmrouter, routellm_mtbench, routerarena, routerbench
from benchroute.evaluate.outcomes import OutcomeMatrix, OutcomeRecord
from benchroute.evaluate.run import fit_and_choose, score


def test_converters_produce_outcome_records(shared_data: Path) -> None:
    rb = routerbench(shared_data / "routerbench_subset_routerdc")
    assert len(rb) == 3050
    assert len({r.id for r in rb}) == len(rb)  # ids repeated across the source's splits are made unique
    m = OutcomeMatrix.from_records(rb)
    assert len(m.models) == 11 and m.mask.mean() > 0.99
    assert (m.filled_costs() > 0).all()
    assert len(OutcomeMatrix.from_records(llmrouter(shared_data / "llmrouter_ulab")).models) == 9
    arena = routerarena(shared_data / "routerarena_cached")
    assert len(arena) == 809 and all(len(r.outcomes) == 2 for r in arena)
    mt = routellm_mtbench(shared_data / "routellm_evals")
    assert len(mt) == 160 and all(0.0 <= o.score <= 1.0 for r in mt for o in r.outcomes.values())
    assert set(CONVERTERS) == {
        "routerbench_subset_routerdc",
        "llmrouter_ulab",
        "routerarena_cached",
        "routellm_evals",
    }


def test_router_beats_single_model_hull_on_routerbench_slice(shared_data: Path) -> None:
    records = routerbench(shared_data / "routerbench_subset_routerdc")
    random.Random(7).shuffle(records)
    train, test = records[:800], records[800:1100]
    choices = fit_and_choose(train, [OutcomeRecord(id=r.id, text=r.text) for r in test], seed=0)
    report = score(choices, test)
    assert report is not None
    hull = report.auc["single_model_hull"]
    assert report.auc["router"] > hull, report.auc
    # the most accurate point is at least as good as the best single model's quality, minus noise
    assert max(p.quality for p in report.router) >= report.best_single.quality - 0.02
