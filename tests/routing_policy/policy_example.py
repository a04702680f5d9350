"""The worked example of docs/routing.md as objects (shared by the policy tests)."""

from __future__ import annotations

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.evidence import CellStats, Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import TierSettings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, Tool

PRICES = {  # USD per 1M tokens: input, output
    "x/tiny": (0.02, 0.05),
    "x/nodata": (0.05, 0.10),
    "x/wide": (0.03, 0.08),
    "x/small": (0.10, 0.40),
    "x/mid": (0.50, 2.00),
    "x/upper": (1.00, 4.00),
    "x/big": (3.00, 15.00),
}
NO_TOOLS = frozenset({"x/upper"})

# (model, cell, tasks, estimate, low, high): the fitted numbers (same single-turn and as an agent)
EVIDENCE = [
    ("x/tiny", "implement:medium", 40, 0.20, 0.12, 0.30),
    ("x/tiny", "implement:easy", 40, 0.75, 0.62, 0.85),
    ("x/nodata", "implement:easy", 0, 0.95, 0.60, 0.99),
    ("x/wide", "implement:medium", 20, 0.70, 0.30, 0.95),
    ("x/wide", "implement:easy", 20, 0.90, 0.50, 0.99),
    ("x/small", "implement:medium", 40, 0.65, 0.55, 0.74),
    ("x/small", "implement:easy", 40, 0.90, 0.82, 0.95),
    ("x/mid", "implement:medium", 40, 0.60, 0.50, 0.69),
    ("x/mid", "implement:easy", 40, 0.80, 0.70, 0.87),
    ("x/upper", "implement:medium", 40, 0.80, 0.70, 0.88),
    ("x/upper", "implement:easy", 40, 0.90, 0.83, 0.95),
    ("x/big", "implement:medium", 40, 0.85, 0.77, 0.91),
    ("x/big", "implement:easy", 40, 0.95, 0.90, 0.98),
]

PROBS = {"implement:medium": 0.7, "implement:easy": 0.3}
PROMPT = "x" * 3984  # (3984 + 3) // 4 + 4 = 1000 prompt tokens


def catalog() -> Catalog:
    return Catalog(
        ModelInfo(
            id=m,
            provider="x",
            upstream_id=m.split("/")[1],
            input_price=i,
            output_price=o,
            context=128000,
            tools=m not in NO_TOOLS,
        )
        for m, (i, o) in PRICES.items()
    )


def snapshot() -> Snapshot:
    return Snapshot.from_stats(
        CellStats(
            model=m,
            cell=c,
            trials=n,
            successes=round(n * a),
            sources=("example",),
            estimate=a,
            low=lo,
            high=hi,
            agent_estimate=a,
            agent_low=lo,
            agent_high=hi,
            evidence_tasks=2 * n,
        )
        for m, c, n, a, lo, hi in EVIDENCE
    )


def tiers() -> TierSettings:
    return TierSettings(
        balanced={"chat": "x/mid", "messages": "x/mid", "responses": "x/mid"},
        frontier={"reasoning": "x/big", "implementation": "x/big"},
    )


def router(confidence: float = 0.9) -> Router:
    return Router(catalog(), snapshot(), FakeClassifier.fixed(PROBS, confidence), tiers())


def request(
    model: str = "auto/efficient", text: str = PROMPT, *, tools: bool = False, **ctx: str
) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[Message(role="user", content=[TextPart(text)])],
        tools=[Tool(name="read_file", description="Read a file")] if tools else [],
        context=RequestContext(**ctx),  # type: ignore[arg-type]
    )
