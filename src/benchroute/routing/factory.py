"""Building a Router from settings and disk: catalog, evidence, classifier, free pool, keys.

The only part of routing that does I/O (file reads, environment variables); the Router it builds
is pure.
"""

from __future__ import annotations

import os
from typing import Any

from benchroute.catalog.model import Catalog
from benchroute.routing.classifier import Classifier
from benchroute.routing.evidence import load_default_snapshot, load_snapshot
from benchroute.routing.freepool import FreePool, FreePoolSource
from benchroute.routing.tiers import Defaults
from benchroute.settings import Settings


def keyed_models(settings: Settings, catalog: Catalog) -> frozenset[str]:
    """Catalog ids the gateway could call with its own credentials: local models, models of a
    configured provider, and models whose built-in provider's key variable is set."""
    keyed = {name for name, var in catalog.key_env.items() if os.environ.get(var)} | set(settings.providers)
    return frozenset(m.id for m in catalog if m.local or m.provider in keyed)


def load_classifier(settings: Settings) -> Classifier:
    """The classifier artifact from `settings.classifier`, else the shipped one."""
    from benchroute.routing import textclf

    path = settings.classifier or textclf.default_path()
    try:
        return textclf.TextClassifier.load(path)
    except FileNotFoundError as exc:
        raise RuntimeError(
            f"no classifier artifact at {path}: train one with `benchroute train` or set `classifier` "
            "in the config to an artifact directory"
        ) from exc


def router_args(
    settings: Settings,
    *,
    catalog: Catalog | None = None,
    classifier: Classifier | None = None,
    only_keyed: bool = True,
    keyed: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The `Router(...)` arguments: `catalog` (else the shipped one with the config's `[[models]]`),
    the configured (else shipped) leaderboard and classifier, the free pool. With `only_keyed`,
    auto tiers choose only models the gateway can call (`keyed_models`). Raises when the
    leaderboard or classifier cannot be read."""
    if catalog is None:
        from benchroute.catalog.loader import load_catalog

        catalog = load_catalog(settings)
    snapshot = load_snapshot(settings.leaderboard) if settings.leaderboard else load_default_snapshot()
    pool = FreePoolSource(settings.tiers.free_pool, FreePool.from_catalog(catalog)).current()
    return {
        "catalog": catalog,
        "snapshot": snapshot,
        "classifier": classifier or load_classifier(settings),
        "tiers": settings.tiers,
        "free_pool": pool,
        "projects": settings.projects,
        "routable": keyed_models(settings, catalog) if only_keyed else None,
        "keyed": keyed,
    }


def default_args(settings: Settings | None = None, *, classifier: Classifier | None = None) -> dict[str, Any]:
    """`Router.default()`'s arguments: the whole catalog, whatever keys are set, and which models
    have a key here (the Decision says so)."""
    from benchroute.catalog.loader import load_catalog

    settings = settings or Settings.load()
    catalog = load_catalog(settings)
    keyed = keyed_models(settings, catalog)
    return router_args(settings, catalog=catalog, classifier=classifier, only_keyed=False, keyed=keyed)


def shipped_defaults(catalog: Catalog, settings: Settings | None = None) -> Defaults:
    """The evidence-derived tier defaults over `catalog` and the configured (else shipped)
    leaderboard, for callers that price an always-Frontier choice without a Router at hand."""
    from benchroute.routing.policy import PolicyTable
    from benchroute.routing.tiers import evidence_defaults

    path = settings.leaderboard if settings is not None else None
    snapshot = load_snapshot(path) if path else load_default_snapshot()
    return evidence_defaults(PolicyTable(snapshot, catalog))
