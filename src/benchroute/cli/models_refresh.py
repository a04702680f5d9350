"""`benchroute models refresh`: rebuild the catalog from the installed genai-prices and, where a
provider key is set, the provider's own model list.

    benchroute models refresh                 # rewrite the catalog file the package ships
    benchroute models refresh --out my.toml   # write elsewhere
    benchroute models refresh --dry-run       # only report what would change

Every current chat model genai-prices knows for the built-in providers is added (catalog/build.py
rules), every entry is re-priced from the installed genai-prices, and for each provider whose key
is set, models the provider no longer lists are dropped and reported.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from dataclasses import replace
from pathlib import Path

import click

from benchroute.catalog.build import Entry, generated_entries, merge_entries, render
from benchroute.catalog.model import ModelInfo
from benchroute.cli.context import load_settings
from benchroute.cli.models import models as list_models


def builtin_key_env() -> dict[str, str]:
    """provider -> API key variable of the built-in providers, written into the catalog so that
    routing can tell which providers have a key without importing the providers package."""
    from benchroute.providers.registry import BUILTIN_PROVIDERS

    return {p.name: p.api_key_env for p in BUILTIN_PROVIDERS if p.api_key_env}


_SOURCE_REF = re.compile(r"\(([\w.-]+)/([^()]+)\)")


def entry_of(model: ModelInfo) -> Entry:
    """A catalog entry back as a build entry: priced again by the genai-prices model it came from,
    or kept at its current price when the installed genai-prices no longer knows it."""
    from benchroute.catalog.build import lookup_prices

    found = _SOURCE_REF.search(model.price_source)
    caps = ",".join(
        c
        for c, on in (("tools", model.tools), ("vision", model.vision), ("reasoning", model.reasoning))
        if on
    )
    entry = Entry(
        id=model.id,
        upstream_id=model.upstream_id,
        name=model.name,
        context=model.context,
        caps=caps,
        apis=tuple(sorted(model.apis)),
        max_output=model.max_output,
        free=model.free,
        price_ref=found.group(2) if found else None,
        manual_price=(0.0, 0.0, model.price_source) if model.free else None,
    )
    if entry.manual_price is None:
        try:
            lookup_prices(entry)
        except LookupError:
            kept = f"{model.price_source}; kept, not in the installed genai-prices"
            entry = replace(entry, manual_price=(model.input_price, model.output_price, kept))
    return entry


def provider_listing(base_url: str, key: str, kind: str) -> set[str] | None:
    """The model ids a provider lists (GET /models), or None when it cannot be asked."""
    url = base_url.rstrip("/") + ("/v1/models" if kind == "anthropic" else "/models")
    headers = (
        {"x-api-key": key, "anthropic-version": "2023-06-01"}
        if kind == "anthropic"
        else {"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=15) as resp:
            data = json.loads(resp.read())
    except (OSError, ValueError):
        return None
    rows = data.get("data", []) if isinstance(data, dict) else []
    return {str(r.get("id", "")).removeprefix("models/") for r in rows if isinstance(r, dict)}


def listed_by_keyed_providers(entries: tuple[Entry, ...]) -> tuple[tuple[Entry, ...], list[str]]:
    """Entries whose keyed provider does not list them are dropped; returns (kept, dropped ids)."""
    from benchroute.providers.registry import BUILTIN_PROVIDERS

    dropped: list[str] = []
    listings: dict[str, set[str]] = {}
    for spec in BUILTIN_PROVIDERS:
        key = os.environ.get(spec.api_key_env or "")
        if key:
            listing = provider_listing(spec.base_url, key, spec.kind)
            if listing:
                listings[spec.name] = listing
                click.echo(f"{spec.name}: the provider lists {len(listing)} models")
    kept = []
    for e in entries:
        listing = listings.get(e.provider)
        if listing is not None and e.upstream_id not in listing:
            dropped.append(e.id)
        else:
            kept.append(e)
    return tuple(kept), dropped


@click.command("refresh")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Catalog file to write."
)
@click.option("--dry-run", is_flag=True, help="Report the changes, write nothing.")
@click.pass_context
def refresh(ctx: click.Context, out: Path | None, dry_run: bool) -> None:
    """Rebuild the catalog from the installed genai-prices (and keyed providers' model lists)."""
    from benchroute.catalog.loader import read_catalog_file, shipped_catalog_path

    load_settings(ctx)
    target = out or shipped_catalog_path()
    current = read_catalog_file(shipped_catalog_path())
    entries = merge_entries([entry_of(m) for m in current], generated_entries())
    entries, dropped = listed_by_keyed_providers(entries)
    before = {m.id for m in current}
    added = [e.id for e in entries if e.id not in before]
    text = render(entries, builtin_key_env())
    click.echo(
        f"{len(entries)} models: {len(added)} added, {len(dropped)} dropped (not listed by their provider)"
    )
    for model_id in added:
        click.echo(f"  + {model_id}")
    for model_id in dropped:
        click.echo(f"  - {model_id}")
    if dry_run:
        return
    target.write_text(text)
    click.echo(f"wrote {target}")


@click.group("models", invoke_without_command=True, params=list(list_models.params), help=list_models.help)
@click.pass_context
def models(ctx: click.Context, /, **options: object) -> None:
    if ctx.invoked_subcommand is None and list_models.callback is not None:
        ctx.invoke(list_models, **options)


models.add_command(refresh)
