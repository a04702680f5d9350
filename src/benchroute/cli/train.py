"""`benchroute train`: rebuild the task classifier artifact from the public data, deterministically."""

from __future__ import annotations

import json
from pathlib import Path

import click

DEFAULT_OUT = Path("src/benchroute/data/classifier")


@click.command("train")
@click.option(
    "--data",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("../shared/data"),
    show_default=True,
    help="Folder with the public datasets.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where to write the artifact (model.npz, vocab.json, meta.json).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--limit", type=int, default=None, help="Train on a stable subset of this many examples.")
def train(data: Path, out: Path, seed: int, limit: int | None) -> None:
    """Train the task classifier and print its held-out metrics."""
    try:
        from benchroute.train import dataset, fit
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise click.ClickException(
            f"{exc}; install the train extra: pip install 'benchroute[train]'"
        ) from exc

    click.echo(f"assembling labelled data from {data} (seed {seed})", err=True)
    ds = dataset.build(data, seed=seed, limit=limit)
    click.echo(f"{len(ds.examples)} examples; training", err=True)
    clf, metrics = fit.train(ds)
    clf.save(out)
    summary = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    click.echo(json.dumps(summary, indent=2))
    click.echo(f"wrote {out}", err=True)
