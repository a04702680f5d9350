"""`benchroute usage`: requests, tokens, cost and savings against an always-Frontier choice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import click

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
        extra={"priced_cost_usd": sum(float(r.extra.get("priced_cost_usd", r.cost_usd)) for r in rows)},
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
@click.pass_context
def usage(
    ctx: click.Context,
    by: tuple[str, ...],
    project: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
) -> None:
    """Show usage and cost, with savings against the always-Frontier choice."""
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)
    group_by = list(by) or ["model"]
    since_dt, until_dt = _date(since), _date(until, end=True)

    async def go() -> list[UsageSummaryRow]:
        async with started_store(settings) as store:
            return await store.usage_summary(
                project=project, group_by=group_by, since=since_dt, until=until_dt
            )

    rows = run(go())
    if as_json:
        click.echo(
            json.dumps({"rows": [_row_dict(r) for r in rows], "total": _row_dict(_total(rows))}, indent=2)
        )
        return
    if not rows:
        click.echo("No usage recorded" + (f" for project {project!r}." if project else "."))
        return
    _print_table(rows, group_by)


def _print_table(rows: list[UsageSummaryRow], group_by: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*group_by, show_footer=True)
    for name in ("requests", "prompt tok", "completion tok", "cost", "frontier cost", "savings"):
        table.add_column(name, justify="right")
    total = _total(rows)
    table.columns[0].footer = "total"
    for i, value in enumerate(_cells(total)):
        table.columns[len(group_by) + i].footer = value
    for row in rows:
        table.add_row(
            *(str(row.group[g]) if row.group[g] is not None else "-" for g in group_by), *_cells(row)
        )
    console = Console()
    if not console.is_terminal:  # piped or captured: never wrap the table
        console.width = 200
    console.print(table)


def _cells(row: UsageSummaryRow) -> list[str]:
    saved = _savings(row)
    share = f" ({saved / row.frontier_cost_usd:.0%})" if row.frontier_cost_usd > 0 else ""
    return [
        f"{row.requests:,}",
        f"{row.prompt_tokens:,}",
        f"{row.completion_tokens:,}",
        _usd(row.cost_usd),
        _usd(row.frontier_cost_usd),
        _usd(saved) + share,
    ]
