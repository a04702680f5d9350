"""An unsure request is read as each of its likeliest routes; every model is scored by its worse
reading, so the choice is proven whichever reading is right and the dial still moves it
monotonically. When the readings cannot cover the request, or no model is proven on every reading,
the Balanced model serves it (reason `low_confidence`)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from policy_example import catalog, request, snapshot, tiers

from benchroute.routing.base import RouteContext
from benchroute.routing.evidence import Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings

UNSURE = {"implement:medium": 0.52, "refactor:medium": 0.48}
DIALS = (0.0, 0.25, 0.5, 0.75, 1.0)


def project(dial: float = 0.0) -> ProjectSettings:
    return ProjectSettings(dial=dial, min_confidence=0.6)


def with_refactor(weak_small: bool, probs: dict[str, float] | None = None, balanced: bool = True) -> Router:
    """The example's implement:medium evidence copied onto refactor:medium (x/small weaker there
    when `weak_small`, so that the refactor reading does not prove it; the Balanced model x/mid
    not measured there unless `balanced`)."""
    stats = list(snapshot())
    for s in snapshot():
        if s.cell == "implement:medium" and (balanced or s.model != "x/mid"):
            copy = replace(s, cell="refactor:medium")
            if weak_small and s.model == "x/small":
                copy = replace(
                    copy,
                    estimate=0.30,
                    low=0.20,
                    high=0.40,
                    agent_estimate=0.30,
                    agent_low=0.20,
                    agent_high=0.40,
                )
            stats.append(copy)
    fixed = FakeClassifier.fixed(probs or UNSURE, 0.52)
    return Router(catalog(), Snapshot.from_stats(stats), fixed, tiers())


def test_readings_with_the_same_evidence_route_as_a_sure_request() -> None:
    d = with_refactor(weak_small=False).route(request(), project(), RouteContext())
    assert (d.model, d.reason, d.confidence) == ("x/small", "cheapest_above_bar", 0.52)
    assert "unsure" in d.explanation and "implement and refactor" in d.explanation
    mid = next(c for c in d.candidates if c.model == "x/mid")
    assert d.bar == pytest.approx(mid.low) == 0.5  # the Balanced model's lower end, as when sure


def test_a_model_weak_on_one_reading_is_not_chosen() -> None:
    # x/small is the cheapest proven model on the implement reading, but not on the refactor one
    # (lower end 0.20): at dial 0 the cheapest model proven at the Balanced level on both is x/mid.
    d = with_refactor(weak_small=True).route(request(), project(0.0), RouteContext())
    assert (d.model, d.reason) == ("x/mid", "cheapest_above_bar")
    assert "worse reading" in d.explanation
    assert "x/small" not in d.fallbacks


def test_the_dial_moves_an_unsure_choice_monotonically_up_to_the_balanced_model() -> None:
    r = with_refactor(weak_small=False)
    decisions = [r.route(request(), project(dial), RouteContext()) for dial in DIALS]
    acc = {c.model: c.expected_accuracy for c in decisions[0].candidates}
    chosen = [acc[d.model] for d in decisions]
    assert chosen == sorted(chosen), [d.model for d in decisions]
    # x/big is dearer than the Balanced model x/mid, which x/small dominates (cheaper, more
    # accurate): the most accurate choice within the Balanced model's cost is x/small at every dial
    assert [d.model for d in decisions] == ["x/small"] * len(DIALS)
    assert all(d.reason != "low_confidence" for d in decisions)
    sure = with_refactor(weak_small=False, probs={"implement:medium": 1.0})
    assert sure.route(request(), ProjectSettings(dial=1.0), RouteContext()).model == "x/big"


def test_an_unsure_request_is_never_sent_to_a_model_dearer_than_the_balanced_model() -> None:
    # x/big is proven on both readings and more accurate, but dearer than the Balanced model x/mid:
    # an unsure request does not buy it, at any dial (docs/routing.md, "When the classifier is unsure")
    r = with_refactor(weak_small=True)
    for dial in DIALS:
        d = r.route(request(), project(dial), RouteContext())
        cost = {c.model: c.expected_cost for c in d.candidates}
        assert d.model == "x/mid", (dial, d.model)
        assert cost["x/big"] > cost["x/mid"]


def test_readings_that_do_not_cover_the_request_go_to_balanced() -> None:
    spread = {"implement:medium": 0.3, "refactor:medium": 0.25, "debug:medium": 0.25, "tests:medium": 0.2}
    d = with_refactor(weak_small=False, probs=spread).route(request(), project(), RouteContext())
    assert (d.model, d.reason) == ("x/mid", "low_confidence")
    assert "unsure" in d.explanation and "every reading" not in d.explanation


def test_a_reading_without_evidence_goes_to_balanced() -> None:
    # debug:medium has no evidence in the example: not even the Balanced model is measured there.
    probs = {"implement:medium": 0.5, "debug:medium": 0.5}
    d = with_refactor(weak_small=False, probs=probs).route(request(), project(), RouteContext())
    assert (d.model, d.reason) == ("x/mid", "low_confidence")
    assert "worse reading" not in d.explanation


def test_no_model_proven_on_every_reading_goes_to_balanced() -> None:
    # The strong models cooling: x/small (0.20 on the refactor reading) and x/tiny are all that
    # is left, and neither clears the Balanced model's lowest lower end on both readings.
    cooling = RouteContext(unavailable=frozenset({"x/mid", "x/upper", "x/big"}))
    d = with_refactor(weak_small=True).route(request(), project(), cooling)
    assert d.reason == "low_confidence"
    assert "no eligible model at most as dear as the Balanced model is proven at its level" in d.explanation


def test_the_explanation_quotes_an_unsure_confidence_as_below_the_bar() -> None:
    # 0.5999 < 0.6 would print "0.60 < 0.60" at two decimals: rounded down, it reads true.
    probs = {"implement:medium": 0.5999, "refactor:medium": 0.4001}
    d = with_refactor(weak_small=False, probs=probs).route(request(), project(), RouteContext())
    assert "unsure, 0.59 < 0.60" in d.explanation


def test_a_clear_route_under_a_high_project_bar_is_still_read_two_ways() -> None:
    # One route holds 92% (over the 90% the readings must cover), but the project asks for 0.95:
    # the request is unsure by the project's bar and is routed on the worse of its two readings.
    probs = {"implement:medium": 0.92, "refactor:medium": 0.08}
    strict = ProjectSettings(dial=0, min_confidence=0.95)
    d = with_refactor(weak_small=True, probs=probs).route(request(), strict, RouteContext())
    assert (d.model, d.reason) == ("x/mid", "cheapest_above_bar")
    assert "implement and refactor" in d.explanation


def test_a_reading_that_does_not_measure_the_balanced_model_goes_to_balanced() -> None:
    # Every other model is measured on both readings; without the Balanced model's lower end on
    # the refactor reading there is no floor to hold the request to.
    d = with_refactor(weak_small=False, balanced=False).route(request(), project(), RouteContext())
    assert (d.model, d.reason) == ("x/mid", "low_confidence")
    assert "worse reading" not in d.explanation
