"""Expected cost with reasoning effort (docs/routing.md, "Reasoning variants"): a variant bills its
base model's completion tokens times its effort factor unless a source measures its own, and every
figure that prices a request (candidates, the choice, the Frontier comparison) uses that estimate."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pytest
from policy_example import PROBS, catalog, request, snapshot, tiers

from benchroute.catalog.effort import EffortFactors
from benchroute.catalog.model import Catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.evidence import CellStats, Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.policy import PolicyTable, expected_cost
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, TierSettings

HIGH = 1.786  # the shipped "*" ladder's high (x/ is no family of its own)
FACTORS = EffortFactors(MappingProxyType({"*": MappingProxyType({"high": HIGH, "xhigh": 3.19})}))


def _variant(model: str, cell: str, a: float, lo: float, hi: float, tokens: float | None = None) -> CellStats:
    return CellStats(
        model, cell, 40, round(40 * a), mean_completion_tokens=tokens, estimate=a, low=lo, high=hi,
        agent_estimate=a, agent_low=lo, agent_high=hi, evidence_tasks=80,
    )  # fmt: skip


def with_big_high(tokens: float | None = None) -> Snapshot:
    """The worked example plus x/big@high, measured on both cells, more accurate than x/big."""
    return Snapshot.from_stats(
        [
            *snapshot(),
            _variant("x/big@high", "implement:medium", 0.90, 0.83, 0.95, tokens),
            _variant("x/big@high", "implement:easy", 0.97, 0.93, 0.99),
        ]
    )


def effort_catalog() -> Catalog:
    return Catalog(list(catalog()), effort=FACTORS)


def test_a_variant_bills_its_base_tokens_times_the_effort_factor() -> None:
    table = PolicyTable(with_big_high(), effort_catalog())
    p = table.vector(PROBS)
    sc = table.score(p, False, 1000)
    big, high = table.row["x/big"], table.row["x/big@high"]
    assert (sc.completion_tokens[big], sc.completion_tokens[high]) == (600, 1072)  # rint(600 * 1.786)
    assert sc.cost[big] == pytest.approx(0.012)
    assert sc.cost[high] == pytest.approx((1000 * 3.00 + 1072 * 15.00) / 1e6)  # $0.01908
    assert (sc.accuracy[high], sc.low[high], sc.high[high]) == pytest.approx((0.921, 0.86, 0.962))
    # the helper behind the Frontier comparison and Balanced prices the same tokens
    assert expected_cost(effort_catalog(), table, "x/big@high", p, 1000) == pytest.approx(sc.cost[high])
    assert table.expected_tokens("x/big@high", p) == 1072
    # without coding cells (or for a variant the snapshot lacks): the default times the factor
    assert table.expected_tokens("x/big@high", None) == 1072
    assert table.expected_tokens("x/big@xhigh", p) == round(600 * 3.19)
    empty = table.score(np.zeros(len(table.cells)), False, 1000)
    assert empty.completion_tokens[high] == 1072 and empty.cost[high] == pytest.approx(sc.cost[high])


def test_without_factors_a_variant_costs_what_its_base_costs() -> None:
    table = PolicyTable(with_big_high(), catalog())  # a Catalog built by hand: no factors
    sc = table.score(table.vector(PROBS), False, 1000)
    assert sc.cost[table.row["x/big@high"]] == sc.cost[table.row["x/big"]]


def test_a_variants_own_measured_tokens_win_and_a_measured_base_is_scaled() -> None:
    own = PolicyTable(with_big_high(tokens=2000.0), effort_catalog())
    row = own.tokens[own.row["x/big@high"]]
    assert row[own.index["implement:medium"]] == 2000.0  # its own
    assert row[own.index["implement:easy"]] == pytest.approx(600 * HIGH)  # no own tokens there
    stats = [
        replace(s, mean_completion_tokens=1000.0) if (s.model, s.cell) == ("x/big", "implement:easy") else s
        for s in with_big_high()
    ]
    scaled = PolicyTable(Snapshot.from_stats(stats), effort_catalog())
    cell = scaled.index["implement:easy"]
    assert scaled.tokens[scaled.row["x/big@high"], cell] == pytest.approx(1000 * HIGH)


def _router(cat: Catalog) -> Router:
    return Router(cat, with_big_high(), FakeClassifier.fixed(PROBS, 0.9), tiers())


def test_the_dial_pays_for_effort_only_where_the_bar_asks_for_it() -> None:
    """Priced like its base, x/big@high dominated x/big and took dial 0.75 at x/big's price; priced
    with its reasoning tokens, dial 0.75 keeps x/big and only dial 1 pays for the effort."""
    old = _router(catalog()).route(request(), ProjectSettings(dial=0.75), RouteContext())
    assert (old.model, old.reasoning_effort, old.expected_cost) == ("x/big", "high", pytest.approx(0.012))
    r = _router(effort_catalog())
    got = {dial: r.route(request(), ProjectSettings(dial=dial), RouteContext()) for dial in (0, 0.5, 0.75, 1)}
    assert [(d.model, d.reasoning_effort) for d in got.values()] == [
        ("x/small", None),
        ("x/upper", None),
        ("x/big", None),
        ("x/big", "high"),
    ]
    assert got[0.75].bar == pytest.approx(0.785) and got[1].bar == pytest.approx(0.86)
    assert got[0.75].expected_cost == pytest.approx(0.012)
    assert got[1].expected_cost == pytest.approx(0.01908)
    d = got[1]
    cands = {c.model: c for c in d.candidates}
    assert cands["x/big@high"].expected_cost == d.expected_cost  # the table and the choice agree
    assert cands["x/big"].expected_cost == pytest.approx(0.012)
    assert d.frontier_cost == pytest.approx(0.012)  # the Frontier model, x/big, at its own tokens
    assert "at 159% of the Frontier cost" in d.explanation  # 0.01908 / 0.012


def test_a_variant_as_the_frontier_model_is_priced_with_its_effort() -> None:
    frontier = TierSettings(
        balanced={"chat": "x/mid", "messages": "x/mid", "responses": "x/mid"},
        frontier={"reasoning": "x/big@high", "implementation": "x/big@high"},
    )
    r = Router(effort_catalog(), with_big_high(), FakeClassifier.fixed(PROBS, 0.9), frontier)
    d = r.route(request(), ProjectSettings(dial=0.75), RouteContext())
    assert d.model == "x/big" and d.reasoning_effort is None
    assert d.frontier_cost == pytest.approx(0.01908)
    f = r.route(request("auto/frontier"), ProjectSettings(), RouteContext())
    assert (f.model, f.reasoning_effort, f.expected_cost) == ("x/big", "high", pytest.approx(0.01908))
