"""Property: over the shipped catalog and evidence, for any project limited to 5 or more current
models with evidence, the dial is monotone (cost and expected accuracy never go down as it goes
up) and spans the range (dial 1 is the most accurate eligible model; dial 0 and 1 differ wherever
the evidence separates a cheaper proven model from the most accurate one)."""

from __future__ import annotations

from functools import cache

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_example import request

from benchroute.catalog.loader import load_catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.evidence import load_default_snapshot
from benchroute.routing.policy import PolicyTable, frontier
from benchroute.routing.router import Router
from benchroute.routing.taxonomy import CODING_ROUTES, DIFFICULTIES, cell
from benchroute.settings import ProjectSettings

DIALS = (0.0, 0.25, 0.5, 0.75, 1.0)


class Probe:
    """A classifier whose answer the test sets (one Router serves every example)."""

    def __init__(self) -> None:
        self.probs: dict[str, float] = {}

    def classify(self, request: object) -> CellPrediction:
        return CellPrediction(dict(self.probs), 0.95)


@cache
def router() -> tuple[Router, Probe]:
    probe = Probe()
    return Router(load_catalog(), load_default_snapshot(), probe), probe


@cache
def shipped() -> tuple[PolicyTable, tuple[str, ...]]:
    table = PolicyTable(load_default_snapshot(), load_catalog())
    # current models: measured on at least one route a benchmark covers, no variant id
    measured = table.measured[:, [table.index[cell(r, "medium")] for r in sorted(table.direct_routes)]]
    ids = tuple(m for i, m in enumerate(table.models) if measured[i].any() and "@" not in m)
    return table, ids


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[str], dict[str, float], bool]:
    _, ids = shipped()
    allowed = draw(st.lists(st.sampled_from(ids), min_size=5, max_size=12, unique=True))
    route = draw(st.sampled_from(CODING_ROUTES))
    levels = draw(st.lists(st.sampled_from(DIFFICULTIES), min_size=1, max_size=3, unique=True))
    probs = {cell(route, d): 1.0 / len(levels) for d in levels}
    return allowed, probs, draw(st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_dial_is_monotone_and_spans_the_range(case: tuple[list[str], dict[str, float], bool]) -> None:
    allowed, probs, tools = case
    r, probe = router()
    probe.probs = probs
    decisions = [
        r.route(request(tools=tools), ProjectSettings(dial=d, allowed_models=allowed), RouteContext())
        for d in DIALS
    ]
    if any(d.reason not in ("cheapest_above_bar", "best_accuracy") for d in decisions):
        assert all(d.reason == decisions[0].reason and d.model == decisions[0].model for d in decisions)
        return
    ids = [d.model + (f"@{d.reasoning_effort}" if d.reasoning_effort else "") for d in decisions]
    acc = [
        next(c.expected_accuracy for c in d.candidates if c.model == i)
        for d, i in zip(decisions, ids, strict=True)
    ]
    cost = [d.expected_cost for d in decisions]
    for a, b in zip(range(len(DIALS)), range(1, len(DIALS)), strict=False):
        assert acc[b] >= acc[a] - 1e-9 and cost[b] >= cost[a] - 1e-12, (
            allowed,
            probs,
            decisions[a].model,
            decisions[b].model,
        )
    eligible = [c for c in decisions[-1].candidates if c.eligible]
    assert acc[-1] == max(c.expected_accuracy for c in eligible)  # dial 1: the most accurate
    # dial 0 and dial 1 differ wherever a cheaper model on the cost/accuracy frontier is proven
    # above the floor on its lower end (a variant is its own model: it bills its reasoning tokens)
    a_ = np.array([c.expected_accuracy or 0.0 for c in eligible])
    c_ = np.array([c.expected_cost or 0.0 for c in eligible])
    low = np.array([c.low or 0.0 for c in eligible])
    front = frontier(np.ones(len(eligible), dtype=bool), a_, c_)
    floor = decisions[0].bar or 0.0
    separated = front & (low >= floor - 1e-9) & (c_ < cost[-1] - 1e-12)
    if separated.any():
        assert ids[0] != ids[-1] and cost[0] < cost[-1]
