"""Every explanation is true to what the rule did: the numbers it quotes satisfy the relation it
states, over a sweep of requests, dials and settings on the shipped catalog and evidence."""

from __future__ import annotations

import re
from functools import cache

from policy_example import request

from benchroute.catalog.loader import load_catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.decision import Decision
from benchroute.routing.evidence import load_default_snapshot
from benchroute.routing.router import Router
from benchroute.routing.taxonomy import CODING_ROUTES, DIFFICULTIES, cell
from benchroute.settings import ProjectSettings

PROVEN = re.compile(
    r"whose lower end (\d\.\d{3,6}) ≥ the bar (\d\.\d{3,6}) .*bar between the floor (\d\.\d{3,6})"
)
BEST = re.compile(r"has the highest expected accuracy of the models measured here, (\d\.\d{3})")
GENERAL = re.compile(r"P\(general\) (\d+)% in all")


class Probe:
    def __init__(self) -> None:
        self.probs: dict[str, float] = {}

    def classify(self, request: object) -> CellPrediction:
        return CellPrediction(dict(self.probs), 0.95)


@cache
def shipped() -> tuple[Router, Probe]:
    probe = Probe()
    return Router(load_catalog(), load_default_snapshot(), probe), probe


def sweep() -> list[tuple[dict[str, float], Decision]]:
    router, probe = shipped()
    mixes: list[dict[str, float]] = [{cell(r, d): 1.0} for r in sorted(CODING_ROUTES) for d in DIFFICULTIES]
    mixes += [{cell(r, "medium"): 0.6, cell(r, "hard"): 0.4} for r in sorted(CODING_ROUTES)]
    mixes += [{"general:easy": 0.7, "implement:easy": 0.3}, {"general:medium": 0.55, "debug:hard": 0.45}]
    out = []
    for probs in mixes:
        probe.probs = probs
        for tools in (False, True):
            for dial in (0.0, 0.25, 0.5, 0.75, 1.0):
                d = router.route(request(tools=tools), ProjectSettings(dial=dial), RouteContext())
                out.append((probs, d))
    return out


def chosen(d: Decision) -> tuple[float, float]:
    c = next(c for c in d.candidates if c.eligible and c.model.split("@")[0] == d.model and c.low is not None)
    assert c.expected_accuracy is not None and c.low is not None
    return c.expected_accuracy, c.low


def test_every_quoted_relation_holds() -> None:
    reasons = set()
    for probs, d in sweep():
        reasons.add(d.reason)
        if d.reason == "cheapest_above_bar":
            m = PROVEN.search(d.explanation)
            assert m, d.explanation
            low, bar, floor = (float(x) for x in m.groups())
            assert low >= bar >= floor - 1e-9, d.explanation
            digits = len(m.group(1).split(".")[1])  # one rounding, the same decimals for each
            assert d.bar is not None and m.group(2) == f"{d.bar:.{digits}f}"
            assert m.group(1) == f"{chosen(d)[1]:.{digits}f}"
            assert (m.group(1) == m.group(2)) == (chosen(d)[1] == d.bar), d.explanation
            assert chosen(d)[1] >= d.bar - 1e-9  # the rule's own test, on the lower end
        elif d.reason == "best_accuracy":
            m = BEST.search(d.explanation)
            assert m, d.explanation
            best = max(c.expected_accuracy or 0.0 for c in d.candidates if c.eligible)
            assert float(m.group(1)) == round(best, 3) == round(chosen(d)[0], 3)
        elif d.reason == "general":
            m = GENERAL.search(d.explanation)
            assert m, d.explanation
            share = sum(p for c, p in probs.items() if c.startswith("general:"))
            assert int(m.group(1)) == round(100 * share) >= 50
        assert "clears the bar" not in d.explanation
    assert {"cheapest_above_bar", "best_accuracy", "general"} <= reasons
