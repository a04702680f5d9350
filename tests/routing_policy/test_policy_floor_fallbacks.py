"""One floor for every client, and fallbacks that stay near the chosen model."""

from __future__ import annotations

import pytest
from policy_example import PROBS, catalog, request, snapshot
from test_policy_explanations import sweep

from benchroute.routing.base import RouteContext
from benchroute.routing.decision import Candidate
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, TierSettings

SPLIT = TierSettings(
    balanced={"chat": "x/mid", "messages": "x/big", "responses": "x/big"},
    frontier={"reasoning": "x/big", "implementation": "x/big"},
)


def test_the_floor_does_not_depend_on_the_api_kind() -> None:
    r = Router(catalog(), snapshot(), FakeClassifier.fixed(PROBS, 0.9), SPLIT)
    by_kind = {
        kind: r.route(request(api_kind=kind), ProjectSettings(dial=0), RouteContext())
        for kind in ("chat", "messages", "responses")
    }
    assert [(d.model, d.bar) for d in by_kind.values()] == [("x/small", pytest.approx(0.56))] * 3
    # The Balanced model per API kind still serves what the policy does not decide.
    prose = Router(
        catalog(), snapshot(), FakeClassifier.fixed({"general:easy": 0.7, "implement:easy": 0.3}), SPLIT
    )
    assert prose.route(request(api_kind="messages"), ProjectSettings(), RouteContext()).model == "x/big"
    assert prose.route(request(api_kind="chat"), ProjectSettings(), RouteContext()).model == "x/mid"


def dominated(c: Candidate, eligible: list[Candidate]) -> bool:
    a, k = c.expected_accuracy or 0.0, c.expected_cost or 0.0
    return any(
        (o.expected_cost or 0.0) <= k
        and (o.expected_accuracy or 0.0) >= a
        and ((o.expected_cost or 0.0) < k or (o.expected_accuracy or 0.0) > a)
        for o in eligible
    )


def test_fallbacks_are_never_dominated_and_start_next_to_the_choice() -> None:
    for _, d in sweep():
        if d.reason not in ("cheapest_above_bar", "best_accuracy"):
            continue
        eligible = [c for c in d.candidates if c.eligible]
        for f in d.fallbacks:
            variants = [c for c in eligible if c.model.split("@")[0] == f]
            assert not variants or not all(dominated(c, eligible) for c in variants), (d.model, f)
        acc = {
            c.model.split("@")[0]: c.expected_accuracy or 0.0 for c in eligible if not dominated(c, eligible)
        }
        chosen = max(c.expected_accuracy or 0.0 for c in eligible if c.model.split("@")[0] == d.model)
        near = [f for f in d.fallbacks if f in acc]
        if len(near) >= 2:
            assert abs(acc[near[0]] - chosen) <= abs(acc[near[1]] - chosen) + 1e-9, (d.model, d.fallbacks)
