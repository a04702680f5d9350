"""`benchroute bench`: run task suites against models, list suites, summarise runs."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import click

from benchroute.cli.bench_runtime import print_summary, via_gateway, with_runtime
from benchroute.cli.context import load_settings, run

if TYPE_CHECKING:
    from benchroute.bench.runner import BenchRunner
    from benchroute.bench.tasks import Task
    from benchroute.catalog.model import Catalog
    from benchroute.providers.base import Provider


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group()
def bench() -> None:
    """Run benchmark suites against models; results go to the store."""


@bench.command("suites")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def suites(as_json: bool) -> None:
    """List the shipped suites: tasks per task type and checker."""
    from benchroute.bench.tasks import load_suite, shipped_suites

    rows: list[dict[str, Any]] = []
    for name in shipped_suites():
        tasks = load_suite(name)
        rows.append(
            {
                "suite": name,
                "tasks": len(tasks),
                "task_types": dict(Counter(t.task_type for t in tasks)),
                "checkers": dict(Counter(t.checker_kind for t in tasks)),
                "licenses": sorted({t.license for t in tasks}),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        kinds = ", ".join(f"{k} {v}" for k, v in row["task_types"].items())
        checks = ", ".join(row["checkers"])
        click.echo(f"{row['suite']:<26} {row['tasks']:>5}  {kinds}  [{checks}; {', '.join(row['licenses'])}]")


def _judge(providers: dict[str, Provider], catalog: Catalog, judge_model: str | None) -> Any:
    if not judge_model:
        return None
    from benchroute.bench.checkers.judge import JudgeChecker
    from benchroute.providers.base import Target

    info = catalog.get(judge_model)
    if info is None or info.provider not in providers:
        raise click.ClickException(f"judge model {judge_model!r} is not in the catalog or has no provider")
    return JudgeChecker(providers[info.provider], Target.of(info), info.id)


@bench.command("run")
@click.option(
    "--suite", "suite_names", multiple=True, required=True, help="Suite name(s) or JSONL path; 'all'."
)
@click.option("--models", "model_names", multiple=True, required=True, help="Catalog ids, comma-separated.")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--budget",
    type=float,
    default=None,
    help="USD this invocation may spend (a resumed --run-id's earlier spend is not counted).",
)
@click.option("--sample", type=int, default=None, help="Run a stratified sample of K tasks.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--run-id", default=None, help="Resume this run (default: a new id).")
@click.option("--max-tokens", default=2048, show_default=True, type=int)
@click.option("--judge", "judge_model", default=None, help="Catalog id of a judge model (judge tasks).")
@click.option("--continuous", is_flag=True, help="Keep re-running stale or thin cells.")
@click.option("--every", default="24h", show_default=True, help="Continuous: interval between cycles.")
@click.option(
    "--max-age", default=None, help="Continuous: evidence older than this is stale (default --every)."
)
@click.option("--min-trials", default=10, show_default=True, help="Continuous: cells with fewer are thin.")
@click.option("--per-cell", default=10, show_default=True, help="Continuous: tasks per due cell per cycle.")
@click.option("--no-progress", is_flag=True, help="No live progress bar.")
@click.option(
    "--driver",
    type=click.Choice(["builtin", "kilo"]),
    default=None,
    help="Agent for agent tasks (suite 'agent'): the built-in tool loop or the Kilo CLI (needs --via-gateway).",  # noqa: E501
)
@click.option("--max-turns", default=30, show_default=True, help="Agent tasks: turns per attempt.")
@click.option("--effort", default=None, help="Agent tasks: reasoning effort / Kilo variant to ask for.")
@click.option(
    "--via-gateway",
    "gateway_url",
    default=None,
    metavar="URL",
    help="Send the calls through this running benchroute gateway; results go to this config's store "
    "(use the gateway's config so its leaderboard sees them).",
)
@click.option(
    "--gateway-key",
    envvar="BENCHROUTE_GATEWAY_KEY",
    default=None,
    help="Key for --via-gateway (admin: refresh).",
)
@click.pass_context
def run_cmd(ctx: click.Context, /, **opts: Any) -> None:
    """Run suites against models through the configured providers (or a running gateway).

    Agent suites need --driver. Interrupted runs resume with the same --run-id."""
    from benchroute.bench.runner import BenchError
    from benchroute.cli.bench_agent import interrupt_hint

    settings = load_settings(ctx)
    o = SimpleNamespace(**opts)
    o.run_id = o.run_id or datetime.now(UTC).strftime("run-%Y%m%dT%H%M%S")
    body = _run_body(o)
    ids = _split(o.model_names) + ([o.judge_model] if o.judge_model else [])
    with interrupt_hint(o.run_id, o.continuous):
        try:
            if o.gateway_url:
                run(via_gateway(settings, o.gateway_url, o.gateway_key, ids, body))
            else:
                run(with_runtime(settings, body))
        except BenchError as exc:
            raise click.ClickException(str(exc)) from exc


def _run_body(o: SimpleNamespace) -> Any:
    """What `bench run` does once providers, catalog and store are up."""
    from benchroute.bench.agent.record import for_driver
    from benchroute.bench.checkers import default_checkers
    from benchroute.bench.progress import RichProgress
    from benchroute.bench.runner import BenchRunner, RunOptions
    from benchroute.bench.schedule import parse_every, run_every
    from benchroute.bench.tasks import TaskError, load_suites, sample_tasks
    from benchroute.cli.bench_agent import fail_if_nothing_scored, make_driver

    try:
        tasks: list[Task] = sample_tasks(load_suites(_split(o.suite_names)), o.sample, o.seed)
        interval = parse_every(o.every)
        stale_after = parse_every(o.max_age) if o.max_age else interval
    except (TaskError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    models = _split(o.model_names)
    agent = make_driver(
        o.driver,
        o.gateway_url,
        o.gateway_key,
        max_turns=o.max_turns,
        effort=o.effort,
        max_tokens=o.max_tokens,
    )
    if agent is not None:
        tasks = for_driver(tasks, agent.name)

    async def body(providers: dict[str, Provider], catalog: Catalog, store: Any) -> None:
        checkers = default_checkers(_judge(providers, catalog, o.judge_model))
        progress = None if o.no_progress else RichProgress()
        runner = BenchRunner(providers, catalog, store, checkers, progress=progress, agent=agent)
        options = RunOptions(
            run_id=o.run_id, concurrency=o.concurrency, budget_usd=o.budget, max_tokens=o.max_tokens
        )
        if not o.continuous:
            summary = await runner.run(tasks, models, options)
            print_summary(summary)
            fail_if_nothing_scored(summary)
            return
        await run_every(
            lambda now: _cycle(
                runner, tasks, models, options, now, stale_after, o.min_trials, o.per_cell, agent is not None
            ),
            interval,
            clock=lambda: datetime.now(UTC),
            sleep=asyncio.sleep,
        )

    return body


async def _cycle(
    runner: BenchRunner,
    tasks: list[Task],
    models: list[str],
    options: Any,
    now: datetime,
    max_age: timedelta,
    min_trials: int,
    per_cell: int,
    own_suites: bool = False,
) -> None:
    from dataclasses import replace

    from benchroute.bench.schedule import refresh_once

    cycle_options = replace(options, run_id=f"{options.run_id}-{now:%Y%m%dT%H%M%S}")
    summary = await refresh_once(
        runner,
        tasks,
        models,
        cycle_options,
        now=now,
        max_age=max_age,
        min_trials=min_trials,
        per_cell=per_cell,
        own_suites=own_suites,
    )
    print_summary(summary)


def _register() -> None:
    from benchroute.cli.bench_agent import agents_cmd, pool_cmd
    from benchroute.cli.bench_results import import_cmd, results

    for command in (results, import_cmd, pool_cmd, agents_cmd):
        bench.add_command(command)


_register()
