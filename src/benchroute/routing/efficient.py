"""`auto/efficient`: classify, filter by capability and evidence, choose on the dial, explain.

Three steps, each its own function: `eligibility` (who may be chosen, and why not), the policy's
`choose` (routing/policy.py), and `explain` (routing/explain.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchroute.catalog.model import Catalog
from benchroute.routing import explain
from benchroute.routing.balanced import BalancedTier
from benchroute.routing.call import MAX_FALLBACKS, Call, unique
from benchroute.routing.classifier import Classifier
from benchroute.routing.decision import Candidate, Decision
from benchroute.routing.evidence import split_variant
from benchroute.routing.policy import (
    BoolArray,
    FloatArray,
    PolicyTable,
    Scores,
    choose,
    expected_cost,
    frontier,
    general_share,
    route_probs,
)
from benchroute.routing.static import is_allowed
from benchroute.routing.taxonomy import split_cell
from benchroute.routing.tiers import EFFICIENT, Defaults, balanced_order, frontier_order, frontier_role
from benchroute.settings import TierSettings

GENERAL_SHARE = 0.5  # P(not about code) from which a request goes to Balanced


@dataclass(frozen=True, slots=True)
class Eligibility:
    pool: BoolArray  # may be chosen
    notes: list[str]  # per table model: "" or why not


def eligibility(
    table: PolicyTable, sc: Scores, call: Call, allowed: BoolArray, keyed: BoolArray
) -> Eligibility:
    """Capabilities, project, keys, cooldowns, then evidence: who may be chosen and why not. A
    request with tools also excludes models measured to break tool calls (`PolicyTable.tool_safe`)."""
    capable = table.capable(call.needs)
    if call.ctx.unavailable:
        cooling = np.array([split_variant(m)[0] in call.ctx.unavailable for m in table.models], dtype=bool)
    else:
        cooling = np.zeros(len(table.models), dtype=bool)
    covered = sc.coverage >= table.params.min_coverage - 1e-12
    narrow = (sc.high - sc.low) <= table.params.max_width + 1e-12
    tool_safe = table.tool_safe() if call.needs.tools else np.ones(len(table.models), dtype=bool)
    pool = capable & tool_safe & allowed & keyed & ~cooling & covered & narrow
    checks = (
        (allowed, "not_allowed"),
        (keyed, "no_key"),
        (capable, "capability"),
        (tool_safe, "malformed_tool_calls"),
        (~cooling, "cooldown"),
        (covered, "no_evidence"),
        (narrow, "wide_interval"),
    )
    notes = [""] * len(table.models)
    for mask, note in reversed(checks):  # the first failing check wins
        for i in np.flatnonzero(~mask).tolist():
            notes[i] = note
    return Eligibility(pool, notes)


def fallbacks(
    table: PolicyTable, sc: Scores, pool: BoolArray, chosen: int, floor: float | None, balanced: list[str]
) -> tuple[str, ...]:
    """After the chosen model: the other frontier models proven at the floor, nearest in A first
    (ties: the cheaper), then the Balanced models; never a model an eligible model dominates."""
    front = frontier(pool, sc.accuracy, sc.cost)
    least = -np.inf if floor is None else floor - 1e-12
    ids = [j for j in np.flatnonzero(front & (sc.low >= least)).tolist() if j != chosen]
    ids.sort(key=lambda j: (abs(float(sc.accuracy[j] - sc.accuracy[chosen])), float(sc.cost[j]), j))
    base = [split_variant(m)[0] for m in table.models]
    on_front = {base[j] for j in np.flatnonzero(front).tolist()}
    dominated = {base[j] for j in np.flatnonzero(pool & ~front).tolist()} - on_front
    rest = [m for m in balanced if split_variant(m)[0] not in dominated]
    names = [split_variant(m)[0] for m in [*(table.models[j] for j in ids), *rest]]
    return tuple(unique(names, split_variant(table.models[chosen])[0])[:MAX_FALLBACKS])


MAX_INELIGIBLE = 12  # ineligible candidates listed in a Decision (the most accurate ones)


def candidates(table: PolicyTable, sc: Scores, elig: Eligibility) -> tuple[Candidate, ...]:
    """The eligible models and the most accurate ineligible ones, most accurate first, with their
    numbers and notes."""
    acc, low, high, cov, cost = (a.tolist() for a in (sc.accuracy, sc.low, sc.high, sc.coverage, sc.cost))
    ok = elig.pool.tolist()
    order = np.lexsort((np.arange(len(table.models)), -sc.accuracy)).tolist()
    out: list[Candidate] = []
    shown = 0
    for i in order:
        if not ok[i]:
            if shown >= MAX_INELIGIBLE:
                continue
            shown += 1
        out.append(Candidate(table.models[i], acc[i], cost[i], ok[i], elig.notes[i], low[i], high[i], cov[i]))
    return tuple(out)


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

    def decide(self, call: Call) -> Decision:
        pred = self.classifier.classify(call.request)
        probs = route_probs(pred.probs)
        top = sorted(probs.items(), key=lambda kv: -kv[1])[:5]
        confidence = max(pred.confidence, _top_route_share(probs))
        table = self.table
        p = table.vector(probs)
        sc = table.score(p, call.needs.agent, call.prompt_tokens)
        allowed = self._allowed(call.project.allowed_models)
        elig = eligibility(table, sc, call, allowed, self.keyed)
        common = self._common(call, top, pred.confidence, candidates(table, sc, elig), p)
        text = explain.cells(top)
        broken = [i for i, note in enumerate(elig.notes) if note == "malformed_tool_calls"]
        left_out = explain.malformed(
            [table.models[i] for i in broken],
            [float(table.malformed[i]) for i in broken],
            table.params.max_malformed_rate,
        )
        gen = general_share(probs)
        if gen >= GENERAL_SHARE:
            return self._fallback(call, "general", explain.general(gen, text), p, common)
        if confidence < call.project.min_confidence:
            agreed = self._agreement(call, probs, allowed)
            if agreed is None:
                why = explain.low_confidence(confidence, call.project.min_confidence, text)
                return self._fallback(call, "low_confidence", why, p, common)
            text = explain.agreed(confidence, call.project.min_confidence, text, *agreed)
        order = self.balanced.order(call)
        ref, floor = self._floor(sc)
        choice = choose(table.models, sc, elig.pool, floor, call.project.dial)
        if choice.model is None:
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
            fallbacks=fallbacks(table, sc, elig.pool, i, choice.floor, order),
            explanation=explain.chosen(text, choice, sc, i, call.project.dial, common["frontier_cost"], ref)
            + left_out,
            reasoning_effort=effort,
            **common,
        )

    def _agreement(
        self, call: Call, probs: dict[str, float], allowed: BoolArray
    ) -> tuple[str, str, str] | None:
        """(route 1, route 2, model) when the policy, run on each of the two likeliest routes
        alone, chooses the same model; else None (the Balanced model serves the unsure request)."""
        routes: dict[str, float] = {}
        for c, v in probs.items():
            routes[split_cell(c)[0]] = routes.get(split_cell(c)[0], 0.0) + v
        two = sorted(routes, key=lambda r: -routes[r])[:2]
        picks = []
        for route in two:
            p = self.table.vector({c: v for c, v in probs.items() if split_cell(c)[0] == route})
            sc = self.table.score(p, call.needs.agent, call.prompt_tokens)
            pool = eligibility(self.table, sc, call, allowed, self.keyed).pool
            picks.append(choose(self.table.models, sc, pool, self._floor(sc)[1], call.project.dial).model)
        if len(two) < 2 or picks[0] is None or picks[0] != picks[1]:
            return None
        return two[0], two[1], split_variant(picks[0])[0]

    def _floor(self, sc: Scores) -> tuple[str | None, float | None]:
        """The reference model (the Balanced model for the chat API, for every client) and its lower
        end L when it is measured for this request; else (None, None): the median L decides."""
        ref = next(iter(balanced_order("chat", self.tiers, self.defaults)), None)
        row = self.table.row.get(ref) if ref is not None else None
        if row is None or not self.table.eligible(sc)[row]:
            return None, None
        return ref, float(sc.low[row])

    def _common(
        self,
        call: Call,
        top: list[tuple[str, float]],
        confidence: float,
        cands: tuple[Candidate, ...],
        p: FloatArray,
    ) -> dict[str, Any]:
        task = split_cell(top[0][0])[0] if top else None
        role = frontier_role(call.request.context.mode, task)
        frontier = next(iter(frontier_order(role, self.tiers, self.defaults)), None)
        return {
            "tier": EFFICIENT,
            "requested_model": call.request.model,
            "cells": dict(top),
            "confidence": confidence,
            "candidates": cands,
            "dial": call.project.dial,
            "session_key": call.ctx.session_key,
            "frontier_model": split_variant(frontier)[0] if frontier else None,
            "frontier_cost": expected_cost(self.catalog, self.table, frontier, p, call.prompt_tokens)
            if frontier
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

    def _allowed(self, patterns: Sequence[str]) -> BoolArray:
        key = tuple(patterns)
        mask = self._allowed_cache.get(key)
        if mask is None:
            bases = [split_variant(m)[0] for m in self.table.models]
            mask = np.array([is_allowed(m, list(patterns)) for m in bases], dtype=bool)
            if len(self._allowed_cache) >= 1024:
                self._allowed_cache.clear()
            self._allowed_cache[key] = mask
        return mask


def _top_route_share(probs: dict[str, float]) -> float:
    """The largest P(route) (difficulties summed): the policy averages over difficulties, so only
    the route needs to be clear."""
    total = sum(probs.values())
    if total <= 0:
        return 0.0
    routes: dict[str, float] = {}
    for c, v in probs.items():
        r = split_cell(c)[0]
        routes[r] = routes.get(r, 0.0) + v
    return max(routes.values()) / total
