"""The routing table: per route and difficulty, the candidates with their estimates, intervals and
cost, and the model the production router chooses at dial 0, 0.5 and 1 (`benchroute leaderboard
--routes`).

Each row routes a synthetic request whose classification is exactly that cell, through the same
`Router` the gateway runs, so the table shows what `auto/efficient` does, not a re-derivation.
"""

from __future__ import annotations

from benchroute.catalog.model import Catalog
from benchroute.routing.classifier import Classifier
from benchroute.routing.evidence import Snapshot
from benchroute.routing.router import Router
from benchroute.routing.table import DIALS, Row, chosen_name, table_rows
from benchroute.settings import TierSettings

__all__ = ["DIALS", "Row", "routing_table", "to_markdown", "to_text"]


def routing_table(
    catalog: Catalog,
    snapshot: Snapshot,
    tiers: TierSettings | None = None,
    *,
    agent: bool = True,
    top: int = 6,
) -> list[Row]:
    def build(probe: Classifier) -> Router:
        return Router(catalog, snapshot, probe, tiers)

    return table_rows(build, agent=agent, top=top)


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:.4f}"


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
        picks = " | ".join(chosen_name(d) for d in row.choices)
        lines.append(f"| {row.cell} | {picks} | {cands or '-'} |")
    return "\n".join(lines) + "\n"


def to_text(rows: list[Row]) -> str:
    out: list[str] = []
    for row in rows:
        picks = "  ".join(f"dial {d:g}: {chosen_name(x)}" for d, x in zip(DIALS, row.choices, strict=True))
        out.append(f"{row.cell}   {picks}")
        for c in row.candidates:
            out.append(
                f"    {c.model:48} A {c.expected_accuracy:.3f} [{c.low:.3f}, {c.high:.3f}]  "
                f"{_usd(c.expected_cost)}  coverage {c.coverage:.0%}"
            )
    return "\n".join(out) + "\n"
