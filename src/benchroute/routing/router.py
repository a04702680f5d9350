"""`Router`: the benchmark-backed `RoutingEngine`, and the in-process API (`from benchroute import
Router`).

The Router is pure: it holds an immutable catalog, leaderboard (as a precomputed `PolicyTable`),
classifier and free pool, and `route` does no I/O. Whatever changes is swapped by building a new
Router (`with_snapshot`, `with_free_pool`), so a request in flight keeps the one it started with.
docs/routing.md describes the tiers and the math.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchroute.catalog.model import Catalog
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.routing import tiers as T
from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import CellPrediction, Classifier
from benchroute.routing.decision import Candidate, Decision
from benchroute.routing.freepool import FreePool
from benchroute.routing.policy import (
    BoolArray,
    FloatArray,
    PolicyParams,
    PolicyTable,
    choose,
    estimate_prompt_tokens,
)
from benchroute.routing.static import ModelNotAllowed, ModelNotFound, NoModelConfigured, is_allowed
from benchroute.routing.taxonomy import split_cell
from benchroute.routing.versions import is_outdated
from benchroute.sessions.keys import session_key
from benchroute.settings import ProjectSettings, Settings, TierSettings
from benchroute.wire.canonical import ChatRequest

MAX_FALLBACKS = 3


@dataclass(frozen=True, slots=True)
class _Request:
    """What every tier needs to know about one call, worked out once."""

    request: ChatRequest
    project: ProjectSettings
    ctx: RouteContext
    prompt_tokens: int
    routable: frozenset[str] | None = None  # None: every catalog model can be paid for

    def allowed(self, model: str) -> bool:
        """The project allows it, and the gateway can call it (auto tiers only)."""
        if self.routable is not None and model not in self.routable:
            return False
        return is_allowed(model, self.project.allowed_models)


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
        self.table = PolicyTable(snapshot, catalog, self.params)
        self._routable_mask: BoolArray = np.array(
            [routable is None or m in routable for m in self.table.models], dtype=bool
        )
        # A memo, not state: the same patterns always give the same mask for this table.
        self._allowed_cache: dict[tuple[str, ...], BoolArray] = {}

    # ---- construction ------------------------------------------------------------------------

    @classmethod
    def default(cls, settings: Settings | None = None, *, classifier: Classifier | None = None) -> Router:
        """The shipped catalog, leaderboard and classifier, or those the settings point at
        (`leaderboard`, `classifier`, `tiers.free_pool`, `[[models]]`). Does I/O: call it once."""
        return cls.from_settings(settings or Settings.load(), classifier=classifier)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        catalog: Catalog | None = None,
        classifier: Classifier | None = None,
        only_keyed: bool = True,
    ) -> Router:
        """A Router for the gateway: its catalog (with discovered local models) when given, else
        the shipped one with the config's `[[models]]`. With `only_keyed`, auto tiers choose only
        models the gateway can call (`routable_models`). Raises when the leaderboard or the
        classifier artifact cannot be read."""
        from benchroute.leaderboard.loader import load_default_snapshot, load_snapshot
        from benchroute.routing.freepool import FreePoolSource

        if catalog is None:
            from benchroute.catalog.loader import load_catalog

            catalog = load_catalog(settings)
        snapshot = load_snapshot(settings.leaderboard) if settings.leaderboard else load_default_snapshot()
        pool = FreePoolSource(settings.tiers.free_pool, FreePool.from_catalog(catalog)).current()
        return cls(
            catalog,
            snapshot,
            classifier or load_classifier(settings),
            settings.tiers,
            free_pool=pool,
            projects=settings.projects,
            routable=routable_models(settings, catalog) if only_keyed else None,
        )

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
        }
        args.update(changes)
        return Router(**args)

    def with_snapshot(self, snapshot: Snapshot) -> Router:
        return self._replace(snapshot=snapshot)

    def with_free_pool(self, pool: FreePool) -> Router:
        return self._replace(free_pool=pool)

    def with_catalog(self, catalog: Catalog) -> Router:
        return self._replace(catalog=catalog)

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
        from benchroute.gateway.headers import request_context
        from benchroute.wire.chat import parse_request

        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        name = project if isinstance(project, str) else "default"
        context = request_context(lowered, api_kind=_api_kind(api_kind), project=name, key_id=None)
        request = parse_request(dict(body), context)
        settings = project if isinstance(project, ProjectSettings) else self.project(project)
        ctx = RouteContext(unavailable=unavailable, session_key=session_key(request)[0])
        return self.route(request, settings, ctx)

    def project(self, name: str) -> ProjectSettings:
        return self.projects.get(name) or self.projects.get("default") or ProjectSettings()

    # ---- RoutingEngine -----------------------------------------------------------------------

    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision:
        requested = request.model
        tier = T.normalise_tier(project.tier) if requested == "auto" else T.normalise_tier(requested)
        if requested == "auto" and tier is None:
            tier = T.EFFICIENT
        if tier is None:
            return self._manual(requested, project, ctx)
        req = _Request(request, project, ctx, estimate_prompt_tokens(request), self.routable)
        rc = request.context
        if tier != T.FREE and is_outdated(rc.client_name, rc.client_version, self.tiers.min_client_versions):
            return self._balanced(req, tier, reason="client_version")
        if tier == T.EFFICIENT:
            return self._efficient(req)
        if tier == T.FRONTIER:
            return self._frontier(req)
        if tier == T.FREE:
            return self._free(req)
        return self._balanced(req, tier, reason="balanced")

    def _manual(self, model: str, project: ProjectSettings, ctx: RouteContext) -> Decision:
        if model not in self.catalog:
            raise ModelNotFound(
                f"unknown model {model!r}: use one of the auto tiers ({', '.join(T.AUTO_TIERS)}) or a "
                "catalog id; GET /v1/models (or `benchroute models`) lists the valid ids"
            )
        if not is_allowed(model, project.allowed_models):
            raise ModelNotAllowed(
                f"model {model!r} is not in this project's allowed_models "
                f"({', '.join(project.allowed_models)})"
            )
        return Decision(
            model=model,
            tier="manual",
            reason="manual",
            requested_model=model,
            session_key=ctx.session_key,
            explanation=f"{model} was asked for by name.",
        )

    # ---- Balanced ----------------------------------------------------------------------------

    def _balanced_order(self, req: _Request) -> list[str]:
        """Balanced models for this call, usable first; raises when the project allows none."""
        configured = T.balanced_order(req.request.context.api_kind, self.tiers)
        order = [m for m in configured if m in self.catalog and req.allowed(m)]
        if not order:
            # Nothing configured is allowed: the allowed model with the best overall evidence.
            by_evidence = sorted(
                (m for m in self.table.models if req.allowed(m)),
                key=lambda m: (-float(self.table.overall[self.table.row[m]]), m),
            )
            order = by_evidence[:1] or sorted(m.id for m in self.catalog if req.allowed(m.id))[:1]
        if not order:
            if configured:
                raise ModelNotAllowed(
                    f"{req.request.model!r} needs a Balanced model ({configured[0]}), and no catalog model "
                    f"is both allowed by this project ({', '.join(req.project.allowed_models)}) and "
                    "callable (its provider's API key set, or a local model)"
                )
            raise NoModelConfigured("no Balanced model is configured (tiers.balanced)")
        return _healthy_first(order, req.ctx.unavailable)

    def _balanced(self, req: _Request, tier: str, *, reason: str) -> Decision:
        order = self._balanced_order(req)
        chosen = order[0]
        why = {
            "client_version": (
                f"{req.request.context.client_name} {req.request.context.client_version} is older than "
                f"the configured minimum, so it gets the single Balanced model {chosen}."
            ),
            "balanced": f"{tier} serves {req.request.context.api_kind} requests with {chosen}.",
        }[reason]
        return Decision(
            model=chosen,
            tier=tier,
            reason=reason,
            requested_model=req.request.model,
            session_key=req.ctx.session_key,
            expected_cost=self._cost(chosen, None, req.prompt_tokens),
            fallbacks=tuple(order[1 : 1 + MAX_FALLBACKS]),
            explanation=why,
        )

    # ---- Efficient ---------------------------------------------------------------------------

    def _efficient(self, req: _Request) -> Decision:
        pred = self.classifier.classify(req.request)
        table = self.table
        p = table.vector(pred.probs)
        sc = table.score(p, req.prompt_tokens)
        order = self._balanced_order(req)
        balanced = order[0]
        a_bal = table.floor_accuracy(balanced, p)

        n = len(table.models)
        allowed = self._allowed_mask(req.project.allowed_models)
        cooling = np.zeros(n, dtype=bool)
        for m in req.ctx.unavailable:
            i = table.row.get(m)
            if i is not None:
                cooling[i] = True
        fits = table.context >= req.prompt_tokens
        is_bal = np.zeros(n, dtype=bool)
        if balanced in table.row:
            is_bal[table.row[balanced]] = True
        covered = sc.coverage >= self.params.min_coverage - 1e-12
        # The Balanced model is the floor itself: always a valid choice when usable.
        keyed = self._routable_mask
        pool = allowed & keyed & ~cooling & fits & (covered | is_bal)
        accs, costs, ok = sc.accuracy.tolist(), sc.cost.tolist(), pool.tolist()
        notes = list(
            map(
                _note,
                allowed.tolist(),
                keyed.tolist(),
                cooling.tolist(),
                fits.tolist(),
                is_bal.tolist(),
                covered.tolist(),
            )
        )
        ranking = np.lexsort((np.arange(n), -sc.accuracy)).tolist()
        candidates = [Candidate(table.models[i], accs[i], costs[i], ok[i], notes[i]) for i in ranking]

        dial = req.project.dial
        top5 = pred.top(5)
        role = T.frontier_role(req.request.context.mode, split_cell(top5[0][0])[0] if top5 else None)
        frontier = T.frontier_model(role, self.tiers)
        frontier_cost = self._cost(frontier, p, req.prompt_tokens)
        common: dict[str, Any] = {
            "tier": T.EFFICIENT,
            "requested_model": req.request.model,
            "cells": dict(top5),
            "confidence": pred.confidence,
            "candidates": tuple(candidates),
            "dial": dial,
            "session_key": req.ctx.session_key,
            "frontier_model": frontier,
            "frontier_cost": frontier_cost,
        }
        top = ", ".join(f"{c} {v:.0%}" for c, v in top5[:2])

        if pred.confidence < req.project.min_confidence:
            return Decision(
                model=balanced,
                reason="low_confidence",
                expected_cost=self._cost(balanced, p, req.prompt_tokens),
                fallbacks=tuple(order[1 : 1 + MAX_FALLBACKS]),
                explanation=(
                    f"The classifier is unsure ({pred.confidence:.2f} < {req.project.min_confidence:.2f}; "
                    f"{top}), so the Balanced model {balanced} serves it."
                ),
                **common,
            )

        choice = choose(table.models, sc.accuracy, sc.cost, pool, a_bal, dial)
        if choice.model is None:
            if a_bal is None or not (pool & ~is_bal).any():
                why = (
                    f"no usable model has evidence for {self.params.min_coverage:.0%} of this "
                    "request's cell probability"
                )
            else:
                why = "no usable model with enough evidence reaches the Balanced model's accuracy"
            return Decision(
                model=balanced,
                reason="no_evidence",
                bar=choice.bar,
                expected_cost=self._cost(balanced, p, req.prompt_tokens),
                fallbacks=tuple(order[1 : 1 + MAX_FALLBACKS]),
                explanation=f"Routed to Balanced ({balanced}) because {why} ({top}).",
                **common,
            )
        ci = table.row[choice.model]
        chosen_model, chosen_acc, chosen_cost = choice.model, accs[ci], costs[ci]
        fallbacks = [m for m in choice.ranked[1:] if m not in req.ctx.unavailable]
        fallbacks = [*fallbacks[: MAX_FALLBACKS - 1], *(m for m in order if m != chosen_model)]
        reason = "best_accuracy" if dial >= 1.0 else "cheapest_above_bar"
        bar = choice.bar if choice.bar is not None else 0.0
        if reason == "best_accuracy":
            what = f"{chosen_model} has the highest expected accuracy ({chosen_acc:.3f})"
        else:
            what = (
                f"{chosen_model} is the cheapest model whose expected accuracy {chosen_acc:.3f} "
                f"clears the bar {bar:.3f} (dial {dial:g})"
            )
        saving = ""
        if frontier_cost and frontier_cost > 0:
            ratio = chosen_cost / frontier_cost
            share = "under 1%" if 0 < ratio < 0.01 else f"{ratio:.0%}"
            saving = f", at {share} of the Frontier cost"
        return Decision(
            model=chosen_model,
            reason=reason,
            bar=choice.bar,
            expected_cost=chosen_cost,
            fallbacks=tuple(_unique(fallbacks, chosen_model)[:MAX_FALLBACKS]),
            explanation=f"For {top}: {what}{saving}.",
            **common,
        )

    def _allowed_mask(self, patterns: list[str]) -> BoolArray:
        """Which table models the patterns allow; memoised per pattern list (projects are few)."""
        key = tuple(patterns)
        mask = self._allowed_cache.get(key)
        if mask is None:
            mask = np.array([is_allowed(m, patterns) for m in self.table.models], dtype=bool)
            if len(self._allowed_cache) >= 1024:
                self._allowed_cache.clear()
            self._allowed_cache[key] = mask
        return mask

    # ---- Frontier ----------------------------------------------------------------------------

    def _frontier(self, req: _Request) -> Decision:
        mode = req.request.context.mode
        pred: CellPrediction | None = None
        role = T.mode_role(mode)
        if role is None:
            pred = self.classifier.classify(req.request)
            role = T.frontier_role(mode, _top_task(pred))
        other: T.FrontierRole = "implementation" if role == "reasoning" else "reasoning"
        wanted = [T.frontier_model(role, self.tiers), T.frontier_model(other, self.tiers)]
        order = [m for m in _unique(wanted, "") if m in self.catalog and req.allowed(m)]
        if not order:
            order = self._balanced_order(req)
        order = _healthy_first(order, req.ctx.unavailable)
        chosen = order[0]
        p = self.table.vector(pred.probs) if pred is not None else None
        cost = self._cost(chosen, p, req.prompt_tokens)
        how = f"mode {mode!r}" if T.mode_role(mode) else f"task type {_top_task(pred)!r}"
        return Decision(
            model=chosen,
            tier=T.FRONTIER,
            reason=f"frontier_{role}",
            requested_model=req.request.model,
            cells=dict(pred.top(5)) if pred else {},
            confidence=pred.confidence if pred else None,
            session_key=req.ctx.session_key,
            frontier_model=chosen,
            frontier_cost=cost,
            expected_cost=cost,
            fallbacks=tuple(order[1 : 1 + MAX_FALLBACKS]),
            explanation=f"Frontier by {how}: the {role} model {chosen}.",
        )

    # ---- Free --------------------------------------------------------------------------------

    def _free(self, req: _Request) -> Decision:
        pool = self.free_pool if self.free_pool.models else FreePool.from_catalog(self.catalog)
        usable = [m for m in pool.ids() if m in self.catalog and req.allowed(m)]
        if not usable:
            raise NoModelConfigured(
                "auto/free has no usable free model: add free models to the catalog or the free pool "
                "(tiers.free_pool), and allow them in the project's allowed_models"
            )
        key = req.ctx.session_key or session_key(req.request)[0]
        ranked = _healthy_first(pool.ranked(key, usable), req.ctx.unavailable)
        chosen = ranked[0]
        skipped = [m for m in pool.ranked(key, usable) if m in req.ctx.unavailable]
        note = f" ({', '.join(skipped)} in cooldown)" if skipped else ""
        return Decision(
            model=chosen,
            tier=T.FREE,
            reason="free_pool",
            requested_model=req.request.model,
            session_key=req.ctx.session_key,
            expected_cost=0.0,
            fallbacks=tuple(ranked[1 : 1 + MAX_FALLBACKS]),
            explanation=f"Free pool: this session is pinned to {chosen} by weighted hashing{note}.",
        )

    # ---- helpers -----------------------------------------------------------------------------

    def _cost(self, model: str, p: FloatArray | None, prompt_tokens: int) -> float | None:
        info = self.catalog.get(model)
        if info is None:
            return None
        if p is None:
            completion = self.params.default_completion_tokens
        else:
            completion = self.table.expected_tokens(model, p)
        return info.cost(prompt_tokens, completion)


def routable_models(settings: Settings, catalog: Catalog) -> frozenset[str]:
    """Catalog ids the gateway can call with its own credentials: local models, and models whose
    provider has a key (or needs none). Auto tiers choose only among these; manual ids are not
    limited (a caller may bring its own key)."""
    from benchroute.providers.registry import keyed_providers

    keyed = keyed_providers(settings)
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


def _note(allowed: bool, keyed: bool, cooling: bool, fits: bool, balanced: bool, covered: bool) -> str:
    """Why a candidate is not eligible ("balanced": the floor itself, eligible regardless)."""
    if not allowed:
        return "not_allowed"
    if not keyed:
        return "no_key"
    if cooling:
        return "cooldown"
    if not fits:
        return "context"
    if balanced:
        return "balanced"
    return "" if covered else "no_evidence"


def _api_kind(kind: str) -> Any:
    if kind not in ("chat", "messages", "responses"):
        raise ValueError(f"api_kind must be chat, messages or responses, not {kind!r}")
    return kind


def _top_task(pred: CellPrediction | None) -> str | None:
    if pred is None or not pred.probs:
        return None
    return split_cell(pred.top(1)[0][0])[0]


def _unique(models: list[str], exclude: str) -> list[str]:
    out: list[str] = []
    for m in models:
        if m != exclude and m not in out:
            out.append(m)
    return out


def _healthy_first(models: list[str], unavailable: frozenset[str]) -> list[str]:
    """Available models first; if every one is in cooldown, still try them (in order)."""
    return [m for m in models if m not in unavailable] + [m for m in models if m in unavailable]
