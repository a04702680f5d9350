"""Build the Catalog: shipped entries, then discovered local models, then `[[models]]` from config.

The shipped file `benchroute/data/catalog.toml` already carries prices (precomputed from the
genai-prices bundled snapshot by `scripts/build_catalog.py`), so loading is one `tomllib` parse:
genai-prices is never imported at run time and nothing is fetched; the reasoning-effort token
factors are `benchroute/data/effort_tokens.json` (`scripts/build_effort_tokens.py`, catalog/effort.py).
Nothing is cached in module
globals; callers keep the Catalog they get (the gateway builds it once in its lifespan).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from benchroute.catalog.effort import load_default_effort
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.settings import ModelOverride, Settings
from benchroute.wire.canonical import ApiKind

_API_KINDS = frozenset(get_args(ApiKind))
_FIELDS = {f.name for f in fields(ModelInfo)}
_PRICE_FIELDS = ("input_price", "output_price", "cache_read_price", "cache_write_price")

# What a discovered local server reports: (provider name, kind, base URL, model ids).
Discovered = tuple[str, str, str, Sequence[str]]


class CatalogError(ValueError):
    """A catalog file or `[[models]]` entry that cannot be turned into a ModelInfo."""


def shipped_catalog_path() -> Path:
    return Path(str(resources.files("benchroute").joinpath("data", "catalog.toml")))


def _model_from_dict(raw: dict[str, Any], where: str) -> ModelInfo:
    unknown = set(raw) - _FIELDS
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {sorted(unknown)}")
    try:
        data = dict(raw)
        apis = data.pop("apis", None)
        if apis is not None:
            bad = set(apis) - _API_KINDS
            if bad:
                raise CatalogError(f"{where}: unknown api kind(s) {sorted(bad)}")
            data["apis"] = frozenset(apis)
        return ModelInfo(**data)
    except TypeError as exc:
        raise CatalogError(f"{where}: {exc}") from exc


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"cannot read catalog {path}: {exc}") from exc


def read_key_env(path: str | Path) -> dict[str, str]:
    """The `[provider_keys]` table of a catalog file: provider -> API key environment variable."""
    table = _read(Path(path)).get("provider_keys", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise CatalogError(f"{path}: `provider_keys` must map provider names to variable names")
    return dict(table)


def read_catalog_file(path: str | Path) -> list[ModelInfo]:
    """The `[[models]]` tables of a catalog TOML file."""
    path = Path(path)
    doc = _read(path)
    models = doc.get("models", [])
    if not isinstance(models, list):
        raise CatalogError(f"{path}: `models` must be an array of tables")
    return [_model_from_dict(m, f"{path} models[{i}]") for i, m in enumerate(models)]


def local_models(discovered: Iterable[Discovered]) -> list[ModelInfo]:
    """Catalog entries for models found on local servers: free, `local=True`, id `server/model`."""
    found: list[ModelInfo] = []
    for name, _kind, _base_url, model_ids in discovered:
        for model_id in model_ids:
            found.append(
                ModelInfo(
                    id=f"{name}/{model_id}",
                    provider=name,
                    upstream_id=model_id,
                    name=model_id,
                    free=True,
                    local=True,
                    price_source="local",
                )
            )
    return found


def apply_override(base: ModelInfo | None, override: ModelOverride) -> ModelInfo:
    """A `[[models]]` entry applied to a shipped model (fields it sets win), or a new model."""
    given = override.model_dump(exclude_none=True)
    given.pop("id")
    if "apis" in given:
        given["apis"] = frozenset(given["apis"])
    priced = any(k in given for k in _PRICE_FIELDS)
    if base is not None:
        if priced:
            given["price_source"] = "config"
        return replace(base, **given)
    provider, _, rest = override.id.partition("/")
    given.setdefault("provider", provider)
    given.setdefault("upstream_id", rest or override.id)
    given["price_source"] = "config"
    try:
        return ModelInfo(id=override.id, **given)
    except TypeError as exc:
        raise CatalogError(f"[[models]] {override.id}: {exc}") from exc


def load_catalog(
    settings: Settings | None = None,
    *,
    discovered: Iterable[Discovered] = (),
    path: str | Path | None = None,
) -> Catalog:
    """Shipped (or `path`) entries + discovered local models + the config's `[[models]]`, with the
    shipped reasoning-effort token factors (catalog/effort.py)."""
    source = path or shipped_catalog_path()
    models = {m.id: m for m in read_catalog_file(source)}
    for model in local_models(discovered):
        models[model.id] = model
    for override in settings.models if settings is not None else ():
        models[override.id] = apply_override(models.get(override.id), override)
    return Catalog(models.values(), read_key_env(source), load_default_effort())
