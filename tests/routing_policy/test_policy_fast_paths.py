"""The decision's cheaper paths give what the plain definitions give: the one-pass prompt estimate
and needs, the remembered tool schema sizes, the notes by mask, the candidates by one sort, the
frontier shared by the choice and the fallbacks. Each is checked against the straightforward
version (the code before the speed-up) on the shipped table with random scores and masks.
benchmarks/policy/same_decisions.py checks whole Decisions on the request set, old against new."""

from __future__ import annotations

import numpy as np
import pytest

from benchroute.routing.base import RouteContext
from benchroute.routing.call import Call
from benchroute.routing.capabilities import SCHEMA_MEMO, Needs, SchemaSizes, needs_of, read_needs
from benchroute.routing.decision import Candidate
from benchroute.routing.eligibility import (
    MAX_INELIGIBLE,
    NOTES,
    Eligibility,
    Gates,
    candidates,
    eligibility,
    fallbacks,
    gate_codes,
    gates,
    pool_of,
)
from benchroute.routing.policy import (
    CELL_NAMES,
    CELL_ROUTE,
    EPS,
    Choice,
    PolicyTable,
    Scores,
    choose,
    estimate_prompt_tokens,
    frontier,
    route_probs,
    route_shares,
)
from benchroute.routing.router import Router
from benchroute.routing.substitution import savings_models
from benchroute.routing.taxonomy import ALL_CELLS
from benchroute.routing.tiers import frontier_model, frontier_role
from benchroute.settings import ProjectSettings, Settings
from benchroute.wire.canonical import ChatRequest, ImagePart, Message, TextPart, Tool, ToolCall


@pytest.fixture(scope="module")
def table() -> PolicyTable:
    return Router.default(Settings()).table


def plain_tokens(request: ChatRequest) -> int:
    """The estimate as first written: the joined text of each message."""
    chars = 0
    for m in request.messages:
        chars += len(m.text)
        for call in m.tool_calls:
            chars += len(call.name) + len(call.arguments)
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + len(str(tool.parameters))
    return (chars + 3) // 4 + 4 * len(request.messages)


def requests() -> list[ChatRequest]:
    schema = {"type": "object", "properties": {"path": {"type": "string", "description": "a file"}}}
    return [
        ChatRequest("auto", [Message("user", [TextPart("hi")])]),
        ChatRequest("auto", [Message("user", [TextPart("ab"), ImagePart("data:x"), TextPart("cde")])]),
        ChatRequest("auto", [Message("user", [])]),
        ChatRequest(
            "auto",
            [
                Message("system", [TextPart("You are a coding agent. " * 50)]),
                Message("user", [TextPart("fix it")]),
                Message("assistant", [TextPart("ok")], [ToolCall("c1", "read", '{"path": "a.py"}')]),
                Message("tool", [TextPart("def f(): pass\n" * 30)], tool_call_id="c1"),
            ],
            tools=[Tool("read", "Read a file", schema), Tool("bash")],
        ),
        ChatRequest("auto", [Message("user", [TextPart("x")]), Message("tool", [TextPart("out")])]),
        ChatRequest("auto", [Message("user", [TextPart("x" * 32_001)])], tools=[Tool("t", "d")]),
    ]


@pytest.mark.parametrize("request_", requests())
def test_the_one_pass_estimate_and_needs_equal_the_plain_definitions(request_: ChatRequest) -> None:
    tokens = plain_tokens(request_)
    assert estimate_prompt_tokens(request_) == tokens
    assert read_needs(request_) == needs_of(request_, tokens)
    assert read_needs(request_, SchemaSizes()) == needs_of(request_, tokens)


def test_schema_sizes_are_remembered_by_value_and_bounded() -> None:
    sizes = SchemaSizes()
    tool = Tool("read", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}})
    assert sizes(tool) == len(str(tool.parameters))
    again = Tool("read", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}})
    assert sizes(again) == len(str(tool.parameters))
    changed = Tool(
        "read", "Read a file", {"type": "object", "properties": {"path_or_glob": {"type": "string"}}}
    )
    assert sizes(changed) == len(str(changed.parameters)) != len(str(tool.parameters))
    for i in range(SCHEMA_MEMO * 2 + 5):
        t = Tool(f"t{i}", "", {"n": "x" * i})
        assert sizes(t) == len(str(t.parameters))
    assert len(sizes._known) <= SCHEMA_MEMO


def random_scores(table: PolicyTable, rng: np.random.Generator) -> Scores:
    n = len(table.models)
    acc = np.round(rng.uniform(0.2, 0.9, n), 2)  # rounded: ties in accuracy
    low = acc - rng.uniform(0.0, 0.3, n)
    high = acc + rng.uniform(0.0, 0.3, n)
    cost = np.round(rng.uniform(0.0, 0.05, n), 3)  # and in cost
    return Scores(acc, low, high, rng.uniform(0.3, 1.0, n), np.rint(rng.uniform(100, 900, n)), cost)


def random_gates(n: int, rng: np.random.Generator) -> Gates:
    masks = [rng.random(n) > share for share in (0.1, 0.1, 0.2, 0.1, 0.05)]
    passed = masks[0] & masks[1] & masks[2] & masks[3] & masks[4]
    return Gates(*masks, passed, gate_codes(*masks))


def plain_eligibility(table: PolicyTable, sc: Scores, g: Gates) -> Eligibility:
    """As first written: each check's failures in turn, the first failing check winning."""
    covered = sc.coverage >= table.params.min_coverage - 1e-12
    narrow = (sc.high - sc.low) <= table.params.max_width + 1e-12
    pool = g.capable & g.tool_safe & g.allowed & g.keyed & g.available & covered & narrow
    checks = (
        (g.allowed, "not_allowed"),
        (g.keyed, "no_key"),
        (g.capable, "capability"),
        (g.tool_safe, "malformed_tool_calls"),
        (g.available, "cooldown"),
        (covered, "no_evidence"),
        (narrow, "wide_interval"),
    )
    notes = [""] * len(table.models)
    for mask, note in reversed(checks):
        for i in np.flatnonzero(~mask).tolist():
            notes[i] = note
    return Eligibility(pool, np.array([NOTES.index(n) for n in notes], dtype=np.intp))


def plain_candidates(table: PolicyTable, sc: Scores, elig: Eligibility) -> tuple[Candidate, ...]:
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
        out.append(
            Candidate(table.models[i], acc[i], cost[i], ok[i], NOTES[elig.codes[i]], low[i], high[i], cov[i])
        )
    return tuple(out)


def most_accurate(front: np.ndarray, accuracy: np.ndarray, cost: np.ndarray) -> int:
    """The row of the highest A on `front` (ties: the cheaper, then the first), by numpy."""
    ids = np.flatnonzero(front)
    return int(ids[np.lexsort((ids, cost[ids], -accuracy[ids]))][0])


def plain_choose(
    models: tuple[str, ...], sc: Scores, pool: np.ndarray, floor: float | None, dial: float
) -> Choice:
    """`choose` as first written: numpy masks over every model, np.median for the floor."""
    if not pool.any():
        return Choice(None, None, floor, None, False)
    acc, low, cost = sc.accuracy, sc.low, sc.cost
    front = frontier(pool, acc, cost)
    top = most_accurate(front, acc, cost)
    a_best, top_low = float(acc[top]), float(low[top])
    base = float(np.median(low[pool])) if floor is None else floor
    if not (front & (low >= base - EPS)).any():
        return Choice(None, None, base, a_best, False, top_low)
    dial = min(max(dial, 0.0), 1.0)
    bar = base + dial * max(0.0, top_low - base)
    if dial >= 1.0:
        return Choice(models[top], bar, base, a_best, bool(top_low >= bar - EPS), top_low)
    ok = np.flatnonzero(front & (low >= bar - EPS))
    pick = int(ok[np.lexsort((ok, -acc[ok], cost[ok]))][0])
    return Choice(models[pick], bar, base, a_best, True, top_low)


def test_notes_candidates_and_the_shared_frontier_match_the_plain_versions(table: PolicyTable) -> None:
    rng = np.random.default_rng(19)
    for _ in range(300):
        sc = random_scores(table, rng)
        g = random_gates(len(table.models), rng)
        elig = eligibility(table, sc, g)
        plain = plain_eligibility(table, sc, g)
        assert elig.codes.tolist() == plain.codes.tolist()
        assert elig.pool.tolist() == plain.pool.tolist() == pool_of(table, sc, g).tolist()
        assert candidates(table, sc, elig) == plain_candidates(table, sc, plain)
        front = frontier(elig.pool, sc.accuracy, sc.cost)
        floor = float(sc.low[int(rng.integers(len(table.models)))]) if rng.random() < 0.7 else None
        dial = float(rng.choice([0.0, 0.3, 0.5, 1.0]))
        chosen = choose(table.models, sc, elig.pool, floor, dial, front)
        assert chosen == choose(table.models, sc, elig.pool, floor, dial)
        assert chosen == plain_choose(table.models, sc, elig.pool, floor, dial)
        if chosen.model is not None:
            i = table.row[chosen.model]
            balanced = list(table.models[:6])
            assert fallbacks(table, sc, elig.pool, i, floor, balanced, front) == fallbacks(
                table, sc, elig.pool, i, floor, balanced
            )


def test_the_gates_say_why_in_a_routed_decision() -> None:
    router = Router.default(Settings())
    request = requests()[3]
    cooling = frozenset(router.table.bases[:3])
    project = ProjectSettings(dial=0.5, allowed_models=["openai/*", "anthropic/*", "google/*"])
    decision = router.route(request, project, RouteContext(unavailable=cooling))
    needs = read_needs(request)
    call = Call(request, project, RouteContext(unavailable=cooling), needs.tokens, needs)
    assert call.needs.tools
    for c in decision.candidates:
        base = c.model.partition("@")[0]
        if not call.allowed(c.model):
            assert c.note == "not_allowed" and not c.eligible
        elif c.note == "cooldown":
            assert base in cooling
        if c.eligible:
            assert c.note == "" and base not in cooling and call.allowed(c.model)


def plain_route_probs(probs: dict[str, float]) -> dict[str, float]:
    """route_probs as first written: every cell through CELL_NAMES, legacy cells folded in."""
    out: dict[str, float] = {}
    for cell_id, p in probs.items():
        key = CELL_NAMES.get(cell_id)
        if key is not None and p > 0:
            out[key] = out.get(key, 0.0) + float(p)
    return out


def test_route_probs_of_current_cells_equal_the_folding_loop() -> None:
    rng = np.random.default_rng(23)
    for _ in range(300):
        cells = [c for c in ALL_CELLS if rng.random() < 0.7]
        extra = [c for c in ("edit:easy", "math:hard", "nonsense:easy") if rng.random() < 0.2]
        keys = [*cells, *extra]
        values = rng.random(len(keys)) * (rng.random(len(keys)) < 0.8)  # some zeros
        probs = dict(zip(keys, values.astype(np.float32).tolist(), strict=True))
        got, want = route_probs(probs), plain_route_probs(probs)
        assert list(got.items()) == list(want.items())


def test_the_remembered_gates_and_balanced_order_equal_fresh_ones() -> None:
    router = Router.default(Settings())
    tier = router.efficient
    contexts = sorted({int(c) for c in router.table.context.tolist()})
    cooling = frozenset(router.table.bases[:2])
    for tokens in [0, contexts[0] - 1024, contexts[0] - 1023, contexts[1] - 1024, 10**7]:
        for tools in (False, True):
            for allowed, unavailable in ((["*"], frozenset()), (["openai/*", "google/*"], cooling)):
                request = requests()[3 if tools else 0]
                needs = Needs(tools, False, tokens)
                project = ProjectSettings(dial=0.5, allowed_models=allowed)
                call = Call(request, project, RouteContext(unavailable=unavailable), tokens, needs)
                for _ in range(2):  # the first call fills the memo, the second reads it
                    g, _ = tier._gates(call)
                    fresh = gates(router.table, call, tier._allowed(allowed), tier.keyed)
                    assert [m.tolist() for m in (g.allowed, g.capable, g.tool_safe, g.passed)] == [
                        m.tolist() for m in (fresh.allowed, fresh.capable, fresh.tool_safe, fresh.passed)
                    ]
                    assert g.available.tolist() == fresh.available.tolist()
                    try:
                        expected = router.balanced._order(call)
                    except Exception as exc:  # the same error, memo or not
                        with pytest.raises(type(exc)):
                            router.balanced.order(call)
                    else:
                        assert router.balanced.order(call) == expected


def plain_score(table: PolicyTable, p: np.ndarray, agent: bool, prompt_tokens: int) -> Scores:
    """`score` as first written: one matrix-vector product per array."""
    k = 1 if agent else 0
    acc, low, high = table.estimate[k] @ p, table.low[k] @ p, table.high[k] @ p
    toks = np.rint(
        table.tokens @ p if p.any() else table.params.default_completion_tokens * table.effort_factor
    )
    cost = (prompt_tokens * table.input_price + toks * table.output_price) / 1_000_000
    return Scores(acc, low, high, table.measured @ p, toks, cost)


FIELDS = ("accuracy", "low", "high", "coverage", "completion_tokens", "cost")


def test_the_batched_scores_are_the_separate_products(table: PolicyTable) -> None:
    rng = np.random.default_rng(7)
    n = len(table.cells)
    mixtures = [np.zeros(n), np.eye(n)[3]]
    mixtures += [rng.dirichlet(np.full(n, 0.1)) for _ in range(300)]
    mixtures += [
        table.vector(dict(zip(table.cells, rng.random(n) * (rng.random(n) < 0.2), strict=True)))
        for _ in range(300)
    ]
    for p in mixtures:
        for agent in (False, True):
            tokens = int(rng.integers(1, 200_000))
            got, want = table.score(p, agent, tokens), plain_score(table, p, agent, tokens)
            for name in FIELDS:
                assert getattr(got, name).tolist() == getattr(want, name).tolist(), name


def test_the_kept_savings_models_are_the_frontier_models_of_each_mode() -> None:
    router = Router.default(Settings())
    kept = savings_models(router.catalog, router.tiers, router.defaults)
    for mode in (None, "plan", "architect", "code", "debug", "orchestrator", "ask"):
        role = frontier_role(mode, None)
        model = frontier_model(role, router.tiers, router.defaults)
        assert model and kept[role] == router.catalog.get(model), mode
    assert {frontier_role(m, None) for m in ("plan", "code")} == set(kept)  # both roles


def test_the_cell_vector_and_route_shares_equal_the_plain_definitions(table: PolicyTable) -> None:
    rng = np.random.default_rng(11)
    for k in range(200):
        cells = [c for c in ALL_CELLS if rng.random() < (1.0 if k % 2 else 0.7)]
        probs = route_probs({c: float(rng.random()) for c in cells})
        p = np.array([probs.get(c, 0.0) for c in table.cells], dtype=np.float64)
        plain = p / p.sum() if p.sum() > 0 else p
        assert table.vector(probs).tolist() == plain.tolist()
        shares: dict[str, float] = {}
        for c, v in probs.items():
            shares[CELL_ROUTE[c]] = shares.get(CELL_ROUTE[c], 0.0) + v
        assert list(route_shares(probs).items()) == list(shares.items())
