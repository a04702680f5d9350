"""`benchroute route "prompt"`: the routing Decision for a prompt, and why."""

from __future__ import annotations

import sys
from typing import Any

import click
import orjson

from benchroute.cli.context import load_settings
from benchroute.cli.readiness import callable_here
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.routing.classifier import CellPrediction, Classifier
from benchroute.routing.decision import Candidate, Decision
from benchroute.routing.figures import DIGITS, digits_apart, fmt
from benchroute.wire.canonical import ChatRequest

DEFAULT_TOP = 25  # candidate rows in the table (a Decision lists up to ~90)

TIER_CHOICES = {
    "efficient": "auto/efficient",
    "frontier": "auto/frontier",
    "balanced": "auto/balanced",
    "free": "auto/free",
}


class _OnFirstUse:
    """Loads the classifier only when a tier needs it, so `--tier balanced` works without one."""

    def __init__(self, settings: Any) -> None:
        self._settings = settings
        self._loaded: Classifier | None = None

    def classify(self, request: ChatRequest) -> CellPrediction:
        if self._loaded is None:
            from benchroute.routing.factory import load_classifier

            self._loaded = load_classifier(self._settings)
        return self._loaded.classify(request)


def _mode(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A client mode the router and the classifier know (`routing.features.KNOWN_MODES`), lower-cased:
    an unknown one would be routed as no mode at all, silently."""
    if value is None:
        return None
    from benchroute.routing.features import KNOWN_MODES

    mode = value.strip().lower()
    if mode not in KNOWN_MODES:
        raise click.BadParameter(f"{value!r} is not a known mode: use one of {', '.join(KNOWN_MODES)}")
    return mode


def _prompt(value: str) -> str:
    """PROMPT as given; `-` reads it from stdin (a long paste can be piped in)."""
    if value != "-":
        return value
    text = click.get_text_stream("stdin").read()
    if not text.strip():
        raise click.UsageError("PROMPT is '-' but stdin is empty: pipe the prompt in")
    return text


@click.command("route")
@click.argument("prompt")
@click.option(
    "--mode",
    default=None,
    callback=_mode,
    help="Client mode: plan, architect, debug, orchestrator, ask, code, build, explore or review.",
)
@click.option(
    "--tier",
    default=None,
    help="efficient | frontier | balanced | free, any tier id or alias, or a catalog id "
    "(default: the project's tier).",
)
@click.option("--dial", type=click.FloatRange(0.0, 1.0), default=None, help="Override the project's dial.")
@click.option("--project", "project_name", default="default", show_default=True, help="Project settings.")
@click.option("--system", default=None, help="A system prompt to send with the prompt.")
@click.option(
    "--api",
    "api_kind",
    type=click.Choice(["chat", "messages", "responses"]),
    default="chat",
    show_default=True,
)
@click.option(
    "--keyed-only",
    is_flag=True,
    help="Route only to models the gateway could call now (provider key set, or local), as `serve` does. "
    "Default: assume every provider has a key.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=DEFAULT_TOP,
    show_default=True,
    help="Candidates shown in the table, by expected accuracy (the chosen model always); 0 shows all.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the Decision as JSON (every candidate).")
@click.pass_context
def route(
    ctx: click.Context,
    prompt: str,
    mode: str | None,
    tier: str | None,
    dial: float | None,
    project_name: str,
    system: str | None,
    api_kind: str,
    keyed_only: bool,
    top: int,
    as_json: bool,
) -> None:
    """Show which model PROMPT would be routed to, and why. PROMPT `-` reads it from stdin."""
    from benchroute.routing.router import Router
    from benchroute.routing.static import RouteError

    prompt = _prompt(prompt)
    settings = load_settings(ctx)
    project = settings.project(project_name)
    if dial is not None:
        project = project.model_copy(update={"dial": dial})
    model = TIER_CHOICES.get(tier, tier) if tier else "auto"
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    headers = {"x-benchroute-mode": mode} if mode else {}
    try:
        router = Router.from_settings(settings, classifier=_OnFirstUse(settings), only_keyed=keyed_only)
        decision = router.decide(
            {"model": model, "messages": messages}, headers, project=project, api_kind=api_kind
        )
    except (RouteError, RuntimeError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc

    def keyed_pick() -> str:  # what `serve` would route to: callable models only
        keyed = Router.from_settings(settings, classifier=_OnFirstUse(settings), only_keyed=True)
        request = {"model": model, "messages": messages}
        return keyed.decide(request, headers, project=project, api_kind=api_kind).model

    here = callable_here(settings, router.catalog, decision.model, keyed_pick)
    if as_json:
        data = {**decision.to_dict(), **here.as_dict()}
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    _print(decision, router.snapshot, top)
    if not here.ok:
        click.echo(here.note(decision.model))


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:.6f}" if value < 0.01 else f"${value:.4f}"


RAW_Z = 1.645  # the raw pass rate's Wilson interval at 90%, the level of every interval a Decision has


def _evidence(snapshot: Snapshot, model: str, cell: str | None) -> str:
    """n and the 90% Wilson interval of the raw pass rate on the request's top cell."""
    stats = snapshot.get(model, cell) if cell else None
    if stats is None:
        return "-"
    lo, hi = stats.wilson(RAW_Z)
    return f"{stats.trials:g} [{lo:.2f}, {hi:.2f}]"


def shown(candidates: tuple[Candidate, ...], chosen: str, top: int) -> list[Candidate]:
    """The first `top` candidates (all for 0), and the chosen model where it is further down."""
    if top == 0 or len(candidates) <= top:
        return list(candidates)
    head = list(candidates[:top])
    return head + [c for c in candidates[top:] if c.model == chosen]


def _print(d: Decision, snapshot: Snapshot, top: int = 0) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if console.width < 140:  # model ids are long: a readable table beats an 80-column one
        console = Console(highlight=False, width=140)
    console.print(f"[bold]{d.model}[/bold]  tier {d.tier}  reason {d.reason}")
    console.print(d.explanation)
    if d.cells:
        cells = ", ".join(f"{c} {p:.0%}" for c, p in d.cells.items())
        conf = f"{d.confidence:.2f}" if d.confidence is not None else "-"
        console.print(f"cells: {cells}  (confidence {conf})")
    # one rounding (routing/figures.py): the bar and every L with the decimals that keep them apart,
    # so a candidate's "L ≥ bar" (or its absence) reads true
    n = (
        digits_apart((c.low, d.bar) for c in d.candidates if c.low is not None)
        if d.bar is not None
        else DIGITS
    )
    facts = [f"expected cost {_usd(d.expected_cost)}"]
    if d.bar is not None:
        facts.append(f"bar {fmt(d.bar, n)}")
    if d.dial is not None:
        facts.append(f"dial {d.dial:g}")
    if d.frontier_model:
        facts.append(f"frontier {d.frontier_model} {_usd(d.frontier_cost)}")
    if d.fallbacks:
        facts.append(f"fallbacks {', '.join(d.fallbacks)}")
    console.print("  ".join(facts))
    if not d.candidates:
        return
    table = Table(title="candidates (A = expected accuracy on this request, [L, U] its interval)")
    table.add_column("model", no_wrap=True)
    table.add_column("A(m) [L, U]", justify="right", no_wrap=True)
    table.add_column("expected cost", justify="right")
    top_cell = next(iter(d.cells), None)
    table.add_column(f"n, raw rate 90% CI on {top_cell}" if top_cell else "evidence", justify="right")
    table.add_column("eligible")
    table.add_column("note", overflow="fold")
    rows = shown(d.candidates, d.model, top)
    for c in rows:
        acc = _accuracy(c, n)
        above = d.bar is not None and c.low is not None and c.low >= d.bar - 1e-9  # the rule's test: L ≥ bar
        mark = "→ " if c.model == d.model else "  "
        table.add_row(
            mark + c.model,
            acc + (" L ≥ bar" if above and c.eligible else ""),
            _usd(c.expected_cost),
            _evidence(snapshot, c.model, top_cell),
            "yes" if c.eligible else "no",
            c.note,
        )
    console.print(table)
    if len(rows) < len(d.candidates):
        console.print(f"… and {len(d.candidates) - len(rows)} more candidates (--top 0 shows them all)")


def _accuracy(c: Candidate, n: int = DIGITS) -> str:
    if c.expected_accuracy is None:
        return "-"
    if c.low is None or c.high is None:
        return fmt(c.expected_accuracy, n)
    return f"{fmt(c.expected_accuracy, n)} [{fmt(c.low, n)}, {fmt(c.high, n)}]"
