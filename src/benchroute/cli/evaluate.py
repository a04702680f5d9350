"""`benchroute evaluate`: the production router replayed: evidence from TRAIN outcomes, choices for
TEST prompts.

TEST is read twice: once with outcomes dropped (what the router sees), and, after the choices are
made, once more to score them when it carries outcomes.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from benchroute.evaluate.outcomes import OutcomeFormatError, read_jsonl


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
    help="Where to write one line per TEST prompt and dial point.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def evaluate(train_path: Path, test_path: Path, choices_path: Path, as_json: bool) -> None:
    """Replay the production router over outcome data (see docs/evaluate.md): TRAIN built into
    fitted evidence as the leaderboard is, TEST routed by the shipped classifier and the gateway's
    Router at dials 0-1."""
    _production(train_path, test_path, choices_path, as_json)


def _production(train_path: Path, test_path: Path, choices_path: Path, as_json: bool) -> None:
    from benchroute.evaluate.curve import single_model_points
    from benchroute.evaluate.outcomes import OutcomeMatrix
    from benchroute.evaluate.replay import replay, score_replay
    from benchroute.routing.factory import load_classifier
    from benchroute.settings import Settings

    try:
        train = read_jsonl(train_path)
        prompts = read_jsonl(test_path, read_outcomes=False)
    except OutcomeFormatError as exc:
        raise click.ClickException(str(exc)) from exc
    choices = replay(train, prompts, load_classifier(Settings()))
    with open(choices_path, "w", encoding="utf-8") as fh:
        for dial, models in choices.items():
            for rec, model in zip(prompts, models, strict=True):
                fh.write(json.dumps({"id": rec.id, "point": f"dial {dial:g}", "model": model}) + "\n")
    truth = read_jsonl(test_path)
    if not any(r.outcomes for r in truth):
        click.echo(f"wrote {len(prompts) * len(choices)} choices; TEST has no outcomes to score")
        return
    points = score_replay(choices, truth)
    singles = single_model_points(OutcomeMatrix.from_records(truth))
    if as_json:
        rows = [{"label": p.label, "cost": p.cost, "quality": p.quality} for p in [*points, *singles]]
        click.echo(json.dumps({"train": len(train), "test": len(prompts), "points": rows}, indent=2))
        return
    for p in [*points, *sorted(singles, key=lambda q: q.cost)]:
        click.echo(f"{p.label:40} cost {p.cost:.6f}  quality {p.quality:.4f}")
