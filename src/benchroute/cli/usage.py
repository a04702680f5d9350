"""`benchroute usage`: requests, tokens, cost and savings against an always-Frontier choice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from benchroute.cli import table
from benchroute.cli.context import load_settings, run
from benchroute.store.base import UsageSummaryRow

GROUPS = ["model", "day", "project", "session", "tier", "client"]


def _date(value: str | None, *, end: bool = False) -> datetime | None:
    """YYYY-MM-DD (UTC) -> datetime; an --until day is included whole."""
    if value is None:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return day + timedelta(days=1) if end else day


def _savings(row: UsageSummaryRow) -> float:
    return row.frontier_cost_usd - float(row.extra.get("priced_cost_usd", row.cost_usd))


def _row_dict(row: UsageSummaryRow) -> dict[str, Any]:
    return {
        **row.group,
        "requests": row.requests,
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
        "cost_usd": row.cost_usd,
        "frontier_cost_usd": row.frontier_cost_usd,
        "savings_usd": _savings(row),
        **row.extra,
    }


def _total(rows: list[UsageSummaryRow]) -> UsageSummaryRow:
    return UsageSummaryRow(
        group={},
        requests=sum(r.requests for r in rows),
        prompt_tokens=sum(r.prompt_tokens for r in rows),
        completion_tokens=sum(r.completion_tokens for r in rows),
        cost_usd=sum(r.cost_usd for r in rows),
        frontier_cost_usd=sum(r.frontier_cost_usd for r in rows),
        extra={
            "priced_cost_usd": sum(float(r.extra.get("priced_cost_usd", r.cost_usd)) for r in rows),
            "errors": sum(int(r.extra.get("errors", 0)) for r in rows),
        },
    )


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
    from benchroute.store.factory import started_store

    out = table.output_format(as_json, fmt)
    settings = load_settings(ctx)
    group_by = list(by) or ["model"]
    since_dt, until_dt = _date(since), _date(until, end=True)

    async def go() -> list[UsageSummaryRow]:
        async with started_store(settings) as store:
            return await store.usage_summary(
                project=project, group_by=group_by, since=since_dt, until=until_dt
            )

    rows = run(go())
    if out == "json":
        click.echo(
            json.dumps({"rows": [_row_dict(r) for r in rows], "total": _row_dict(_total(rows))}, indent=2)
        )
        return
    if out == "csv":
        click.echo(table.to_csv([_row_dict(r) for r in rows]), nl=False)
        return
    if not rows:
        click.echo("No usage recorded" + (f" for project {project!r}." if project else "."))
        return
    click.echo(_render(rows, group_by))


def _group_cell(name: str, value: object) -> str:
    if value is None or value == "":
        return "(not routed)" if name == "model" else "-"
    return str(value)


def _render(rows: list[UsageSummaryRow], group_by: list[str]) -> str:
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
    body = [[*(_group_cell(g, r.group[g]) for g in group_by), *_cells(r)] for r in rows]
    total = [*(["total"] + [""] * (len(group_by) - 1)), *_cells(_total(rows))]
    return table.render(columns, [*body, total])


def _cells(row: UsageSummaryRow) -> list[str]:
    saved = _savings(row)
    share = f" ({saved / row.frontier_cost_usd:.0%})" if row.frontier_cost_usd > 0 else ""
    return [
        f"{row.requests:,}",
        f"{int(row.extra.get('errors', 0)):,}",
        _usd(row.cost_usd),
        _usd(saved) + share,
        _usd(row.frontier_cost_usd),
        f"{row.prompt_tokens:,}",
        f"{row.completion_tokens:,}",
    ]
