"""`benchroute bench results` and `benchroute bench import`: read and import stored results."""

from __future__ import annotations

import json
from typing import Any

import click

from benchroute.cli.context import load_settings, run


@click.command("results")
@click.option("--run-id", default=None)
@click.option("--suite", default=None)
@click.option("--model", default=None)
@click.option("--failures", is_flag=True, help="List failed attempts with their reasons.")
@click.pass_context
def results(
    ctx: click.Context, run_id: str | None, suite: str | None, model: str | None, failures: bool
) -> None:
    """Summarise stored results per model (and list failures)."""
    from benchroute.bench.agent.record import reason_of
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)

    async def fetch() -> list[Any]:
        async with started_store(settings) as store:
            return await store.list_bench_results(run_id=run_id, suite=suite, model=model)

    rows = run(fetch())
    per_model: dict[str, list[Any]] = {}
    for r in rows:
        per_model.setdefault(r.model, []).append(r)
    for name, group in sorted(per_model.items()):
        passed = sum(r.passed for r in group)
        cost = sum(r.cost_usd for r in group)
        click.echo(f"{name:<40} {passed}/{len(group)} passed  ${cost:.4f}")
        if failures:
            for r in group:
                if not r.passed:
                    click.echo(f"    {r.task_id:<28} {r.checker:<12} {reason_of(r)[:100]}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--suite", required=True, help="Suite name to file the imported results under.")
@click.option(
    "--mapping", type=click.Path(exists=True, dir_okay=False), help="JSON {outside name: catalog id}."
)
@click.option("--task-type", default="general", show_default=True, help="For rows without a task_type.")
@click.option("--difficulty", default="medium", show_default=True, help="For rows without a difficulty.")
@click.pass_context
def import_cmd(
    ctx: click.Context, path: str, suite: str, mapping: str | None, task_type: str, difficulty: str
) -> None:
    """Import outcome JSONL (DESIGN.md format) into the store as bench results."""
    from benchroute.bench.importers import import_outcomes
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)
    table: dict[str, str] = json.loads(open(mapping, encoding="utf-8").read()) if mapping else {}
    try:
        results, unmapped = import_outcomes(
            path, suite=suite, mapping=table, default_task_type=task_type, default_difficulty=difficulty
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc

    async def write() -> None:
        async with started_store(settings) as store:
            await store.write_bench_results(results)

    run(write())
    click.echo(f"imported {len(results)} results into suite {suite!r}")
    if unmapped:
        click.echo(f"skipped unmapped models: {', '.join(sorted(unmapped))}", err=True)
