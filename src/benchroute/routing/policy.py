"""The routing math: A(m) with its interval, eligibility, the bar and the dial.

docs/routing.md states every rule here with a worked example that
tests/routing_policy/test_policy_worked_example.py reproduces number for number.

- Per cell c the snapshot gives Â(m,c) with an interval [L, U], single-turn and as an agent
  (leaderboard/fit.py); a request with tools uses the agent numbers.
- A(m) = Σ_c P(c)·Â(m,c), L(m) = Σ_c P(c)·L(m,c), U(m) likewise, P over the coding cells.
- A request with tools excludes every model whose measured malformed-tool-call rate on agent tasks
  (the snapshot's `malformed`) is above `max_malformed_rate`: it is not proven for agent work.
- A cell counts as measured for m when m has ≥ min_tasks tasks on its route (for a route no
  benchmark measures: ≥ min_tasks tasks behind the model's fit). Coverage(m) = Σ_c P(c) over
  measured cells; m may be chosen only with coverage ≥ min_coverage and U(m) − L(m) ≤ max_width.
- The floor is one reference lower end for every client: L(ref) of the reference model (the
  Balanced model for the chat API, whatever API the request speaks) when it is measured for the
  request, else the median L of the eligible models.
- Bar and rule are on one scale, lower ends: bar(d) = floor + d·max(0, L_top − floor), L_top the
  lower end of the most accurate frontier model (by estimate). "Proven at d": L(m) ≥ bar(d).
- When no eligible frontier model's L reaches the floor, nothing is chosen (Balanced serves it).
- Expected cost = (prompt tokens · input price + completion tokens · output price) / 10⁶ at the
  catalog's prices, completion tokens Σ_c P(c)·tokens(m,c): a cell's mean completion tokens when a
  source reports them for m, else `default_completion_tokens`; a reasoning variant ("m@high")
  without tokens of its own on a cell takes its base model's times the effort factor
  (catalog/effort.py): reasoning tokens are billed as output. `score` and `expected_cost` give the
  same numbers, so the candidates, the choice, the Frontier comparison and the savings agree.
- The choice at d < 1 is the cheapest proven model on the cost/accuracy frontier of the eligible
  models (no other eligible model is at most as dear and at least as accurate, one strictly); at
  d = 1 the most accurate by estimate (whose L is bar(1)). Along the frontier cost and A rise
  together and the proven set only shrinks as d grows, so cost and A never go down as the dial
  goes up; at d = 0.5 the bar is the midpoint between the floor and L_top.

Everything here is pure; `PolicyTable` is built once per (snapshot, catalog) and then only read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter, neg
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.quickinit import quick_init
from benchroute.routing.capabilities import UPSTREAM_APIS, Needs, read_needs
from benchroute.routing.evidence import Snapshot, split_variant
from benchroute.routing.taxonomy import (
    ALL_CELLS,
    CODING_ROUTES,
    DIFFICULTIES,
    LEGACY_TASK_TYPES,
    normalize_task_type,
    split_cell,
)
from benchroute.wire.canonical import ChatRequest

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

EPS = 1e-12
CODING_CELLS: tuple[str, ...] = tuple(c for c in ALL_CELLS if split_cell(c)[0] in CODING_ROUTES)


@dataclass(frozen=True, slots=True)
class PolicyParams:
    min_tasks: float = 15.0  # tasks behind a cell for it to count as measured (commit0 has 16)
    min_coverage: float = 0.6  # share of P(c) that must fall on measured cells
    max_width: float = 0.5  # widest interval U − L a chosen model may have for the request
    default_completion_tokens: int = 600  # when no source reports completion tokens for a cell
    # A model whose measured malformed-tool-call rate on agent tasks is above this is not proven
    # for agent work (a request with tools), whatever its single-turn score (docs/routing.md).
    max_malformed_rate: float = 0.05


@quick_init  # built once or more per request: plain stores (benchroute/quickinit.py)
@dataclass(frozen=True, slots=True)
class Scores:
    """Every model's numbers for one request, as arrays aligned with `PolicyTable.models`."""

    accuracy: FloatArray  # A(m)
    low: FloatArray  # L(m)
    high: FloatArray  # U(m)
    coverage: FloatArray
    completion_tokens: FloatArray  # rounded to whole tokens
    cost: FloatArray


def _cell_names() -> dict[str, str]:
    names = {c: c for c in ALL_CELLS}
    for legacy, route in LEGACY_TASK_TYPES.items():
        names.update({f"{legacy}:{d}": f"{normalize_task_type(route)}:{d}" for d in DIFFICULTIES})
    return names


CELL_NAMES: Final[Mapping[str, str]] = MappingProxyType(_cell_names())  # any known cell -> current
_ROUTE_OF: Final[dict[str, str]] = {c: split_cell(c)[0] for c in ALL_CELLS}  # never changed
CELL_ROUTE: Final[Mapping[str, str]] = MappingProxyType(_ROUTE_OF)


def route_probs(probs: Mapping[str, float]) -> dict[str, float]:
    """P over cells with legacy task types folded in ("edit:easy" adds to "implement:easy");
    unknown cells are dropped."""
    if _ROUTE_OF.keys() >= probs.keys():  # current cells only (a classifier's own): nothing folds
        return {cell_id: float(p) for cell_id, p in probs.items() if p > 0}
    out: dict[str, float] = {}
    names = CELL_NAMES
    for cell_id, p in probs.items():
        key = names.get(cell_id)
        if key is not None and p > 0:
            out[key] = out.get(key, 0.0) + float(p)
    return out


def route_shares(probs: Mapping[str, float]) -> dict[str, float]:
    """P(route) (difficulties summed) of `route_probs` output, in the order the routes first appear."""
    routes: dict[str, float] = {}
    get = routes.get
    for r, v in zip(map(_ROUTE_OF.__getitem__, probs), probs.values(), strict=True):
        routes[r] = get(r, 0.0) + v
    return routes


def general_share(routes: Mapping[str, float], total: float) -> float:
    """P(the request is not about code), from `route_shares` output and the probabilities' total."""
    return routes.get("general", 0.0) / total if total > 0 else 0.0


class PolicyTable:
    """Per-model arrays over the coding cells, precomputed from a snapshot for the catalog's models."""

    def __init__(self, snapshot: Snapshot, catalog: Catalog, params: PolicyParams | None = None) -> None:
        self.params = params or PolicyParams()
        self.cells = CODING_CELLS
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.cells)}
        self._pick = itemgetter(*self.cells)  # P of every coding cell, as a tuple (there are many)
        self.models: tuple[str, ...] = tuple(m for m in snapshot.models() if split_variant(m)[0] in catalog)
        self.row: dict[str, int] = {m: i for i, m in enumerate(self.models)}
        self.names: npt.NDArray[np.object_] = np.array(self.models, dtype=object)  # to index by arrays
        self.names.flags.writeable = False
        self.bases: tuple[str, ...] = tuple(split_variant(m)[0] for m in self.models)  # catalog ids
        infos = [catalog.get(split_variant(m)[0]) for m in self.models]
        self.info: tuple[ModelInfo, ...] = tuple(i for i in infos if i is not None)
        self.effort: tuple[str | None, ...] = tuple(split_variant(m)[1] for m in self.models)
        self.direct_routes: frozenset[str] = frozenset(
            split_cell(s.cell)[0] for s in snapshot if s.trials > 0 and s.cell in self.index
        )  # coding routes a benchmark measures
        self.effort_factors = catalog.effort
        # completion tokens of each model per token of its base model (1 for a base model)
        self.effort_factor: FloatArray = np.array(
            [catalog.effort.factor(b, e) for b, e in zip(self.bases, self.effort, strict=True)],
            dtype=np.float64,
        )
        self._fill(snapshot)
        self.input_price: FloatArray = np.array([m.input_price for m in self.info])
        self.output_price: FloatArray = np.array([m.output_price for m in self.info])
        self.context: FloatArray = np.array([float(m.context) for m in self.info])
        self.tools: BoolArray = np.array([m.tools for m in self.info], dtype=bool)
        self.vision: BoolArray = np.array([m.vision for m in self.info], dtype=bool)
        self.api_ok: BoolArray = np.array([bool(m.apis & UPSTREAM_APIS) for m in self.info], dtype=bool)
        # measured malformed-tool-call rate per model (a variant's own, else its base model's); 0: unmeasured
        rates = snapshot.malformed
        self.malformed: FloatArray = np.array(
            [rates.get(m, rates.get(split_variant(m)[0], 0.0)) for m in self.models], dtype=np.float64
        )
        self._tool_safe: BoolArray = self.malformed <= self.params.max_malformed_rate + EPS
        self.everyone: BoolArray = np.ones(len(self.models), dtype=bool)  # a mask nobody fails
        # the evidence checks' limits, as compared: (least coverage, widest interval)
        self.evidence_limits = (self.params.min_coverage - EPS, self.params.max_width + EPS)
        self._tool_safe.flags.writeable = self.everyone.flags.writeable = False

    def tool_safe(self) -> BoolArray:
        """Models not measured to break tool calls (rate at most `max_malformed_rate`). Read-only."""
        return self._tool_safe

    def _fill(self, snapshot: Snapshot) -> None:
        """The estimate / interval arrays (index 0 single-turn, 1 agent), measured cells, tokens."""
        shape = (len(self.models), len(self.cells))
        est, low, high = np.zeros((2, *shape)), np.zeros((2, *shape)), np.ones((2, *shape))
        measured = np.zeros(shape)
        tokens = np.full(shape, float(self.params.default_completion_tokens))
        own = np.zeros(shape, dtype=bool)  # a source reports this model's completion tokens here
        for s in snapshot:
            i, j = self.row.get(s.model), self.index.get(s.cell)
            if i is None or j is None:
                continue
            for k, agent in enumerate((False, True)):
                est[k, i, j], low[k, i, j], high[k, i, j] = s.interval(agent)
            basis = s.trials if split_cell(s.cell)[0] in self.direct_routes else s.evidence_tasks
            measured[i, j] = float(basis >= self.params.min_tasks)
            if s.mean_completion_tokens is not None:
                tokens[i, j] = s.mean_completion_tokens
                own[i, j] = True
        # A variant's cells without tokens of its own: its base model's (measured or the default)
        # times the effort factor. Base rows are final here: they never take a factor.
        for i in np.flatnonzero(self.effort_factor != 1.0).tolist():
            b = self.row.get(self.bases[i])
            base = tokens[b] if b is not None else float(self.params.default_completion_tokens)
            tokens[i] = np.where(own[i], tokens[i], base * self.effort_factor[i])
        self.estimate: FloatArray = est
        self.low: FloatArray = low
        self.high: FloatArray = high
        self.measured: FloatArray = measured
        self.tokens: FloatArray = tokens
        # per setting, the five matrices `score` multiplies by P, stacked: one batched product
        # (`np.matmul` runs the same BLAS matrix-vector product on each, so the same values)
        self._stacked: tuple[FloatArray, FloatArray] = (
            np.ascontiguousarray(np.stack((est[0], low[0], high[0], measured, tokens))),
            np.ascontiguousarray(np.stack((est[1], low[1], high[1], measured, tokens))),
        )

    def __contains__(self, model: object) -> bool:
        return model in self.row

    def vector(self, probs: Mapping[str, float]) -> FloatArray:
        """P(c) over the coding cells, normalised (general cells and unknown cells dropped)."""
        try:  # a classifier gives every cell: one lookup of them all
            p = np.array(self._pick(probs), dtype=np.float64)
        except KeyError:
            n = len(self.cells)
            p = np.fromiter(map(probs.get, self.cells, repeat(0.0, n)), dtype=np.float64, count=n)
        total = p.sum()
        return p / total if total > 0 else p

    def capable(self, needs: Needs) -> BoolArray:
        """The capability filter (routing/capabilities.py) over the table's models."""
        ok = self.api_ok & (self.context >= needs.tokens + 1024)
        if needs.tools:
            ok = ok & self.tools
        if needs.vision:
            ok = ok & self.vision
        return ok

    def score(self, p: FloatArray, agent: bool, prompt_tokens: int) -> Scores:
        """A(m), its interval, coverage, expected completion tokens and cost for every model."""
        # A, L, U, coverage and completion tokens in one batched product: each is the BLAS
        # matrix-vector product `np.dot(matrix, p)` computes (bit-equal), at half the calls' cost
        acc, low, high, cov, toks = np.matmul(self._stacked[1 if agent else 0], p)
        toks = np.rint(
            toks if np.count_nonzero(p) else self.params.default_completion_tokens * self.effort_factor
        )
        cost = (prompt_tokens * self.input_price + toks * self.output_price) / 1_000_000
        return Scores(acc, low, high, cov, toks, cost)

    def expected_tokens(self, model: str, p: FloatArray | None) -> int:
        """Expected completion tokens of `model` (a catalog id or a variant) over P: the same
        numbers as `score`'s; without coding cells (or for a model the snapshot lacks), the default
        times the variant's effort factor."""
        i = self.row.get(model)
        if i is not None and p is not None and np.count_nonzero(p):
            return int(np.rint(np.dot(self.tokens[i], p)))  # the same BLAS dot as `@`
        base, effort = split_variant(model)
        factor = self.effort_factor[i] if i is not None else self.effort_factors.factor(base, effort)
        return int(np.rint(self.params.default_completion_tokens * factor))


def expected_cost(
    catalog: Catalog, table: PolicyTable, model: str, p: FloatArray | None, prompt_tokens: int
) -> float | None:
    """USD for this request on `model` (a catalog id or a variant of one) at the cells' tokens."""
    info = catalog.get(split_variant(model)[0])
    if info is None:
        return None
    return info.cost(prompt_tokens, table.expected_tokens(model, p))


def estimate_prompt_tokens(request: ChatRequest) -> int:
    """Prompt tokens of a request: characters / 4 over message text, tool call arguments and tool
    schemas, plus 4 per message (role and framing). Good to ~20% for English and code. One pass
    (`capabilities.read_needs`)."""
    return read_needs(request).tokens


@quick_init  # built once or more per request: plain stores (benchroute/quickinit.py)
@dataclass(frozen=True, slots=True)
class Choice:
    model: str | None  # None: no eligible model is proven at the floor (caller falls back to Balanced)
    bar: float | None  # on the lower-end scale: compared with L(m)
    floor: float | None  # the reference lower end L_ref (or the median L of the pool)
    a_best: float | None  # the highest A(m) on the frontier
    proven: bool  # the choice clears the bar on its lower end L(m) (False: the most accurate, at dial 1)
    top_low: float | None = None  # L of the most accurate model: the bar at dial 1


def frontier(pool: BoolArray, accuracy: FloatArray, cost: FloatArray) -> BoolArray:
    """Models of `pool` no other pool model dominates (as cheap or cheaper and at least as accurate,
    one strictly; exact duplicates keep the first)."""
    idx = pool.nonzero()[0]
    # cheapest first, then most accurate, then by row (a stable sort of rows in order)
    keep = idx[np.lexsort((-accuracy[idx], cost[idx]))]
    rows: list[int] = []
    best = -np.inf
    for i, a in zip(keep.tolist(), accuracy[keep].tolist(), strict=True):
        if a > best + EPS:
            rows.append(i)
            best = a
    out = np.zeros(len(pool), dtype=bool)
    out[rows] = True
    return out


def choose(
    models: Sequence[str],
    sc: Scores,
    pool: BoolArray,
    floor: float | None,
    dial: float,
    front: BoolArray | None = None,
) -> Choice:
    """The model for dial `dial` among `pool` (module docstring). `floor` is a lower end (the
    reference model's L); None: the median L of the pool. Bar and test are both on lower ends.
    `front`: `frontier(pool, sc.accuracy, sc.cost)` when the caller has it already."""
    if not np.count_nonzero(pool):
        return Choice(None, None, floor, None, False)
    if front is None:
        front = frontier(pool, sc.accuracy, sc.cost)
    # the frontier holds a few models: compare them as Python floats (the same float64 values),
    # in tuples (ties broken by the next element, the row last)
    idx = front.nonzero()[0]
    ids = idx.tolist()
    acc, low, cost = sc.accuracy[idx].tolist(), sc.low[idx].tolist(), sc.cost[idx].tolist()
    # the most accurate (ties: cheaper, then first)
    _, _, top, a_best, top_low = min(zip(map(neg, acc), cost, ids, acc, low, strict=True))
    base = _median(sc.low[pool].tolist()) if floor is None else floor
    if not any(map((base - EPS).__le__, low)):  # nobody usable is proven at the floor: Balanced
        return Choice(None, None, base, a_best, False, top_low)
    dial = min(max(dial, 0.0), 1.0)
    bar = base + dial * max(0.0, top_low - base)
    if dial >= 1.0:
        return Choice(models[top], bar, base, a_best, bool(top_low >= bar - EPS), top_low)
    # not empty: the floor check above, and bar <= max(base, top_low); cheapest, then most accurate
    least = bar - EPS
    pick = min((c, -a, i) for i, a, lo, c in zip(ids, acc, low, cost, strict=True) if lo >= least)[2]
    return Choice(models[pick], bar, base, a_best, True, top_low)


def _median(values: list[float]) -> float:
    """`np.median` of a few floats, as it computes it: the middle one, or the mean of the two
    middle ones ((a + b) / 2), without its partition and checks."""
    values.sort()
    n = len(values)
    half = n // 2
    return values[half] if n % 2 else (values[half - 1] + values[half]) / 2
