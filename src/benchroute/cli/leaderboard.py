"""`benchroute leaderboard`: our bench results merged over the shipped leaderboard, as a table,
JSON or a static HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from benchroute.cli.context import load_settings, run

if TYPE_CHECKING:
    from benchroute.leaderboard.snapshot import Snapshot
    from benchroute.store.base import BenchResult


def _imported(no_default: bool, snapshot_path: str | None) -> Snapshot:
    from benchroute.leaderboard.snapshot import Snapshot

    if snapshot_path:
        return Snapshot.load(snapshot_path)
    if no_default:
        return Snapshot()
    try:
        from benchroute.leaderboard.loader import load_default_snapshot

        return load_default_snapshot()
    except (FileNotFoundError, ImportError, ValueError):
        return Snapshot()


def _aider(files: tuple[str, ...], catalog_ids: list[str]) -> Snapshot:
    """Aider boards' models mapped onto catalog ids; models the catalog lacks are left out."""
    from benchroute.bench.importers import aider_stats
    from benchroute.leaderboard.snapshot import Snapshot

    stats = []
    for path in files:
        try:
            found, _ = aider_stats(path, catalog_ids=catalog_ids)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        stats.extend(found)
    return Snapshot.from_stats(stats, description="aider leaderboards")


def _table(snapshot: Snapshot, cell: str | None, model: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from benchroute.bench.publish import COLUMNS, row_values

    table = Table(*COLUMNS, title=snapshot.description or "leaderboard")
    for stats in sorted(snapshot, key=lambda s: (s.cell, -s.accuracy, s.model)):
        if (cell and stats.cell != cell) or (model and stats.model != model):
            continue
        table.add_row(*(text for text, _ in row_values(stats)))
    Console().print(table)


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True
)
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Write index.html + JSON."
)
@click.option("--suite", default=None, help="Only results of this suite.")
@click.option("--cell", default=None, help="Only this cell (table).")
@click.option("--model", default=None, help="Only this model (table).")
@click.option("--merge", "mode", type=click.Choice(["prefer_bench", "combine"]), default="prefer_bench")
@click.option(
    "--snapshot", "snapshot_path", default=None, help="Merge over this snapshot, not the shipped one."
)
@click.option("--no-default", is_flag=True, help="Only our own bench results.")
@click.option(
    "--routes",
    is_flag=True,
    help="The routing table: per route and difficulty the candidates, estimates, intervals, cost and "
    "the model chosen at dial 0, 0.5 and 1 (shipped or --snapshot evidence, the config's catalog).",
)
@click.option(
    "--aider",
    "aider_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Also merge an Aider leaderboard file (.yml/.csv) as imported evidence.",
)
@click.pass_context
def leaderboard(
    ctx: click.Context,
    fmt: str,
    out_dir: str | None,
    suite: str | None,
    cell: str | None,
    model: str | None,
    mode: str,
    snapshot_path: str | None,
    no_default: bool,
    routes: bool,
    aider_files: tuple[str, ...],
) -> None:
    """Show or publish the leaderboard (bench results over the shipped default)."""
    settings = load_settings(ctx)
    if routes:
        from benchroute.catalog.loader import load_catalog
        from benchroute.leaderboard.routes import routing_table, to_markdown, to_text

        rows = routing_table(load_catalog(settings), _imported(no_default, snapshot_path), settings.tiers)
        click.echo(to_markdown(rows) if fmt == "html" else to_text(rows), nl=False)
        return
    from benchroute.bench.aggregate import merge, snapshot_from_results
    from benchroute.bench.publish import publish, to_html
    from benchroute.store.factory import started_store

    async def fetch() -> list[BenchResult]:
        async with started_store(settings) as store:
            return list(await store.list_bench_results(suite=suite))

    results = run(fetch())
    own = snapshot_from_results(results)
    imported = _imported(no_default, snapshot_path)
    if aider_files:
        from benchroute.catalog.loader import load_catalog

        imported = merge(_aider(aider_files, load_catalog(settings).ids()), imported, mode="prefer_bench")
    snapshot = merge(own, imported, mode="combine" if mode == "combine" else "prefer_bench")
    if out_dir:
        from benchroute.bench.agent.evidence import agent_section
        from benchroute.catalog.loader import load_catalog
        from benchroute.routing.router import Router
        from benchroute.routing.table import CellProbe

        table = Router(load_catalog(settings), snapshot, CellProbe(), settings.tiers).routing_table()
        page, data = publish(snapshot, Path(out_dir), routes=table, agents=agent_section(results))
        click.echo(f"wrote {page} and {data} ({len(snapshot.cells)} cells)")
        return
    if fmt == "json":
        click.echo(snapshot.to_json().decode())
    elif fmt == "html":
        click.echo(to_html(snapshot))
    else:
        _table(snapshot, cell, model)
