"""The routing math: smoothed accuracy per cell, A(m), expected cost, eligibility and the bar.

docs/routing.md states every formula here with a worked example that
tests/routing_policy/test_policy_worked_example.py reproduces number for number.

- Overall accuracy of a model: p̄(m) = Σ_c k(m,c) / Σ_c n(m,c) over all its cells.
- Smoothed accuracy: p̂(m,c) = (k + a·p̄(m)) / (n + a); a cell without evidence gets p̂ = p̄(m).
- A(m) = Σ_c P(c) · p̂(m,c), P normalised over the cells the table knows.
- Coverage(m) = Σ_c P(c) over cells where n(m,c) ≥ min_trials. Eligible for efficient routing
  only when coverage ≥ min_coverage.
- Expected completion tokens T(m) = Σ_c P(c) · t(m,c): the model's mean completion tokens in the
  cell, else the mean over models with a figure for the cell, else `default_completion_tokens`.
- Expected cost = ModelInfo.cost(prompt_tokens, round(T(m))), prompt tokens from the request.
- A_bal (the floor) is the Balanced model's A, with p̂ on cells where it has no evidence taken as
  the median p̂ of the models that have evidence there.
- bar = A_bal + d · max(0, A_best − A_bal); choose the cheapest candidate with A ≥ bar (ties:
  higher A, then id); at d = 1 that is the most accurate, ties to the cheaper.

Everything here is pure; `PolicyTable` is built once per (snapshot, catalog) and then only read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.routing.taxonomy import ALL_CELLS
from benchroute.wire.canonical import ChatRequest

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

EPS = 1e-12


@dataclass(frozen=True, slots=True)
class PolicyParams:
    smoothing: float = 10.0  # a: pseudo-trials pulling p̂ toward the model's overall accuracy
    min_trials: float = 10.0  # a cell counts as evidence from this many trials
    min_coverage: float = 0.6  # share of P(c) that must fall on cells with evidence
    default_completion_tokens: int = 600  # when no source reports completion tokens for a cell


@dataclass(frozen=True, slots=True)
class Scored:
    """One model's numbers for one request."""

    model: str
    accuracy: float  # A(m)
    coverage: float
    completion_tokens: int
    cost: float


@dataclass(frozen=True, slots=True)
class Scores:
    """Every model's numbers for one request, as arrays aligned with `PolicyTable.models`."""

    accuracy: FloatArray  # A(m)
    coverage: FloatArray
    completion_tokens: FloatArray  # rounded to whole tokens
    cost: FloatArray


class PolicyTable:
    """Per-model arrays over cells, precomputed from a snapshot for the models in the catalog."""

    def __init__(self, snapshot: Snapshot, catalog: Catalog, params: PolicyParams | None = None) -> None:
        self.params = params or PolicyParams()
        a = self.params.smoothing
        cells = list(ALL_CELLS) + [c for c in snapshot.cell_ids() if c not in ALL_CELLS]
        self.cells: tuple[str, ...] = tuple(cells)
        self.index: dict[str, int] = {c: i for i, c in enumerate(cells)}
        self.models: tuple[str, ...] = tuple(m for m in snapshot.models() if m in catalog)
        self.row: dict[str, int] = {m: i for i, m in enumerate(self.models)}
        self.info: tuple[ModelInfo, ...] = tuple(catalog.get(m) for m in self.models)  # type: ignore[misc]
        n_m, n_c = len(self.models), len(cells)
        trials = np.zeros((n_m, n_c))
        succ = np.zeros((n_m, n_c))
        tokens = np.full((n_m, n_c), np.nan)
        for s in snapshot:
            i, j = self.row.get(s.model), self.index[s.cell]
            if i is None:
                continue
            trials[i, j], succ[i, j] = s.trials, s.successes
            if s.mean_completion_tokens is not None:
                tokens[i, j] = s.mean_completion_tokens
        total_n = trials.sum(axis=1)
        overall = np.divide(succ.sum(axis=1), total_n, out=np.zeros(n_m), where=total_n > 0)
        self.overall: FloatArray = overall
        self.trials: FloatArray = trials
        self.successes: FloatArray = succ
        self.phat: FloatArray = (succ + a * overall[:, None]) / (trials + a)
        self.evidence: FloatArray = (trials >= self.params.min_trials).astype(np.float64)
        with np.errstate(invalid="ignore"):
            has = ~np.isnan(tokens)
            counts = has.sum(axis=0)
            col_mean = np.where(
                counts > 0,
                np.nansum(tokens, axis=0) / np.maximum(counts, 1),
                float(self.params.default_completion_tokens),
            )
        self.tokens: FloatArray = np.where(has, tokens, col_mean[None, :])
        # Per cell: the median p̂ over models with evidence there (NaN where nobody has evidence).
        masked = np.where(self.evidence > 0, self.phat, np.nan)
        with np.errstate(all="ignore"):
            col_has = (self.evidence > 0).any(axis=0)
            medians = np.full(n_c, np.nan)
            if n_m:
                medians[col_has] = np.nanmedian(masked[:, col_has], axis=0)
        self.cell_median: FloatArray = medians
        self.input_price: FloatArray = np.array([m.input_price for m in self.info])
        self.output_price: FloatArray = np.array([m.output_price for m in self.info])
        self.context: FloatArray = np.array([float(m.context) for m in self.info])

    def __contains__(self, model: object) -> bool:
        return model in self.row

    def vector(self, probs: Mapping[str, float]) -> FloatArray:
        """P(c) as a vector over the table's cells, normalised; unknown cells are dropped."""
        get = probs.get
        p = np.array([get(c, 0.0) for c in self.cells], dtype=np.float64)
        np.maximum(p, 0.0, out=p)
        total = p.sum()
        return p / total if total > 0 else p

    def score(self, p: FloatArray, prompt_tokens: int) -> Scores:
        """A(m), coverage, expected completion tokens and cost for every model of the table."""
        acc = self.phat @ p
        cov = self.evidence @ p
        toks = np.rint(self.tokens @ p) if p.any() else np.zeros(len(self.models))
        cost = (prompt_tokens * self.input_price + toks * self.output_price) / 1_000_000
        return Scores(acc, cov, toks, cost)

    def score_all(self, p: FloatArray, prompt_tokens: int) -> list[Scored]:
        """`score` as one record per model (for explanations and tests)."""
        sc = self.score(p, prompt_tokens)
        return [
            Scored(
                m,
                float(sc.accuracy[i]),
                float(sc.coverage[i]),
                int(sc.completion_tokens[i]),
                float(sc.cost[i]),
            )
            for i, m in enumerate(self.models)
        ]

    def floor_accuracy(self, model: str, p: FloatArray) -> float | None:
        """The Balanced floor: A of `model` where it has evidence, and on the other cells the median
        p̂ of the models that have evidence there (a typical model). None when no model has
        evidence for any cell of the request."""
        has_median = ~np.isnan(self.cell_median)
        if not (p[has_median] > 0).any():
            return None
        i = self.row.get(model)
        own = self.phat[i] if i is not None else np.zeros(len(self.cells))
        mine = self.evidence[i] > 0 if i is not None else np.zeros(len(self.cells), dtype=bool)
        vec = np.where(mine, own, np.where(has_median, self.cell_median, own))
        return float(vec @ p)

    def expected_tokens(self, model: str, p: FloatArray) -> int:
        i = self.row.get(model)
        if i is None or not p.any():
            return self.params.default_completion_tokens
        return int(np.rint(self.tokens[i] @ p))


def estimate_prompt_tokens(request: ChatRequest) -> int:
    """Prompt tokens of a request: characters / 4 over message text, tool call arguments and tool
    schemas, plus 4 per message (role and framing). Good to ~20% for English and code."""
    chars = 0
    for m in request.messages:
        chars += len(m.text)
        for call in m.tool_calls:
            chars += len(call.name) + len(call.arguments)
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + len(str(tool.parameters))
    return (chars + 3) // 4 + 4 * len(request.messages)


@dataclass(frozen=True, slots=True)
class Choice:
    model: str | None  # None: nobody clears the bar (caller falls back to Balanced)
    bar: float | None
    a_balanced: float | None
    a_best: float | None
    ranked: tuple[str, ...]  # candidates clearing the bar, cheapest first (the choice is first)


def choose(
    models: Sequence[str],
    accuracy: FloatArray,
    cost: FloatArray,
    pool: BoolArray,
    balanced_accuracy: float | None,
    dial: float,
) -> Choice:
    """Cheapest model in `pool` (the models that may be chosen) with A >= bar; ties: higher A, then
    id. At dial 1: highest A, ties to the cheaper. `models` must be sorted by id.

    With `balanced_accuracy` None (no evidence to set the floor) nothing is chosen."""
    if balanced_accuracy is None or not pool.any():
        return Choice(None, None, balanced_accuracy, None, ())
    a_best = float(accuracy[pool].max())
    bar = balanced_accuracy + dial * max(0.0, a_best - balanced_accuracy)
    above = np.flatnonzero(pool & (accuracy >= bar - EPS))
    if dial >= 1.0:
        order = np.lexsort((above, cost[above], -np.round(accuracy[above], 9)))
    else:
        order = np.lexsort((above, -accuracy[above], cost[above]))
    ranked = tuple(models[i] for i in above[order].tolist())
    return Choice(ranked[0] if ranked else None, bar, balanced_accuracy, a_best, ranked)
