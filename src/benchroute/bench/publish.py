"""Publish a leaderboard Snapshot: a self-contained HTML page (sortable table, no external assets)
and the JSON snapshot beside it."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchroute.bench.publish_sections import agents_html, routes_html
from benchroute.leaderboard.snapshot import CellStats, Snapshot

COLUMNS = (
    "model",
    "cell",
    "trials",
    "accuracy",
    "wilson low",
    "wilson high",
    "cost/task (USD)",
    "tokens in",
    "tokens out",
    "latency (ms)",
    "last run",
    "evidence",
)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:right}
th{cursor:pointer;background:#f4f4f4;position:sticky;top:0;user-select:none}
th.asc::after{content:" \\25B2"} th.desc::after{content:" \\25BC"}
td.t{text-align:left} input{margin:0 0 1rem;padding:.3rem;width:20rem}
"""

_SCRIPT = """
const table = document.getElementById('board');
document.getElementById('filter').addEventListener('input', e => {
  const q = e.target.value.toLowerCase();
  for (const row of table.tBodies[0].rows) row.hidden = !row.textContent.toLowerCase().includes(q);
});
table.tHead.addEventListener('click', e => {
  const th = e.target.closest('th'); if (!th) return;
  const i = th.cellIndex, asc = !th.classList.contains('asc');
  for (const h of table.tHead.rows[0].cells) h.classList.remove('asc', 'desc');
  th.classList.add(asc ? 'asc' : 'desc');
  const key = r => { const c = r.cells[i]; const v = c.dataset.v ?? c.textContent;
    const n = parseFloat(v); return isNaN(n) ? v : n; };
  const rows = [...table.tBodies[0].rows].sort((a, b) => {
    const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
  table.tBodies[0].append(...rows);
});
"""


def _num(value: float | None, digits: int) -> tuple[str, str]:
    if value is None:
        return "", "-1"
    return f"{value:.{digits}f}", repr(value)


def row_values(s: CellStats) -> list[tuple[str, str | None]]:
    """(display text, sort value) per column."""
    low, high = s.wilson()
    cells: list[tuple[str, str | None]] = [(s.model, None), (s.cell, None)]
    cells.append((f"{s.trials:g}", repr(s.trials)))
    cells.append((f"{s.accuracy:.1%}", repr(s.accuracy)))
    cells.append((f"{low:.3f}", repr(low)))
    cells.append((f"{high:.3f}", repr(high)))
    cells.append(_num(s.mean_cost, 5))
    cells.append(_num(s.mean_prompt_tokens, 0))
    cells.append(_num(s.mean_completion_tokens, 0))
    cells.append(_num(s.latency_ms, 0))
    cells.append((s.last_run or "", None))
    cells.append((", ".join(s.sources), None))
    return cells


def to_html(
    snapshot: Snapshot,
    title: str = "benchroute leaderboard",
    *,
    routes: Sequence[Mapping[str, str]] | None = None,
    agents: Mapping[str, Any] | None = None,
) -> str:
    """The page: the routing table (`Router.routing_table()` rows) when given, the evidence table,
    and the agent results per driver (`agent_section(results)`) when given."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = []
    for s in sorted(snapshot, key=lambda s: (s.cell, -s.accuracy, s.model)):
        tds = []
        for text, sort_value in row_values(s):
            if sort_value is None:
                tds.append(f'<td class="t">{html.escape(text)}</td>')
            else:
                tds.append(f'<td data-v="{html.escape(sort_value)}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    meta = html.escape(f"{snapshot.description} — created {snapshot.created}".strip(" —"))
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{meta}. {len(snapshot.cells)} cells, "
        f"{len(snapshot.models())} models. Accuracy = successes / trials; the Wilson interval is 95%. "
        "Evidence names where each cell's numbers come from (bench:&lt;suite&gt; = our runs).</p>"
        f"{routes_html(routes or [])}"
        + ("<h2>Evidence</h2>" if routes else "")
        + '<input id=filter placeholder="filter (model, cell, source)…">'
        f"<table id=board><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"{agents_html(agents or {})}<script>{_SCRIPT}</script></body></html>\n"
    )


def publish(
    snapshot: Snapshot,
    out_dir: str | Path,
    *,
    routes: Sequence[Mapping[str, str]] | None = None,
    agents: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write `index.html` and `leaderboard.json` into `out_dir`; returns both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    data = out / "leaderboard.json"
    page.write_text(to_html(snapshot, routes=routes, agents=agents), encoding="utf-8")
    data.write_bytes(snapshot.to_json())
    return page, data
