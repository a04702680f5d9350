"""docs/routing.md, "Worked example", reproduced number for number."""

from __future__ import annotations

import pytest
from policy_example import PROBS, catalog, request, router, snapshot

from benchroute.routing.base import RouteContext
from benchroute.routing.policy import PolicyTable, estimate_prompt_tokens
from benchroute.settings import ProjectSettings


def test_prompt_tokens_from_request_length() -> None:
    assert estimate_prompt_tokens(request()) == 1000


def test_smoothed_accuracy_and_A() -> None:
    table = PolicyTable(snapshot(), catalog())
    p = table.vector(PROBS)
    overall = dict(zip(table.models, table.overall, strict=True))
    assert overall["x/small"] == pytest.approx(0.775)
    i, j = table.row["x/small"], table.index["implement:medium"]
    assert table.phat[i, j] == pytest.approx(0.675)  # (26 + 10*0.775) / (40 + 10)
    scored = {s.model: s for s in table.score_all(p, 1000)}
    expected = {  # A(m), coverage, completion tokens, cost
        "x/tiny": (0.387, 1.0, 790, 0.0000595),
        "x/nodata": (0.95, 0.3, 790, 0.000129),
        "x/small": (0.735, 1.0, 620, 0.000348),
        "x/mid": (0.668, 1.0, 790, 0.00208),
        "x/upper": (0.834, 1.0, 790, 0.00416),
        "x/big": (0.884, 1.0, 960, 0.0174),
    }
    for model, (acc, cov, toks, cost) in expected.items():
        s = scored[model]
        assert s.accuracy == pytest.approx(acc), model
        assert s.coverage == pytest.approx(cov), model
        assert s.completion_tokens == toks, model
        assert s.cost == pytest.approx(cost), model
        assert s.cost == pytest.approx(catalog().get(model).cost(1000, toks))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("dial", "model", "bar", "cost", "reason", "fallbacks"),
    [
        (0.0, "x/small", 0.668, 0.000348, "cheapest_above_bar", ("x/mid", "x/upper")),
        (0.5, "x/upper", 0.776, 0.00416, "cheapest_above_bar", ("x/big", "x/mid")),
        (1.0, "x/big", 0.884, 0.0174, "best_accuracy", ("x/mid",)),
    ],
)
def test_decisions_by_dial(
    dial: float, model: str, bar: float, cost: float, reason: str, fallbacks: tuple[str, ...]
) -> None:
    d = router().route(request(), ProjectSettings(dial=dial), RouteContext())
    assert d.model == model
    assert d.reason == reason
    assert d.bar == pytest.approx(bar)
    assert d.expected_cost == pytest.approx(cost)
    assert d.fallbacks == fallbacks
    assert d.frontier_model == "x/big"
    assert d.frontier_cost == pytest.approx(0.0174)
    assert d.tier == "auto/efficient"
    assert d.session_action == "none"
    assert d.cells == PROBS
    assert d.confidence == 0.9
    assert d.dial == dial
    assert model in d.explanation
    by_model = {c.model: c for c in d.candidates}
    assert by_model["x/nodata"].eligible is False
    assert by_model["x/nodata"].note == "no_evidence"
    assert by_model["x/mid"].note == "balanced"


def test_no_evidence_model_is_never_chosen_even_with_the_highest_A() -> None:
    # x/nodata has the highest A (0.95) but evidence for only 30% of the request's mass.
    for dial in (0.0, 0.5, 1.0):
        d = router().route(request(), ProjectSettings(dial=dial), RouteContext())
        assert d.model != "x/nodata"


def test_low_confidence_goes_to_balanced() -> None:
    d = router(confidence=0.5).route(request(), ProjectSettings(min_confidence=0.6), RouteContext())
    assert (d.model, d.reason) == ("x/mid", "low_confidence")
    assert d.expected_cost == pytest.approx(0.00208)
    d = router(confidence=0.6).route(request(), ProjectSettings(min_confidence=0.6, dial=0), RouteContext())
    assert d.model == "x/small"


def test_allowed_models_and_cooldown_are_honoured() -> None:
    d = router().route(request(), ProjectSettings(dial=0, allowed_models=["x/mid", "x/big"]), RouteContext())
    assert d.model == "x/mid"
    notes = {c.model: c.note for c in d.candidates}
    assert notes["x/small"] == "not_allowed"
    d = router().route(request(), ProjectSettings(dial=0), RouteContext(unavailable=frozenset({"x/small"})))
    assert d.model == "x/mid"
    assert {c.model: c.note for c in d.candidates}["x/small"] == "cooldown"
    assert "x/small" not in d.fallbacks


def test_nothing_with_evidence_goes_to_balanced_no_evidence() -> None:
    from benchroute.routing.fake_classifier import FakeClassifier

    r = router()
    r = r.__class__(r.catalog, r.snapshot, FakeClassifier.fixed({"debug:hard": 1.0}), r.tiers)
    d = r.route(request(), ProjectSettings(dial=0), RouteContext())
    assert (d.model, d.reason) == ("x/mid", "no_evidence")
    assert all(not c.eligible or c.note == "balanced" for c in d.candidates)


def test_with_snapshot_swaps_evidence_without_touching_the_old_router() -> None:
    from benchroute.leaderboard.snapshot import CellStats, Snapshot

    old = router()
    stats = [s for s in snapshot() if s.model != "x/small"]
    stats.append(CellStats("x/small", "implement:medium", 40, 2, sources=("example",)))
    stats.append(CellStats("x/small", "edit:easy", 40, 2, sources=("example",)))
    new = old.with_snapshot(Snapshot.from_stats(stats))
    assert new.route(request(), ProjectSettings(dial=0), RouteContext()).model == "x/mid"
    assert old.route(request(), ProjectSettings(dial=0), RouteContext()).model == "x/small"


def test_balanced_floor_uses_the_cell_median_where_balanced_has_no_evidence() -> None:
    from benchroute.leaderboard.snapshot import Snapshot

    stats = [s for s in snapshot() if not (s.model == "x/mid" and s.cell == "edit:easy")]
    table = PolicyTable(Snapshot.from_stats(stats), catalog())
    p = table.vector(PROBS)
    # x/mid now: 24/40 on implement:medium only -> p̄ = 0.6, p̂ = (24 + 6) / 50 = 0.6.
    # edit:easy median p̂ over tiny .695, nodata .95, small .875, upper .89, big .94 -> 0.89.
    assert table.floor_accuracy("x/mid", p) == pytest.approx(0.7 * 0.6 + 0.3 * 0.89)
    # Nobody has evidence for debug:hard: no floor.
    assert table.floor_accuracy("x/mid", table.vector({"debug:hard": 1.0})) is None
