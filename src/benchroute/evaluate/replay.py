"""Replay the production router over outcome data: `benchroute evaluate --router production`.

TRAIN becomes evidence exactly as the shipped leaderboard is built: the shipped classifier puts
each prompt on a route, each (model, route) is one observation (prompts, mean score) of the
benchmark "train:<route>", `leaderboard/fit.py` fits the measurement model and
`leaderboard/build.py` writes the snapshot. A catalog is made of TRAIN's models (a model's price is
set so that the policy's default call of 600 completion tokens costs its mean TRAIN cost). Then the
same `Router` the gateway runs routes every TEST prompt, with the shipped classifier, at each dial
point. Prompts the classifier calls `general` give no evidence and are routed to Balanced, as in
production. TEST outcomes are read only to score the choices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.evaluate.curve import Point, evaluate_choices
from benchroute.evaluate.outcomes import OutcomeMatrix, OutcomeRecord
from benchroute.leaderboard.build import snapshot_from_fit
from benchroute.leaderboard.fit import Observation, fit_empirical
from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import Classifier
from benchroute.routing.evidence import Snapshot, split_variant
from benchroute.routing.policy import route_probs, route_shares
from benchroute.routing.router import Router
from benchroute.routing.taxonomy import CODING_ROUTES
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest, Message, TextPart

DIALS = (0.0, 0.25, 0.5, 0.75, 1.0)
CALL_TOKENS = 600  # the policy's default completion tokens: prices are set so a call costs the mean


def as_request(text: str) -> ChatRequest:
    return ChatRequest(model="auto/efficient", messages=[Message(role="user", content=[TextPart(text)])])


def top_route(classifier: Classifier, text: str) -> str:
    routes = route_shares(route_probs(classifier.classify(as_request(text)).probs))
    return max(routes.items(), key=lambda kv: kv[1])[0] if routes else "general"


def evidence(train: Sequence[OutcomeRecord], classifier: Classifier) -> tuple[Snapshot, list[Observation]]:
    """TRAIN outcomes as a fitted snapshot, one benchmark per route."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for rec in train:
        route = top_route(classifier, rec.text)
        if route not in CODING_ROUTES:
            continue
        for model, outcome in rec.outcomes.items():
            acc = sums[(model, route)]
            acc[0] += 1.0
            acc[1] += outcome.score
    obs = [
        Observation(m, f"train:{r}", r, False, n, round(k, 3), f"train:{r} {m} n={int(n)}")
        for (m, r), (n, k) in sorted(sums.items())
    ]
    if not obs:
        return Snapshot(), []
    return snapshot_from_fit(fit_empirical(obs), obs, description="evaluate TRAIN evidence"), obs


def catalog_of(train: Sequence[OutcomeRecord]) -> Catalog:
    """TRAIN's models, priced so that a default call costs the model's mean TRAIN cost."""
    matrix = OutcomeMatrix.from_records(train)
    mean_cost = matrix.filled_costs().mean(axis=0) if len(train) else np.zeros(len(matrix.models))
    return Catalog(
        ModelInfo(
            id=m,
            provider=m.split("/", 1)[0],
            upstream_id=m,
            context=1_000_000,
            output_price=float(c) / CALL_TOKENS * 1e6,
            price_source="evaluate TRAIN mean cost",
        )
        for m, c in zip(matrix.models, mean_cost, strict=True)
    )


def replay(
    train: Sequence[OutcomeRecord],
    test: Sequence[OutcomeRecord],
    classifier: Classifier,
    dials: Sequence[float] = DIALS,
) -> dict[float, list[str]]:
    """Per dial: the model the production router chooses for each TEST prompt."""
    snapshot, _ = evidence(train, classifier)
    router = Router(catalog_of(train), snapshot, classifier)
    choices: dict[float, list[str]] = {}
    for dial in dials:
        project = ProjectSettings(dial=dial)
        choices[dial] = [
            split_variant(router.route(as_request(rec.text), project, RouteContext()).model)[0]
            for rec in test
        ]
    return choices


def score_replay(choices: dict[float, list[str]], truth: Sequence[OutcomeRecord]) -> list[Point]:
    """Mean score and cost of each dial's choices on TEST's outcomes."""
    matrix = OutcomeMatrix.from_records(truth)
    index = {m: j for j, m in enumerate(matrix.models)}
    points = []
    for dial, models in choices.items():
        choice = np.array([index.get(m, 0) for m in models], dtype=np.intp)
        points.append(evaluate_choices(f"production dial {dial:g}", choice, matrix))
    return points
