"""`benchroute models`: the model catalog as a table or JSON."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import click

from benchroute.catalog.model import ModelInfo
from benchroute.cli import table
from benchroute.cli.context import load_settings, run

if TYPE_CHECKING:
    from benchroute.providers.discovery import LocalServer
    from benchroute.providers.readiness import ProviderReadiness


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


COLUMNS = (
    table.Column("ok", keep=True),
    table.Column("id", keep=True),
    table.Column("ctx", right=True),
    table.Column("$/M in/out", right=True),
    table.Column("caps"),
    table.Column("apis"),
)


def _caps(m: ModelInfo) -> str:
    caps = [c for c in ("tools", "vision", "reasoning") if getattr(m, c)]
    caps += ["free"] * m.free + ["local"] * m.local
    return ",".join(caps)


def _context(tokens: int) -> str:
    return f"{tokens // 1000}k" if tokens >= 10_000 else f"{tokens:,}"


@click.command("models")
@click.option("--provider", "-p", default=None, help="Only models of this provider.")
@click.option("--free", "free_only", is_flag=True, help="Only free models (OpenRouter :free, local).")
@click.option(
    "--capability",
    type=click.Choice(["tools", "vision", "reasoning"]),
    multiple=True,
    help="Only models with this capability (repeatable).",
)
@click.option("--callable", "callable_only", is_flag=True, help="Only models this gateway can call here.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@table.format_option()
@click.option("--discover", is_flag=True, help="Also list models of local Ollama / LM Studio servers.")
@click.pass_context
def models(
    ctx: click.Context,
    provider: str | None,
    free_only: bool,
    capability: tuple[str, ...],
    callable_only: bool,
    as_json: bool,
    fmt: str | None,
    discover: bool,
) -> None:
    """List the model catalog (shipped entries plus [[models]] from the config).

    "ok" is * for a model the gateway can call here (its provider's key is set, or it is local).
    """
    from benchroute.catalog.loader import CatalogError, load_catalog
    from benchroute.providers.readiness import model_readiness, provider_readiness

    out = table.output_format(as_json, fmt)
    settings = load_settings(ctx)
    found = run(_discover()) if discover else []
    try:
        catalog = load_catalog(settings, discovered=found)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    ready = model_readiness(catalog, provider_readiness(settings, found))
    selected = [
        m
        for m in catalog
        if (provider is None or m.provider == provider)
        and (not free_only or m.free)
        and (not callable_only or ready[m.id].ready)
        and all(getattr(m, cap) for cap in capability)
    ]
    selected.sort(key=lambda m: (m.provider, m.input_price + m.output_price, m.id))
    records = [
        {
            **_row(m),
            "callable": ready[m.id].ready,
            "not_callable_because": ready[m.id].why * (not ready[m.id].ready),
        }
        for m in selected
    ]
    if out == "json":
        click.echo(table.dumps(records))
        return
    if out == "csv":
        click.echo(table.to_csv(records), nl=False)
        return
    _print_table(selected, ready)


def _print_table(selected: list[ModelInfo], ready: dict[str, ProviderReadiness]) -> None:
    rows = [
        [
            "*" if ready[m.id].ready else "",
            m.id,
            _context(m.context),
            f"{_price(m.input_price)}/{_price(m.output_price)}",
            _caps(m),
            ",".join(sorted(m.apis)),
        ]
        for m in selected
    ]
    n = sum(1 for m in selected if ready[m.id].ready)
    click.echo(f"{len(selected)} models, {n} callable here (*)")
    click.echo(table.render(COLUMNS, rows))
    if n < len(selected):
        missing = sorted({ready[m.id].env_var or m.provider for m in selected if not ready[m.id].ready})
        note = f"not callable: no key in {', '.join(missing)} (`benchroute doctor` says more)"
        click.echo(textwrap.fill(note, table.width()))
