"""`auto/efficient`: classify, filter by capability and evidence, choose on the dial, explain.

Three steps, each its own function: `eligibility` (who may be chosen, and why not:
routing/eligibility.py), the policy's `choose` (routing/policy.py), and `explain`
(routing/explain.py). What depends only on the configuration (the reference model of the floor,
the first Frontier model per role) is looked up once, when the tier is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np

from benchroute.catalog.model import Catalog
from benchroute.routing import explain
from benchroute.routing.balanced import BalancedTier
from benchroute.routing.call import Call
from benchroute.routing.capabilities import context_steps, fit_key, unmet
from benchroute.routing.classifier import Classifier
from benchroute.routing.decision import Candidate, Decision
from benchroute.routing.eligibility import Gates, candidates, eligibility, fallbacks, gates, pool_of
from benchroute.routing.evidence import split_variant
from benchroute.routing.memo import TextMemo
from benchroute.routing.policy import (
    CELL_ROUTE,
    EPS,
    BoolArray,
    FloatArray,
    PolicyTable,
    Scores,
    choose,
    expected_cost,
    frontier,
    general_share,
    route_probs,
    route_shares,
)
from benchroute.routing.sidetask import side_task
from benchroute.routing.static import is_allowed
from benchroute.routing.tiers import (
    EFFICIENT,
    Defaults,
    FrontierRole,
    balanced_order,
    frontier_order,
    frontier_role,
)
from benchroute.settings import TierSettings

MEMO = 1024  # request-level filters (`Gates`) remembered, per project, cooldowns and needs
GENERAL_SHARE = 0.5  # P(not about code) from which a request goes to Balanced
COVER = 0.9  # the readings of an unsure request cover at least this share of P(route)
MAX_READINGS = 3  # more needed to cover it: too unsure to route, the Balanced model serves it


class EfficientTier:
    def __init__(
        self,
        catalog: Catalog,
        table: PolicyTable,
        classifier: Classifier,
        tiers: TierSettings,
        defaults: Defaults,
        balanced: BalancedTier,
        keyed: BoolArray,
    ) -> None:
        self.catalog = catalog
        self.table = table
        self.classifier = classifier
        self.tiers = tiers
        self.defaults = defaults
        self.balanced = balanced
        self.keyed = keyed
        self._allowed_cache: dict[tuple[str, ...], BoolArray] = {}  # a memo: same patterns, same mask
        # a memo: the same patterns, cooldowns and needs (`fit_key`), the same gates and left-out note
        self._gates_cache: dict[tuple[object, ...], tuple[Gates, str]] = {}
        self._steps = context_steps(table.context.tolist())
        # a memo: the same head of the system prompt (resent every turn), the same side task
        self._chores: TextMemo[str | None] = TextMemo(max_entries=256)
        # The floor's reference: the Balanced model for the chat API, for every client.
        self._ref = next(iter(balanced_order("chat", tiers, defaults)), None)
        self._ref_row = table.row.get(self._ref) if self._ref is not None else None
        roles: tuple[FrontierRole, ...] = ("reasoning", "implementation")
        self._frontier = {role: next(iter(frontier_order(role, tiers, defaults)), None) for role in roles}
        self._frontier_base = {r: split_variant(m)[0] if m else None for r, m in self._frontier.items()}

    def decide(self, call: Call) -> Decision:
        pred = self.classifier.classify(call.request)
        probs = route_probs(pred.probs)
        top = sorted(probs.items(), key=itemgetter(1), reverse=True)[:5]  # stable: ties in order
        routes = route_shares(probs)
        total = sum(probs.values())
        confidence = max(pred.confidence, max(routes.values()) / total if total > 0 else 0.0)
        table = self.table
        p = table.vector(probs)
        sc = table.score(p, call.needs.agent, call.prompt_tokens)
        g, left_out = self._gates(call)
        elig = eligibility(table, sc, g)
        common = self._common(call, top, pred.confidence, candidates(table, sc, elig), p)
        text = explain.cells(top)
        chore = side_task(call.request, self._chores)
        if chore is not None:
            return self._fallback(call, "general", explain.side_task(chore, text), p, common)
        gen = general_share(routes, total)
        if gen >= GENERAL_SHARE:
            return self._fallback(call, "general", explain.general(gen, text), p, common)
        ref, floor = self._floor(sc)
        scored, pool = sc, elig.pool
        readings: tuple[str, ...] = ()  # an unsure request's readings (`_unsure`), when it has them
        if confidence < call.project.min_confidence:
            unsure = self._unsure(call, probs, routes, g, sc)
            if unsure is None:
                why = explain.low_confidence(confidence, call.project.min_confidence, text)
                return self._fallback(call, "low_confidence", why, p, common)
            readings, scored, pool, floor = unsure
            ref = self._ref  # measured on every reading: its lowest lower end is the floor
            text = explain.unsure(confidence, call.project.min_confidence, text, readings)
        order = self.balanced.order(call)
        if readings:
            # unsure: never dearer than the Balanced model, which serves it when nothing cheaper is
            # proven on every reading; the dial chooses within this pool, so it stays monotone
            pool = pool & (scored.cost <= self._cost_of(order[0], scored, p, call) + EPS)
        front = frontier(pool, scored.accuracy, scored.cost)
        choice = choose(table.models, scored, pool, floor, call.project.dial, front)
        if choice.model is None:
            if readings:
                why = explain.unsure_unproven(text)
                return self._fallback(call, "low_confidence", why, p, common)
            why = explain.no_evidence(text, table.params) + left_out
            return self._fallback(call, "no_evidence", why, p, common)
        i = table.row[choice.model]
        model, effort = split_variant(choice.model)
        reason = "best_accuracy" if not choice.proven or call.project.dial >= 1.0 else "cheapest_above_bar"
        return Decision(
            model=model,
            reason=reason,
            bar=choice.bar,
            expected_cost=float(sc.cost[i]),
            fallbacks=fallbacks(table, scored, pool, i, choice.floor, order, front),
            explanation=explain.chosen(
                text, choice, scored, i, call.project.dial, common["frontier_cost"], ref
            )
            + left_out,
            reasoning_effort=effort,
            **common,
        )

    def _unsure(
        self, call: Call, probs: dict[str, float], routes: dict[str, float], g: Gates, mixed: Scores
    ) -> tuple[tuple[str, ...], Scores, BoolArray, float] | None:
        """An unsure request read as each of its likeliest routes (together at least `COVER` of
        P(route), at least two, at most `MAX_READINGS`): (the readings, every model scored by its
        worse reading, the models eligible on every reading, the floor: the Balanced model's lowest
        lower end). None, and the Balanced model serves the request, when the readings cannot cover
        it or some reading does not measure the Balanced model: the median lower end of the few
        models eligible on every reading would set a bar no request of this kind is held to.

        Choosing on the worse reading keeps the choice proven whichever reading is right, and the
        dial still moves it monotonically (the same `choose` on fixed scores)."""
        readings = _readings(routes)
        if readings is None:
            return None
        table = self.table
        pool = g.passed.copy()
        floors: list[float | None] = []
        per: list[Scores] = []
        for route in readings:
            p = table.vector({c: v for c, v in probs.items() if CELL_ROUTE[c] == route})
            sc = table.score(p, call.needs.agent, call.prompt_tokens)
            pool &= pool_of(table, sc, g)
            floors.append(self._floor(sc)[1])
            per.append(sc)
        worst = Scores(
            accuracy=np.minimum.reduce([s.accuracy for s in per]),
            low=np.minimum.reduce([s.low for s in per]),
            high=np.maximum.reduce([s.high for s in per]),
            coverage=np.minimum.reduce([s.coverage for s in per]),
            completion_tokens=mixed.completion_tokens,  # what the request is expected to cost
            cost=mixed.cost,
        )
        measured = [f for f in floors if f is not None]
        if len(measured) < len(floors):
            return None  # no floor to hold the readings to: the Balanced model serves it
        return readings, worst, pool, min(measured)

    def _cost_of(self, model: str, sc: Scores, p: FloatArray, call: Call) -> float:
        """Expected cost of `model` (a catalog id or variant) for this request, as `sc` counts it."""
        row = self.table.row.get(model)
        if row is not None:
            return float(sc.cost[row])
        cost = expected_cost(self.catalog, self.table, model, p, call.prompt_tokens)
        return cost if cost is not None else float("inf")

    def _floor(self, sc: Scores) -> tuple[str | None, float | None]:
        """The reference model (the Balanced model for the chat API, for every client) and its lower
        end L when it is measured for this request; else (None, None): the median L decides."""
        row = self._ref_row
        if row is None:
            return None, None
        params = self.table.params
        covered = sc.coverage[row] >= params.min_coverage - EPS
        narrow = (sc.high[row] - sc.low[row]) <= params.max_width + EPS
        if not (covered and narrow):
            return None, None
        return self._ref, float(sc.low[row])

    def _common(
        self,
        call: Call,
        top: list[tuple[str, float]],
        confidence: float,
        cands: tuple[Candidate, ...],
        p: FloatArray,
    ) -> dict[str, Any]:
        task = CELL_ROUTE[top[0][0]] if top else None
        role = frontier_role(call.request.context.mode, task)
        first, first_base = self._frontier[role], self._frontier_base[role]
        info = self.catalog.get(first_base) if first_base else None
        # a Frontier model that could not serve the request has no cost to compare with
        fits = info is not None and not unmet(info, call.needs)
        return {
            "tier": EFFICIENT,
            "requested_model": call.request.model,
            "cells": dict(top),
            "confidence": confidence,
            "candidates": cands,
            "dial": call.project.dial,
            "session_key": call.ctx.session_key,
            "frontier_model": first_base,
            "frontier_cost": expected_cost(self.catalog, self.table, first, p, call.prompt_tokens)
            if first and fits
            else None,
            "setting": "agent" if call.needs.agent else "single",
        }

    def _fallback(self, call: Call, reason: str, why: str, p: FloatArray, common: dict[str, Any]) -> Decision:
        base = self.balanced.decide(call, tier=EFFICIENT, reason=reason, p=p)
        return Decision(
            model=base.model,
            reason=reason,
            expected_cost=base.expected_cost,
            fallbacks=base.fallbacks,
            explanation=why.format(model=base.model),
            reasoning_effort=base.reasoning_effort,
            **common,
        )

    def _gates(self, call: Call) -> tuple[Gates, str]:
        """The request-level filters (`gates`) and the sentence naming the models left out for
        breaking tool calls: they depend only on the project's patterns, the cooldowns and the
        needs (`fit_key`), so they are remembered (bounded: cleared at `MEMO` entries)."""
        patterns = call.project.allowed_models
        key = (tuple(patterns), call.ctx.unavailable, fit_key(call.needs, self._steps))
        known = self._gates_cache.get(key)
        if known is not None:
            return known
        table = self.table
        g = gates(table, call, self._allowed(patterns), self.keyed)
        broken = np.flatnonzero(~g.tool_safe & g.allowed & g.keyed & g.capable).tolist()
        left_out = explain.malformed(
            [table.models[i] for i in broken],
            [float(table.malformed[i]) for i in broken],
            table.params.max_malformed_rate,
        )
        for mask in (g.allowed, g.keyed, g.capable, g.tool_safe, g.available, g.passed):
            mask.flags.writeable = False  # shared by every request with this key
        if len(self._gates_cache) >= MEMO:
            self._gates_cache.clear()
        self._gates_cache[key] = (g, left_out)
        return g, left_out

    def _allowed(self, patterns: Sequence[str]) -> BoolArray:
        key = tuple(patterns)
        mask = self._allowed_cache.get(key)
        if mask is None:
            mask = np.array([is_allowed(m, list(patterns)) for m in self.table.bases], dtype=bool)
            if len(self._allowed_cache) >= 1024:
                self._allowed_cache.clear()
            self._allowed_cache[key] = mask
        return mask


def _readings(routes: dict[str, float]) -> tuple[str, ...] | None:
    """The likeliest routes, most likely first, until they cover `COVER` of P(route), and at least
    two (a project bar above `COVER` can make a request with one clear route unsure); None when
    that takes more than `MAX_READINGS`, or only one route has any probability."""
    total = sum(routes.values())
    if total <= 0:
        return None
    out: list[str] = []
    covered = 0.0
    for route in sorted(routes, key=lambda r: (-routes[r], r)):
        if routes[route] <= 0:
            break
        out.append(route)
        covered += routes[route]
        if len(out) >= 2 and covered >= COVER * total - EPS:
            break
    if not 2 <= len(out) <= MAX_READINGS:
        return None
    return tuple(out)
