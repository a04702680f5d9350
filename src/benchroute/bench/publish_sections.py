"""The published page's sections beside the evidence table: the routing table (per route and
difficulty, the model at dial 0, 0.5 and 1 with estimate, interval and cost) and the agent results,
one section per driver (`bench.agent.evidence.agent_section`)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

DIAL_KEYS = ("dial_0", "dial_0.5", "dial_1")


def _e(value: object) -> str:
    return html.escape(str(value))


def routes_html(rows: Sequence[Mapping[str, str]]) -> str:
    """The routing table (rows as `Router.routing_table()` returns them)."""
    if not rows:
        return ""
    body = []
    for r in rows:
        tds = [f'<td class="t">{_e(r.get("route", ""))}</td>']
        for key in DIAL_KEYS:
            extra = r.get(f"{key}_detail")
            note = f"<br><small>{_e(extra)}</small>" if extra else ""
            tds.append(f'<td class="t">{_e(r.get(key) or "-")}{note}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    return (
        "<h2>Routing table</h2><p>Per route and difficulty, the model <code>auto/efficient</code> "
        "chooses for an 8,000-token agent request at dial 0 (cheapest proven), 0.5 and 1 (most "
        "accurate), with its estimate A, 90% interval and cost per call.</p>"
        "<table id=routing-table><thead><tr><th>route</th><th>dial 0</th><th>dial 0.5</th>"
        f"<th>dial 1</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _agent_rows(models: Mapping[str, Any]) -> list[str]:
    rows = []
    for model, entry in sorted(models.items()):
        use = entry["tool_use"]
        cells = "<br>".join(
            f"{_e(c)} {s['successes']:g}/{s['trials']:g} [{s['wilson'][0]:.2f}, {s['wilson'][1]:.2f}]"
            for c, s in sorted(entry["cells"].items())
        )
        rows.append(
            f'<tr><td class="t">{_e(model)}</td><td>{use["passed"]}/{use["attempts"]}</td>'
            f"<td>{use['malformed_rate']:.1%}</td><td>{use['mean_turns']:.1f}</td>"
            f"<td>{use['mean_cost_usd']:.4f}</td><td>{use['mean_wall_s']:.0f}</td>"
            f'<td class="t">{_e(", ".join(use["efforts"]))}</td><td class="t">{cells}</td></tr>'
        )
    return rows


def agents_html(section: Mapping[str, Any]) -> str:
    """One section per driver: per model the tool-use record and per cell successes / trials with
    the 95% Wilson interval. Agent results are evidence for agent work only."""
    out = []
    for driver, block in sorted(section.items()):
        versions = ", ".join(block.get("version") or [])
        out.append(
            f'<h2 id="agent-{_e(driver)}">Agent tasks: {_e(driver)} driver</h2>'
            f"<p>Source <code>bench:agent.{_e(driver)}</code>, driver version {_e(versions)}. "
            "Multi-turn tool-using tasks graded on the end state; kept apart from single-turn results. "
            "Malformed = malformed tool calls per chance to call a tool.</p>"
            f'<table class="agents"><thead><tr><th>model</th><th>passed</th><th>malformed</th>'
            "<th>turns</th><th>cost/task (USD)</th><th>wall (s)</th><th>effort</th><th>cells</th>"
            f"</tr></thead><tbody>{''.join(_agent_rows(block.get('models') or {}))}</tbody></table>"
        )
    return "".join(out)
