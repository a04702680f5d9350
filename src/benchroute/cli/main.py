"""The `benchroute` command. Each subcommand lives in its own module and is imported lazily."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

# name -> (module, attribute, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "serve": ("benchroute.cli.serve", "serve", "Run the gateway."),
    "models": (
        "benchroute.cli.models_refresh",
        "models",
        "List the model catalog; `models refresh` rebuilds it.",
    ),
    "keys": ("benchroute.cli.keys", "keys", "Create, list and revoke gateway keys."),
    "usage": ("benchroute.cli.usage", "usage", "Show usage and cost."),
    "route": ("benchroute.cli.route", "route", "Show the routing decision for a prompt."),
    "bench": ("benchroute.cli.bench", "bench", "Run benchmark suites against models."),
    "leaderboard": ("benchroute.cli.leaderboard", "leaderboard", "Show or publish the leaderboard."),
    "evaluate": ("benchroute.cli.evaluate", "evaluate", "Replay a router over outcome data."),
    "train": ("benchroute.cli.train", "train", "Train the task classifier."),
    "db": ("benchroute.cli.db", "db", "Database migrations."),
    "doctor": ("benchroute.cli.doctor", "doctor", "Check keys, local servers, store and routing."),
}


# subcommand -> (extra, modules it needs beyond the gateway's own dependencies)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bench": ("bench", ("jsonschema", "yaml")),
    "evaluate": ("evaluate", ("threadpoolctl",)),
    "train": ("train", ("sklearn",)),
}


def _missing_extra(cmd_name: str) -> str | None:
    extra, modules = EXTRAS.get(cmd_name, ("", ()))
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return None
    return f"`benchroute {cmd_name}` needs {', '.join(missing)}: pip install 'benchroute[{extra}]'"


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = SUBCOMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attr, _ = spec
        hint = _missing_extra(cmd_name)
        if hint is not None:
            raise click.ClickException(hint)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: Any) -> None:
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.option(
    "--config",
    "-c",
    type=click.Path(dir_okay=False),
    envvar="BENCHROUTE_CONFIG",
    default=None,
    help="TOML config file (default: none; env BENCHROUTE_CONFIG).",
)
@click.version_option(package_name="benchroute")
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """benchroute: a benchmark-backed model router for coding assistants."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


def main() -> None:
    cli(obj={})
