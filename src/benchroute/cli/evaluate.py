"""`benchroute evaluate`: fit the router on TRAIN outcomes, write its choices for TEST prompts.

TEST is read twice: once with outcomes dropped (what the router sees), and, after the choices are
made, once more to score them when it carries outcomes.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from benchroute.evaluate.outcomes import OutcomeFormatError, read_jsonl
from benchroute.evaluate.run import DEFAULT_POINTS, fit_and_choose, format_report, score


@click.command(name="evaluate")
@click.option(
    "--train", "train_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option(
    "--test", "test_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option(
    "--choices",
    "choices_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write one line per TEST prompt and operating point.",
)
@click.option("--points", type=click.IntRange(min=12), default=DEFAULT_POINTS, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def evaluate(
    train_path: Path, test_path: Path, choices_path: Path, points: int, seed: int, as_json: bool
) -> None:
    """Replay the router over outcome data (see docs/evaluate.md)."""
    try:
        train = read_jsonl(train_path)
        prompts = read_jsonl(test_path, read_outcomes=False)
    except OutcomeFormatError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        choices = fit_and_choose(train, prompts, seed=seed, n_points=points)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    with open(choices_path, "w", encoding="utf-8") as fh:
        for line in choices.lines():
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    report = score(choices, read_jsonl(test_path))
    if as_json:
        payload = {
            "train": len(train),
            "test": len(prompts),
            "points": choices.labels,
            "point_policies": dict(zip(choices.labels, choices.router_policy.describe(), strict=True)),
            "report": report.to_json() if report is not None else None,
        }
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(f"wrote {len(prompts) * len(choices.labels)} choices to {choices_path}")
    if report is not None:
        click.echo(format_report(report))
    else:
        click.echo("TEST has no outcomes: choices written, nothing to score.")
