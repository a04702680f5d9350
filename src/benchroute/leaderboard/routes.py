"""The routing table: per route and difficulty, the candidates with their estimates, intervals and
cost, and the model the production router chooses at dial 0, 0.5 and 1 (`benchroute leaderboard
--routes`).

Each row routes a synthetic request whose classification is exactly that cell, through the same
`Router` the gateway runs, so the table shows what `auto/efficient` does, not a re-derivation.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchroute.catalog.model import Catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.decision import Candidate, Decision
from benchroute.routing.evidence import Snapshot
from benchroute.routing.router import Router
from benchroute.routing.taxonomy import CODING_ROUTES, DIFFICULTIES, cell
from benchroute.settings import ProjectSettings, TierSettings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, Tool

DIALS = (0.0, 0.5, 1.0)
PROMPT = "x" * 31_984  # 8,000 prompt tokens: a typical agent call
TOOLS = [Tool(name="run_shell", description="Run a shell command")]


class _Cell:
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


def routing_table(
    catalog: Catalog,
    snapshot: Snapshot,
    tiers: TierSettings | None = None,
    *,
    agent: bool = True,
    top: int = 6,
) -> list[Row]:
    probe = _Cell()
    router = Router(catalog, snapshot, probe, tiers)
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
            choices = tuple(
                router.route(request, ProjectSettings(dial=d, min_confidence=0.0), RouteContext())
                for d in DIALS
            )
            eligible = tuple(c for c in choices[0].candidates if c.eligible)[:top]
            rows.append(Row(probe.cell, eligible, choices))
    return rows


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:.4f}"


def _chosen(d: Decision) -> str:
    return (
        d.model
        + (f"@{d.reasoning_effort}" if d.reasoning_effort else "")
        + ("" if d.reason != "no_evidence" else " (Balanced)")
    )


def to_markdown(rows: list[Row]) -> str:
    """The table as Markdown: one line per cell, candidates as "model A [low, high] $cost"."""
    lines = [
        "| cell | dial 0 | dial 0.5 | dial 1 | candidates: A [90% interval] cost per 8k-token call |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        cands = "<br>".join(
            f"{c.model} {c.expected_accuracy:.2f} [{c.low:.2f}, {c.high:.2f}] {_usd(c.expected_cost)}"
            for c in row.candidates
        )
        picks = " | ".join(_chosen(d) for d in row.choices)
        lines.append(f"| {row.cell} | {picks} | {cands or '-'} |")
    return "\n".join(lines) + "\n"


def to_text(rows: list[Row]) -> str:
    out: list[str] = []
    for row in rows:
        picks = "  ".join(f"dial {d:g}: {_chosen(x)}" for d, x in zip(DIALS, row.choices, strict=True))
        out.append(f"{row.cell}   {picks}")
        for c in row.candidates:
            out.append(
                f"    {c.model:48} A {c.expected_accuracy:.3f} [{c.low:.3f}, {c.high:.3f}]  "
                f"{_usd(c.expected_cost)}  coverage {c.coverage:.0%}"
            )
    return "\n".join(out) + "\n"
