"""Converters on the shared public data, and the router against the single-model hull on RouterBench."""

from __future__ import annotations

from pathlib import Path

from benchroute.evaluate.datasets import (
    DATASETS,
    llmrouter,
    load,
    routellm_mmlu,
    routellm_mtbench,
    routerarena,
    routerbench,
)
from benchroute.evaluate.outcomes import OutcomeMatrix


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
    assert set(DATASETS) == {
        "routerbench_subset_routerdc",
        "llmrouter_ulab",
        "routerarena_cached",
        "routellm_evals",
        "routellm_gsm8k",
        "routellm_mmlu",
    }


def test_routellm_gsm8k_and_mmlu_keep_the_source_accuracies(shared_data: Path) -> None:
    gsm = load("routellm_gsm8k", shared_data)
    assert len(gsm) == 1319 and all(len(r.outcomes) == 2 for r in gsm)
    g = OutcomeMatrix.from_records(gsm)
    strong = g.models.index("gpt-4-1106-preview")
    weak = g.models.index("mistralai/Mixtral-8x7B-Instruct-v0.1")
    # the source's README: GPT-4 85.7%, Mixtral 63.8% on GSM8K
    assert round(float(g.scores[:, strong].mean()), 3) == 0.857
    assert round(float(g.scores[:, weak].mean()), 3) == 0.638
    # cost follows the answer's length: GPT-4's calls cost more, and not all the same
    assert g.costs[:, strong].mean() > 10 * g.costs[:, weak].mean() and g.costs[:, strong].std() > 0
    mmlu = routellm_mmlu(shared_data / "routellm_evals")
    assert len(mmlu) == 14042 and len({r.task_type for r in mmlu}) == 57
    assert len({r.id for r in mmlu}) == len(mmlu)
