"""`benchroute bench` pieces for agent suites and runs: the agent driver from the command line, the
exit status of a run where nothing was scored, the resume hint on Ctrl-C, and `bench pool`."""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from benchroute.cli.context import load_settings, run

if TYPE_CHECKING:
    from benchroute.bench.agent.driver import AgentDriver
    from benchroute.bench.runner import RunSummary
    from benchroute.catalog.model import Catalog
    from benchroute.providers.base import Provider


def make_driver(
    name: str | None,
    gateway_url: str | None,
    gateway_key: str | None,
    *,
    max_turns: int = 30,
    effort: str | None = None,
    max_tokens: int = 2048,
) -> AgentDriver | None:
    if name is None:
        return None
    if name == "builtin":
        from benchroute.bench.agent.loop import BuiltinDriver, LoopOptions

        return BuiltinDriver(LoopOptions(max_turns=max_turns, effort=effort, max_tokens=max_tokens))
    from benchroute.bench.agent.kilo import KiloDriver, KiloOptions, default_kilo_bin

    if not gateway_url:
        raise click.ClickException("--driver kilo needs --via-gateway URL (Kilo calls the gateway itself)")
    binary = default_kilo_bin()
    if not binary.exists():
        raise click.ClickException(f"{binary} is missing: run scripts/setup.d/40-clients.sh")
    base = gateway_url.rstrip("/").removesuffix("/v1") + "/v1"
    return KiloDriver(
        KiloOptions(base_url=base, api_key=gateway_key or "none", binary=binary, variant=effort)
    )


def fail_if_nothing_scored(summary: RunSummary) -> None:
    """A run in which every call failed (no key, no server) is an error, not a result."""
    if summary.errors and not summary.done:
        raise click.ClickException(
            f"every call failed ({summary.errors}); nothing was scored. Rerun with --run-id {summary.run_id} "
            "once the provider answers."
        )


@contextlib.contextmanager
def interrupt_hint(run_id: str, continuous: bool = False) -> Iterator[None]:
    """On Ctrl-C: say which run was interrupted and how to resume it (exit status 130)."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo(
            f"\ninterrupted: run {run_id}; results scored so far are stored. Resume with "
            f"the same command and --run-id {run_id}"
            + (" (each continuous cycle has its own id)" if continuous else ""),
            err=True,
        )
        raise SystemExit(130) from None


@click.command("pool")
@click.option("--project", required=True, help="The project whose routing pool this is.")
@click.option("--models", "model_names", multiple=True, required=True, help="The pool's catalog ids.")
@click.option("--suite", "suite_names", multiple=True, default=("agent",), show_default=True)
@click.option("--driver", type=click.Choice(["builtin", "kilo"]), default="builtin", show_default=True)
@click.option("--quota", default=200, show_default=True, help="Task attempts per project per UTC day.")
@click.option("--max-age", default="7d", show_default=True, help="Evidence older than this is stale.")
@click.option("--min-trials", default=10, show_default=True, help="Cells with fewer results are measured.")
@click.option("--per-cell", default=4, show_default=True, help="Tasks per due cell per invocation.")
@click.option("--budget", type=float, default=None, help="USD this invocation may spend.")
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--via-gateway", "gateway_url", default=None, metavar="URL")
@click.option("--gateway-key", envvar="BENCHROUTE_GATEWAY_KEY", default=None)
@click.option("--no-progress", is_flag=True)
@click.pass_context
def pool_cmd(ctx: click.Context, /, **opts: Any) -> None:
    """Measure a project's pool of models where evidence is missing or stale, within a daily quota.

    Attempts are stored under the run id pool-<project>-<UTC date>: rerunning the same day resumes
    and counts against the same quota."""
    settings = load_settings(ctx)
    project, models = opts["project"], [m for v in opts["model_names"] for m in v.split(",") if m.strip()]
    allowed = settings.projects[project].allowed_models if project in settings.projects else ["*"]
    for model in models:
        if not any(fnmatch.fnmatch(model, pattern) for pattern in allowed):
            click.echo(f"warning: {model} is not in project {project}'s allowed_models", err=True)
    run_id = f"pool-{project}-{datetime.now(UTC):%Y%m%d}"
    agent = make_driver(opts["driver"], opts["gateway_url"], opts["gateway_key"])
    with interrupt_hint(run_id):
        _run_pool(ctx, settings, run_id, models, agent, opts)


def _run_pool(
    ctx: click.Context, settings: Any, run_id: str, models: list[str], agent: Any, opts: Any
) -> None:
    from benchroute.bench.agent.record import for_driver
    from benchroute.bench.progress import RichProgress
    from benchroute.bench.runner import BenchError, BenchRunner, RunOptions
    from benchroute.bench.schedule import cells_due, parse_every, plan_refresh
    from benchroute.bench.tasks import TaskError, load_suites
    from benchroute.cli.bench_runtime import print_summary, via_gateway, with_runtime

    try:
        tasks = for_driver(load_suites(list(opts["suite_names"])), agent.name)
        max_age = parse_every(opts["max_age"])
    except (TaskError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    suites = {t.suite for t in tasks}

    async def body(providers: dict[str, Provider], catalog: Catalog, store: Any) -> None:
        stored = await store.list_bench_results()
        used = sum(1 for r in stored if r.run_id == run_id)
        left = opts["quota"] - used
        if left <= 0:
            click.echo(f"pool {opts['project']}: today's quota ({opts['quota']} attempts) is used up")
            return
        evidence = [r for r in stored if r.model in models and r.suite in suites]
        now = datetime.now(UTC)
        due = cells_due(evidence, tasks, models, now=now, max_age=max_age, min_trials=opts["min_trials"])
        pairs = plan_refresh(due, tasks, evidence, per_cell=opts["per_cell"])[:left]
        click.echo(
            f"pool {opts['project']}: {len(due)} cells due, {len(pairs)} attempts planned ({left} left today)"
        )
        runner = BenchRunner(
            providers, catalog, store, progress=None if opts["no_progress"] else RichProgress(), agent=agent
        )
        options = RunOptions(run_id=run_id, concurrency=opts["concurrency"], budget_usd=opts["budget"])
        summary = await runner.run_pairs(pairs, options)
        print_summary(summary)
        fail_if_nothing_scored(summary)

    try:
        if opts["gateway_url"]:
            run(via_gateway(settings, opts["gateway_url"], opts["gateway_key"], models, body))
        else:
            run(with_runtime(settings, body))
    except BenchError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("agents")
@click.option(
    "--json", "as_json", is_flag=True, help="Machine-readable output (the leaderboard's agent section)."
)
@click.option("--run-id", default=None)
@click.pass_context
def agents_cmd(ctx: click.Context, as_json: bool, run_id: str | None) -> None:
    """Agent results per driver and model: pass rate per cell, malformed tool calls, turns, cost."""
    import json

    from benchroute.bench.agent.evidence import agent_section
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)

    async def fetch() -> list[Any]:
        async with started_store(settings) as store:
            return list(await store.list_bench_results(run_id=run_id))

    section = agent_section(run(fetch()))
    if as_json:
        click.echo(json.dumps(section, indent=2))
        return
    for driver, block in section.items():
        click.echo(f"driver {driver} ({', '.join(block['version'])})")
        for model, entry in block["models"].items():
            use = entry["tool_use"]
            passed, rate = f"{use['passed']}/{use['attempts']}", use["malformed_rate"]
            click.echo(
                f"  {model:<38} {passed} passed  malformed {rate:.1%}  turns {use['mean_turns']:.1f}  "
                f"${use['mean_cost_usd']:.4f}/task  {use['mean_wall_s']:.0f}s/task"
            )
            for cell, stats in sorted(entry["cells"].items()):
                low, high = stats["wilson"]
                count = f"{stats['successes']:.0f}/{stats['trials']:.0f}"
                click.echo(f"      {cell:<20} {count}  [{low:.2f}, {high:.2f}]")
