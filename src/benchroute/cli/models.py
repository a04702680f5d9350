"""`benchroute models`: the model catalog as a table or JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from benchroute.catalog.model import ModelInfo
from benchroute.cli.context import load_settings, run

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from benchroute.providers.discovery import LocalServer


async def _discover() -> list[LocalServer]:
    from benchroute.providers.discovery import discover_local
    from benchroute.providers.http import create_session

    async with create_session(connect_timeout=0.5, read_timeout=0.5) as session:
        return await discover_local(session)


def _row(model: ModelInfo) -> dict[str, Any]:
    return {
        "id": model.id,
        "provider": model.provider,
        "upstream_id": model.upstream_id,
        "name": model.name,
        "context": model.context,
        "max_output": model.max_output,
        "input_price": model.input_price,
        "output_price": model.output_price,
        "cache_read_price": model.cache_read_price,
        "cache_write_price": model.cache_write_price,
        "tools": model.tools,
        "vision": model.vision,
        "reasoning": model.reasoning,
        "free": model.free,
        "local": model.local,
        "apis": sorted(model.apis),
        "price_source": model.price_source,
    }


def _price(value: float) -> str:
    return "0" if value == 0 else f"{value:.3f}".rstrip("0").rstrip(".")


@click.command("models")
@click.option("--provider", "-p", default=None, help="Only models of this provider.")
@click.option("--free", "free_only", is_flag=True, help="Only free models (OpenRouter :free, local).")
@click.option(
    "--capability",
    type=click.Choice(["tools", "vision", "reasoning"]),
    multiple=True,
    help="Only models with this capability (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--discover", is_flag=True, help="Also list models of local Ollama / LM Studio servers.")
@click.pass_context
def models(
    ctx: click.Context,
    provider: str | None,
    free_only: bool,
    capability: tuple[str, ...],
    as_json: bool,
    discover: bool,
) -> None:
    """List the model catalog (shipped entries plus [[models]] from the config)."""
    from benchroute.catalog.loader import CatalogError, load_catalog

    settings = load_settings(ctx)
    found = run(_discover()) if discover else []
    try:
        catalog = load_catalog(settings, discovered=found)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    selected = [
        m
        for m in catalog
        if (provider is None or m.provider == provider)
        and (not free_only or m.free)
        and all(getattr(m, cap) for cap in capability)
    ]
    selected.sort(key=lambda m: (m.provider, m.input_price + m.output_price, m.id))
    if as_json:
        click.echo(json.dumps([_row(m) for m in selected], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(selected)} models", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("id", "left"),
        ("context", "right"),
        ("in $/M", "right"),
        ("out $/M", "right"),
        ("caps", "left"),
        ("apis", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify, overflow="fold")
    for m in selected:
        caps = ",".join(c for c in ("tools", "vision", "reasoning") if getattr(m, c))
        if m.free:
            caps = f"{caps},free" if caps else "free"
        if m.local:
            caps = f"{caps},local"
        table.add_row(
            m.id,
            f"{m.context:,}",
            _price(m.input_price),
            _price(m.output_price),
            caps,
            ",".join(sorted(m.apis)),
        )
    Console(soft_wrap=True).print(table)
