"""The routing table: per route and difficulty, the candidates with their estimates, intervals and
cost, and the model the router chooses at dial 0, 0.5 and 1.

Each row routes a synthetic request whose classification is exactly that cell through a router
built with a probe classifier (`Router.routing_table`, `leaderboard/routes.py`), so the table shows
what `auto/efficient` does, not a re-derivation. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchroute.routing.base import RouteContext, RoutingEngine
from benchroute.routing.classifier import CellPrediction, Classifier
from benchroute.routing.decision import Candidate, Decision
from benchroute.routing.static import RouteError
from benchroute.routing.taxonomy import CODING_ROUTES, DIFFICULTIES, cell
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, Tool

DIALS = (0.0, 0.5, 1.0)
PROMPT = "x" * 31_984  # 8,000 prompt tokens: a typical agent call
TOOLS = [Tool(name="run_shell", description="Run a shell command")]


class CellProbe:
    """A classifier that answers one cell with certainty."""

    def __init__(self) -> None:
        self.cell = ""

    def classify(self, request: ChatRequest) -> CellPrediction:
        return CellPrediction({self.cell: 1.0}, 1.0)


@dataclass(frozen=True, slots=True)
class Row:
    cell: str
    candidates: tuple[Candidate, ...]  # eligible, most accurate first
    choices: tuple[Decision, ...]  # at DIALS


def table_rows(
    build: Callable[[Classifier], RoutingEngine], *, agent: bool = True, top: int = 6
) -> list[Row]:
    """One Row per coding cell, routed by `build(probe)` (a router on the probe classifier)."""
    probe = CellProbe()
    router = build(probe)
    request = ChatRequest(
        model="auto/efficient",
        messages=[Message(role="user", content=[TextPart(PROMPT)])],
        tools=list(TOOLS) if agent else [],
        context=RequestContext(),
    )
    rows: list[Row] = []
    for route in CODING_ROUTES:
        for level in DIFFICULTIES:
            probe.cell = cell(route, level)
            choices = tuple(_route(router, request, d) for d in DIALS)
            eligible = tuple(c for c in choices[0].candidates if c.eligible)[:top]
            rows.append(Row(probe.cell, eligible, choices))
    return rows


def _route(router: RoutingEngine, request: ChatRequest, dial: float) -> Decision:
    """The Decision at `dial`; a cell nothing can serve (no model fits the 8k-token request, no
    Balanced model callable) is a row that says so, not an error."""
    try:
        return router.route(request, ProjectSettings(dial=dial, min_confidence=0.0), RouteContext())
    except RouteError as exc:
        return Decision(
            model="-", tier="auto/efficient", reason="unroutable", dial=dial, explanation=str(exc)
        )


def chosen_name(d: Decision) -> str:
    """The chosen model with its variant, marked when the Balanced fallback served the cell."""
    return (
        d.model
        + (f"@{d.reasoning_effort}" if d.reasoning_effort else "")
        + ("" if d.reason != "no_evidence" else " (Balanced)")
    )


def detail(d: Decision) -> str:
    """ "A 0.72 [0.61, 0.80] · $0.0123": the chosen candidate's estimate, interval and cost."""
    name = d.model + (f"@{d.reasoning_effort}" if d.reasoning_effort else "")
    cost = "-" if d.expected_cost is None else f"${d.expected_cost:.4f}"
    for c in d.candidates:
        if c.model == name and c.expected_accuracy is not None and c.low is not None and c.high is not None:
            return f"A {c.expected_accuracy:.2f} [{c.low:.2f}, {c.high:.2f}] · {cost}"
    return f"{d.reason} · {cost}"


def as_dicts(rows: list[Row]) -> list[dict[str, str]]:
    """The rows as the dashboard renders them: route (the cell), dial_<d> the chosen model and
    dial_<d>_detail its estimate, interval and cost per call."""
    out: list[dict[str, str]] = []
    for row in rows:
        entry = {"route": row.cell}
        for dial, d in zip(DIALS, row.choices, strict=True):
            key = f"dial_{dial:g}"
            entry[key] = chosen_name(d)
            entry[f"{key}_detail"] = detail(d)
        out.append(entry)
    return out
