"""An unsure request whose two likeliest routes lead to the same model is routed on the mixture;
when they lead to different models, the Balanced model serves it (reason `low_confidence`)."""

from __future__ import annotations

from dataclasses import replace

from policy_example import catalog, request, snapshot, tiers

from benchroute.routing.base import RouteContext
from benchroute.routing.evidence import Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings

UNSURE = {"implement:medium": 0.52, "refactor:medium": 0.48}
PROJECT = ProjectSettings(dial=0, min_confidence=0.6)


def with_refactor(weak_small: bool) -> Router:
    """The example's implement:medium evidence copied onto refactor:medium (x/small weaker there
    when `weak_small`, so that the refactor reading chooses another model)."""
    stats = list(snapshot())
    for s in snapshot():
        if s.cell == "implement:medium":
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
    return Router(catalog(), Snapshot.from_stats(stats), FakeClassifier.fixed(UNSURE, 0.52), tiers())


def test_both_readings_agree_so_the_mixture_decides() -> None:
    d = with_refactor(weak_small=False).route(request(), PROJECT, RouteContext())
    assert (d.model, d.reason, d.confidence) == ("x/small", "cheapest_above_bar", 0.52)
    assert "unsure" in d.explanation and "implement" in d.explanation and "refactor" in d.explanation


def test_readings_that_disagree_go_to_balanced() -> None:
    d = with_refactor(weak_small=True).route(request(), PROJECT, RouteContext())
    assert (d.model, d.reason) == ("x/mid", "low_confidence")
