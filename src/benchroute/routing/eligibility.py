"""Who may be chosen for one request, and why not: the Efficient tier's filters, as masks over the
policy table's models, and the candidates and fallbacks a Decision lists.

The request-level filters (project, keys, capabilities, tool safety, cooldowns) do not depend on
the cell mixture, so `gates` works them out once per request; `eligibility` adds the evidence
filters (coverage, interval width) for one mixture, which the tier may score more than once (the
two-route agreement of an unsure request).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

import numpy as np

from benchroute.quickinit import quick_init
from benchroute.routing.call import MAX_FALLBACKS, Call, unique
from benchroute.routing.decision import Candidate
from benchroute.routing.evidence import split_variant
from benchroute.routing.policy import EPS, BoolArray, IntArray, PolicyTable, Scores, frontier

# Why a model is not eligible, in the order the checks are reported: the first failing one wins.
NOTES = (
    "",
    "not_allowed",
    "no_key",
    "capability",
    "malformed_tool_calls",
    "cooldown",
    "no_evidence",
    "wide_interval",
)
_NOTES = np.array(NOTES, dtype=object)  # `NOTES` to index by an array of codes
_NOTES.flags.writeable = False
MAX_INELIGIBLE = 12  # ineligible candidates listed in a Decision (the most accurate ones)


@dataclass(frozen=True, slots=True)
class Gates:
    """The request-level filters, each a mask over the table's models (True: passes)."""

    allowed: BoolArray
    keyed: BoolArray
    capable: BoolArray
    tool_safe: BoolArray
    available: BoolArray  # not in cooldown
    passed: BoolArray  # all of the above
    # per model, 1 + the first check above it fails (the index in `NOTES`), 0 when it passes them
    # all (`gate_codes`)
    codes: IntArray


@quick_init  # built once or more per request: plain stores (benchroute/quickinit.py)
@dataclass(frozen=True, slots=True)
class Eligibility:
    pool: BoolArray  # may be chosen
    codes: IntArray  # per table model: why not, as an index in `NOTES` (0: eligible)


def gates(table: PolicyTable, call: Call, allowed: BoolArray, keyed: BoolArray) -> Gates:
    """Capabilities, project, keys, cooldowns. A request with tools also excludes models measured
    to break tool calls (`PolicyTable.tool_safe`)."""
    capable = table.capable(call.needs)
    unavailable = call.ctx.unavailable
    if unavailable:
        available = np.array([b not in unavailable for b in table.bases], dtype=bool)
    else:
        available = table.everyone
    tool_safe = table.tool_safe() if call.needs.tools else table.everyone
    passed = capable & tool_safe & allowed & keyed & available
    return Gates(
        allowed,
        keyed,
        capable,
        tool_safe,
        available,
        passed,
        gate_codes(allowed, keyed, capable, tool_safe, available),
    )


def gate_codes(*checks: BoolArray) -> IntArray:
    """Per model, 1 + the index of the first of `checks` it fails, 0 when it passes them all."""
    stacked = np.array(checks)
    codes: IntArray = np.where(stacked.all(axis=0), 0, stacked.argmin(axis=0) + 1)  # argmin: first False
    return codes


def evidence_ok(table: PolicyTable, sc: Scores) -> tuple[BoolArray, BoolArray]:
    """(covered, narrow): measured on enough of the mixture, an interval no wider than the limit."""
    least, widest = table.evidence_limits
    return sc.coverage >= least, (sc.high - sc.low) <= widest


def pool_of(table: PolicyTable, sc: Scores, g: Gates) -> BoolArray:
    """Who may be chosen for this mixture (the pool of `eligibility`, without the notes)."""
    covered, narrow = evidence_ok(table, sc)
    pool: BoolArray = g.passed & covered & narrow
    return pool


def eligibility(table: PolicyTable, sc: Scores, g: Gates) -> Eligibility:
    """Who may be chosen for this mixture and, for every other model, the first check it fails."""
    covered, narrow = evidence_ok(table, sc)
    pool = g.passed & covered & narrow
    # a model that passes the request-level checks (`passed`: codes 0) fails on evidence, if at
    # all: coverage first
    code: IntArray = np.where(g.passed, np.where(covered, np.where(narrow, 0, 7), 6), g.codes)
    return Eligibility(pool, code)


def fallbacks(
    table: PolicyTable,
    sc: Scores,
    pool: BoolArray,
    chosen: int,
    floor: float | None,
    balanced: list[str],
    front: BoolArray | None = None,
) -> tuple[str, ...]:
    """After the chosen model: the other frontier models proven at the floor, nearest in A first
    (ties: the cheaper), then the Balanced models; never a model an eligible model dominates.
    `front`: `frontier(pool, sc.accuracy, sc.cost)` when the caller has it already."""
    if front is None:
        front = frontier(pool, sc.accuracy, sc.cost)
    least = -np.inf if floor is None else floor - EPS
    idx = front.nonzero()[0]  # a few models: compared as Python floats (the same values)
    front_ids = idx.tolist()
    at = float(sc.accuracy[chosen])
    near = sorted(
        (abs(a - at), c, j)
        for j, a, c, lo in zip(
            front_ids, sc.accuracy[idx].tolist(), sc.cost[idx].tolist(), sc.low[idx].tolist(), strict=True
        )
        if lo >= least and j != chosen
    )
    base = table.bases

    def balanced_rest() -> Iterator[str]:  # runs only if the frontier gives fewer than enough
        on_front = {base[j] for j in front_ids}
        dominated = {base[j] for j in (pool & ~front).nonzero()[0].tolist()} - on_front
        for m in balanced:
            b = split_variant(m)[0]
            if b not in dominated:
                yield b

    near_bases = (base[j] for _, _, j in near)
    return tuple(unique(chain(near_bases, balanced_rest()), base[chosen], MAX_FALLBACKS))


def candidates(table: PolicyTable, sc: Scores, elig: Eligibility) -> tuple[Candidate, ...]:
    """The eligible models and the most accurate ineligible ones, most accurate first, with their
    numbers and notes."""
    order = (-sc.accuracy).argsort(kind="stable")  # ties: table order
    ok = elig.pool[order]
    keep = ok | ((~ok).cumsum() <= MAX_INELIGIBLE)
    shown = order[keep]
    # the numbers and the notes of the shown models only (float64 throughout: the same values)
    return tuple(
        map(
            Candidate,
            table.names[shown].tolist(),
            sc.accuracy[shown].tolist(),
            sc.cost[shown].tolist(),
            ok[keep].tolist(),
            _NOTES[elig.codes[shown]].tolist(),
            sc.low[shown].tolist(),
            sc.high[shown].tolist(),
            sc.coverage[shown].tolist(),
        )
    )
