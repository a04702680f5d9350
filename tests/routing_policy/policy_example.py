"""The worked example of docs/routing.md as objects (shared by the policy tests)."""

from __future__ import annotations

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import TierSettings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart

PRICES = {  # USD per 1M tokens: input, output
    "x/tiny": (0.02, 0.05),
    "x/nodata": (0.05, 0.10),
    "x/small": (0.10, 0.40),
    "x/mid": (0.50, 2.00),
    "x/upper": (1.00, 4.00),
    "x/big": (3.00, 15.00),
}

# (model, cell, n, k, mean completion tokens)
EVIDENCE = [
    ("x/tiny", "implement:medium", 40, 8, None),
    ("x/tiny", "edit:easy", 40, 30, None),
    ("x/nodata", "edit:easy", 40, 38, None),
    ("x/small", "implement:medium", 40, 26, 800.0),
    ("x/small", "edit:easy", 40, 36, 200.0),
    ("x/mid", "implement:medium", 40, 24, 1000.0),
    ("x/mid", "edit:easy", 40, 32, 300.0),
    ("x/upper", "implement:medium", 40, 32, None),
    ("x/upper", "edit:easy", 40, 36, None),
    ("x/big", "implement:medium", 40, 34, 1200.0),
    ("x/big", "edit:easy", 40, 38, 400.0),
]

PROBS = {"implement:medium": 0.7, "edit:easy": 0.3}
PROMPT = "x" * 3984  # (3984 + 3) // 4 + 4 = 1000 prompt tokens


def catalog() -> Catalog:
    return Catalog(
        ModelInfo(
            id=m, provider="x", upstream_id=m.split("/")[1], input_price=i, output_price=o, context=128000
        )
        for m, (i, o) in PRICES.items()
    )


def snapshot() -> Snapshot:
    return Snapshot.from_stats(
        CellStats(model=m, cell=c, trials=n, successes=k, mean_completion_tokens=t, sources=("example",))
        for m, c, n, k, t in EVIDENCE
    )


def tiers() -> TierSettings:
    return TierSettings(
        balanced={"chat": "x/mid", "messages": "x/mid", "responses": "x/mid"},
        frontier={"reasoning": "x/big", "implementation": "x/big"},
    )


def router(confidence: float = 0.9) -> Router:
    return Router(catalog(), snapshot(), FakeClassifier.fixed(PROBS, confidence), tiers())


def request(model: str = "auto/efficient", text: str = PROMPT, **ctx: str) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[Message(role="user", content=[TextPart(text)])],
        context=RequestContext(**ctx),  # type: ignore[arg-type]
    )
