"""`benchroute usage`: requests, tokens, cost and savings against an always-Frontier choice.

Savings come from `benchroute.savings` (the same computation as the dashboard and `GET /v1/usage`):
served requests of the auto tiers, their actual tokens at the always-Frontier model's rates for
their mode, minus what they cost; failed and manual requests are left out, and so are requests the
Frontier model could not have served.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from benchroute.cli import table
from benchroute.cli.context import load_settings, run
from benchroute.savings import Tally, total

GROUPS = ["model", "day", "project", "session", "tier", "client", "mode"]
SAVINGS_NOTE = (  # three lines, each under 80 columns
    "savings: served auto-tier requests, their tokens at the always-Frontier rates\n"
    "of their mode, minus what they cost; failed and manual requests are left out,\n"
    "and so are requests the Frontier model could not have served (context, tools)"
)


def _date(value: str | None, *, end: bool = False) -> datetime | None:
    """YYYY-MM-DD (UTC) -> datetime; an --until day is included whole."""
    if value is None:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return day + timedelta(days=1) if end else day


def _row_dict(group: dict[str, Any], row: Tally) -> dict[str, Any]:
    d = row.to_dict()
    savings = d.pop("savings")
    return {
        **group,
        **d,
        "frontier_cost_usd": savings["frontier_usd"],
        "savings_usd": savings["saved_usd"],
        "savings": savings,
    }


def _usd(value: float) -> str:
    return f"${value:,.4f}" if abs(value) < 1 else f"${value:,.2f}"


@click.command("usage")
@click.option(
    "--by", "by", type=click.Choice(GROUPS), multiple=True, help="Group by (repeatable; default model)."
)
@click.option("--project", "-p", default=None, help="Only this project (default: all).")
@click.option("--since", default=None, help="From this UTC day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Up to and including this UTC day, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@table.format_option()
@click.pass_context
def usage(
    ctx: click.Context,
    by: tuple[str, ...],
    project: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
    fmt: str | None,
) -> None:
    """Show usage and cost, with savings against the always-Frontier choice.

    Requests that failed before a model was chosen are grouped under "(not routed)"; the errors
    column counts requests that ended with an error status.
    """
    from benchroute.catalog.loader import load_catalog
    from benchroute.savings import FrontierPricer, usage_with_savings
    from benchroute.store.factory import started_store

    out = table.output_format(as_json, fmt)
    settings = load_settings(ctx)
    group_by = list(by) or ["model"]
    since_dt, until_dt = _date(since), _date(until, end=True)
    pricer = FrontierPricer(load_catalog(settings), settings.tiers)

    async def go() -> dict[tuple[Any, ...], Tally]:
        async with started_store(settings) as store:
            return await usage_with_savings(
                store, pricer, project=project, group_by=group_by, since=since_dt, until=until_dt
            )

    tallies = run(go())
    rows = [(dict(zip(group_by, k, strict=True)), t) for k, t in tallies.items()]
    if out == "json":
        data = {"rows": [_row_dict(g, t) for g, t in rows], "total": _row_dict({}, total(tallies.values()))}
        click.echo(json.dumps(data, indent=2))
        return
    if out == "csv":
        click.echo(table.to_csv([_flat(g, t) for g, t in rows]), nl=False)
        return
    if not rows:
        click.echo("No usage recorded" + (f" for project {project!r}." if project else "."))
        return
    click.echo(_render(rows, group_by))
    click.echo(SAVINGS_NOTE)


def _flat(group: dict[str, Any], row: Tally) -> dict[str, Any]:
    """One CSV row: the JSON row without the nested savings detail."""
    return {k: v for k, v in _row_dict(group, row).items() if k != "savings"}


def _group_cell(name: str, value: object) -> str:
    if value is None or value == "":
        return "(not routed)" if name == "model" else "-"
    return str(value)


def _render(rows: list[tuple[dict[str, Any], Tally]], group_by: list[str]) -> str:
    columns = [table.Column(g, keep=True) for g in group_by]
    columns += [
        table.Column("reqs", right=True, keep=True),
        table.Column("err", right=True, keep=True),
        table.Column("cost", right=True, keep=True),
        table.Column("savings", right=True),
        table.Column("frontier cost", right=True),
        table.Column("prompt tok", right=True),
        table.Column("completion tok", right=True),
    ]
    body = [[*(_group_cell(g, group[g]) for g in group_by), *_cells(r)] for group, r in rows]
    footer = [*(["total"] + [""] * (len(group_by) - 1)), *_cells(total(t for _, t in rows))]
    return table.render(columns, [*body, footer])


def _cells(row: Tally) -> list[str]:
    share = f" ({row.saved_share:.0%})" if row.saved_share is not None else ""
    return [
        f"{row.requests:,}",
        f"{row.errors:,}",
        _usd(row.cost_usd),
        _usd(row.saved_usd) + share,
        _usd(row.frontier_cost_usd),
        f"{row.prompt_tokens:,}",
        f"{row.completion_tokens:,}",
    ]
