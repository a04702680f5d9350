"""`Router`: the benchmark-backed `RoutingEngine`, and the in-process API (`from benchroute import
Router`).

The Router is pure: it holds an immutable catalog, evidence (as a precomputed `PolicyTable`),
classifier and free pool, and `route` does no I/O. It dispatches to one strategy per tier
(efficient.py, frontier.py, balanced.py, free.py; manual ids in static.py), each with one
`decide`. Loading from settings and disk is factory.py's (`Router.default`, `from_settings`
only pass its arguments on).
Whatever changes is swapped by building a new Router (`with_snapshot`, `with_free_pool`), so a
request in flight keeps the one it started with. docs/routing.md describes the tiers and the math.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, cast

import numpy as np

from benchroute.catalog.model import Catalog
from benchroute.quickinit import quick_replace
from benchroute.routing import tiers as T
from benchroute.routing.balanced import BalancedTier
from benchroute.routing.base import RouteContext
from benchroute.routing.call import Call
from benchroute.routing.capabilities import SchemaSizes, read_needs
from benchroute.routing.classifier import Classifier
from benchroute.routing.decision import Decision
from benchroute.routing.efficient import EfficientTier
from benchroute.routing.evidence import Snapshot, split_variant
from benchroute.routing.factory import default_args, router_args
from benchroute.routing.free import FreeTier
from benchroute.routing.freepool import FreePool, fallback_key
from benchroute.routing.frontier import FrontierTier
from benchroute.routing.policy import PolicyParams, PolicyTable
from benchroute.routing.static import manual
from benchroute.routing.substitution import annotate, savings_models
from benchroute.routing.table import as_dicts, table_rows
from benchroute.routing.versions import is_outdated
from benchroute.settings import ProjectSettings, Settings, TierSettings
from benchroute.wire.canonical import ApiKind, ChatRequest
from benchroute.wire.chat import parse_request
from benchroute.wire.context import request_context


class Router:
    """Routes a canonical request to a catalog id, with the full reasoning in the `Decision`."""

    def __init__(
        self,
        catalog: Catalog,
        snapshot: Snapshot,
        classifier: Classifier,
        tiers: TierSettings | None = None,
        *,
        free_pool: FreePool | None = None,
        projects: Mapping[str, ProjectSettings] | None = None,
        params: PolicyParams | None = None,
        routable: frozenset[str] | None = None,
        keyed: frozenset[str] | None = None,
        project_snapshots: Mapping[str, Snapshot] | None = None,
    ) -> None:
        self.catalog = catalog
        self.snapshot = snapshot
        self.classifier = classifier
        self.tiers = tiers or TierSettings()
        self.free_pool = free_pool if free_pool is not None else FreePool.from_catalog(catalog)
        self.projects: dict[str, ProjectSettings] = dict(projects or {})
        self.params = params or PolicyParams()
        # Catalog ids the auto tiers may choose (their provider has a key or needs none); None: all.
        self.routable = routable
        # Catalog ids whose provider has a key here, to say so in the Decision; None: not known.
        self.keyed = keyed
        self.table = PolicyTable(snapshot, catalog, self.params)
        self.defaults = T.evidence_defaults(self.table)
        mask = np.array(
            [routable is None or split_variant(m)[0] in routable for m in self.table.models], dtype=bool
        )
        self.balanced = BalancedTier(catalog, self.table, self.tiers, self.defaults)
        self.efficient = EfficientTier(
            catalog, self.table, classifier, self.tiers, self.defaults, self.balanced, mask
        )
        self.frontier = FrontierTier(
            catalog, self.table, classifier, self.tiers, self.defaults, self.balanced
        )
        self.free = FreeTier(catalog, self.free_pool)
        self._savings = savings_models(catalog, self.tiers, self.defaults)  # per role, for `annotate`
        # Per project, evidence that includes the project's pool results (`benchroute bench pool`):
        # its requests are routed by a Router on that snapshot, built here, once.
        self.project_snapshots: dict[str, Snapshot] = dict(project_snapshots or {})
        self._overlays: dict[str, Router] = {
            name: self._replace(snapshot=snap, project_snapshots=None)
            for name, snap in self.project_snapshots.items()
        }
        self._routing_table: list[dict[str, str]] | None = None  # computed on first use
        self._schema_sizes = SchemaSizes()  # a memo: the same tools, the same schema size

    # ---- construction (factory.py does the loading) --------------------------------------------

    @classmethod
    def default(cls, settings: Settings | None = None, *, classifier: Classifier | None = None) -> Router:
        """The shipped catalog, leaderboard and classifier, or those the settings point at. Routes
        over the whole catalog; each Decision says whether its model's provider has a key here.
        Does I/O: call it once."""
        return cls(**default_args(settings, classifier=classifier))

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        catalog: Catalog | None = None,
        classifier: Classifier | None = None,
        only_keyed: bool = True,
    ) -> Router:
        """A Router for the gateway: with `only_keyed`, auto tiers choose only models it can call."""
        return cls(**router_args(settings, catalog=catalog, classifier=classifier, only_keyed=only_keyed))

    def _replace(self, **changes: Any) -> Router:
        args: dict[str, Any] = {
            "catalog": self.catalog,
            "snapshot": self.snapshot,
            "classifier": self.classifier,
            "tiers": self.tiers,
            "free_pool": self.free_pool,
            "projects": self.projects,
            "params": self.params,
            "routable": self.routable,
            "keyed": self.keyed,
            "project_snapshots": self.project_snapshots,
        }
        args.update(changes)
        return Router(**args)

    def with_snapshot(self, snapshot: Snapshot) -> Router:
        return self._replace(snapshot=snapshot)

    def with_project_snapshots(self, snapshots: Mapping[str, Snapshot]) -> Router:
        """A copy routing each named project on its own snapshot (the shared one with the project's
        pool results in it); other projects keep the shared snapshot."""
        return self._replace(project_snapshots=snapshots)

    def with_free_pool(self, pool: FreePool) -> Router:
        return self._replace(free_pool=pool)

    # ---- the in-process API ------------------------------------------------------------------

    def decide(
        self,
        body: Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
        *,
        project: str | ProjectSettings = "default",
        api_kind: str = "chat",
        unavailable: frozenset[str] = frozenset(),
    ) -> Decision:
        """The Decision for a chat-completions body and its HTTP headers. No I/O."""
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        name = project if isinstance(project, str) else "default"
        context = request_context(lowered, api_kind=_api_kind(api_kind), project=name, key_id=None)
        request = parse_request(dict(body), context)
        settings = project if isinstance(project, ProjectSettings) else self.project(project)
        ctx = RouteContext(unavailable=unavailable, session_key=fallback_key(request))
        return self.route(request, settings, ctx)

    def project(self, name: str) -> ProjectSettings:
        return self.projects.get(name) or self.projects.get("default") or ProjectSettings()

    # ---- RoutingEngine -----------------------------------------------------------------------

    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision:
        overlay = self._overlays.get(request.context.project) if self._overlays else None
        if overlay is not None:
            return overlay.route(request, project, ctx)
        requested = request.model
        tier = T.normalise_tier(project.tier) if requested == "auto" else T.normalise_tier(requested)
        if requested == "auto" and tier is None:
            tier = T.EFFICIENT
        needs = read_needs(request, self._schema_sizes)
        tokens = needs.tokens
        if tier is None:
            return manual(self.catalog, requested, project, ctx.session_key, needs)
        call = Call(request, project, ctx, tokens, needs, self.routable)
        rc = request.context
        if tier != T.FREE and is_outdated(rc.client_name, rc.client_version, self.tiers.min_client_versions):
            why = (
                f"{rc.client_name} {rc.client_version} is older than the configured minimum, so it gets "
                "the single Balanced model {model}."
            )
            decision = self.balanced.decide(call, tier=tier, reason="client_version")
            return self._told(replace(decision, explanation=why.format(model=decision.model)), call)
        if tier == T.EFFICIENT:
            return self._told(self.efficient.decide(call), call)
        if tier == T.FRONTIER:
            return self._told(self.frontier.decide(call), call)
        if tier == T.FREE:
            return self._told(self.free.decide(call), call)
        return self._told(self.balanced.decide(call), call)

    def _told(self, decision: Decision, call: Call) -> Decision:
        """An auto tier's Decision with what it does not say itself (`routing/substitution.py`: a
        substitute for the configured model and why, cooldowns, the always-Frontier comparison,
        the fallbacks' costs) and whether its provider has a key."""
        return self._keyed(
            annotate(decision, call, self.catalog, self.table, self.tiers, self.defaults, self._savings)
        )

    def routing_table(self) -> list[dict[str, str]]:
        """Per coding cell, the model chosen at dial 0, 0.5 and 1 for an 8k-token agent request,
        with its estimate, interval and cost (`routing/table.py`; the dashboard's leaderboard and
        the published page render it). Computed once per Router (it is immutable)."""
        if self._routing_table is None:
            rows = table_rows(lambda probe: self._replace(classifier=probe, project_snapshots=None))
            self._routing_table = as_dicts(rows)
        return self._routing_table

    def _keyed(self, decision: Decision) -> Decision:
        """Say whether the chosen model's provider has a key here (when the Router knows)."""
        if self.keyed is None:
            return decision
        has_key = decision.model in self.keyed
        if has_key:
            return quick_replace(decision, keyed=True)
        note = f" {decision.model} has no provider key here: set its provider's API key to call it."
        return quick_replace(decision, keyed=False, explanation=decision.explanation + note)


def _api_kind(kind: str) -> ApiKind:
    if kind not in ("chat", "messages", "responses"):
        raise ValueError(f"api_kind must be chat, messages or responses, not {kind!r}")
    return cast(ApiKind, kind)
