"""`benchroute train`: rebuild the task classifier artifact from the labelled request set."""

from __future__ import annotations

import json
from pathlib import Path

import click

DEFAULT_OUT = Path("src/benchroute/data/classifier")
DEFAULT_REQUESTS = Path("data/requests/requests.jsonl")


@click.command("train")
@click.option(
    "--requests",
    "requests_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=DEFAULT_REQUESTS,
    show_default=True,
    help="The labelled request set (JSONL with train/dev/test splits; see docs/taxonomy.md).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where to write the artifact (model.npz, vocab.json, meta.json).",
)
@click.option("--seed", type=int, default=0, show_default=True)
def train(requests_path: Path, out: Path, seed: int) -> None:
    """Train the task classifier on train, calibrate on dev, and print the test figures."""
    try:
        from benchroute.train import data, fit
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise click.ClickException(
            f"{exc}; install the train extra: pip install 'benchroute[train]'"
        ) from exc

    click.echo(f"reading {requests_path}", err=True)
    splits = data.load(requests_path)
    clf, report = fit.train(splits, fit.TrainConfig(seed=seed))
    clf.save(out)
    test = {k: v for k, v in report["test"].items() if not isinstance(v, (dict, list))}
    click.echo(json.dumps({"counts": report["counts"], "config": report["config"], "test": test}, indent=2))
    click.echo(f"wrote {out}", err=True)
