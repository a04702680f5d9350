"""The one human sentence of a Decision, per outcome of the Efficient tier."""

from __future__ import annotations

import math

from benchroute.routing.figures import DIGITS, digits_apart, fmt
from benchroute.routing.policy import Choice, PolicyParams, Scores


def cells(top: list[tuple[str, float]]) -> str:
    return ", ".join(f"{c} {v:.0%}" for c, v in top[:2])


def general(share: float, text: str) -> str:
    return (
        f"Not about code (P(general) {share:.0%} in all; {text}), so the Balanced model {{model}} serves it."
    )


def side_task(chore: str, text: str) -> str:
    """A client's side request (routing/sidetask.py): the cells read are those of the quoted turn."""
    return (
        f"A client's side request ({chore}), not the user's coding work (its quoted turn reads as "
        f"{text}), so the Balanced model {{model}} serves it."
    )


def low_confidence(confidence: float, threshold: float, text: str) -> str:
    return (
        f"The classifier is unsure ({_below(confidence, threshold)}; {text}), so the Balanced "
        "model {model} serves it."
    )


def unsure(confidence: float, threshold: float, text: str, readings: tuple[str, ...]) -> str:
    """The cells of an unsure request routed on the worse of its likeliest readings."""
    return (
        f"{text} (the classifier is unsure, {_below(confidence, threshold)}, between "
        f"{_either(readings)}, so every model is scored by its worse reading: the choice is proven "
        "whichever is right)"
    )


def unsure_unproven(text: str) -> str:
    """`text` as `unsure` wrote it, when no model is proven on every reading."""
    return (
        f"For {text}: no eligible model at most as dear as the Balanced model is proven at its level "
        "on every reading, so the Balanced model {model} serves it."
    )


def _below(x: float, bar: float) -> str:
    """The relation x < bar as it reads true: x rounded down to the bar's decimals (2 to 4), so
    0.5999 < 0.6 reads "0.59 < 0.60"."""
    digits = next((d for d in (2, 3) if abs(round(bar, d) - bar) < 1e-12), 4)
    scale = 10**digits
    return f"{math.floor(x * scale + 1e-9) / scale:.{digits}f} < {bar:.{digits}f}"


def _either(readings: tuple[str, ...]) -> str:
    return " and ".join(readings) if len(readings) < 3 else f"{', '.join(readings[:-1])} and {readings[-1]}"


def no_evidence(text: str, params: PolicyParams) -> str:
    return (
        f"Routed to Balanced ({{model}}) because no usable model is measured on {params.min_coverage:.0%} "
        f"of this request's cell probability with an interval narrower than {params.max_width:.2f} ({text})."
    )


def chosen(
    text: str, choice: Choice, sc: Scores, i: int, dial: float, frontier_cost: float | None, ref: str | None
) -> str:
    """What the rule did, with the numbers it compared: each quoted relation holds as printed."""
    model = choice.model
    acc, low, high, cost = float(sc.accuracy[i]), float(sc.low[i]), float(sc.high[i]), float(sc.cost[i])
    bar = choice.bar if choice.bar is not None else 0.0
    floor = choice.floor if choice.floor is not None else 0.0
    top = choice.top_low or 0.0
    # one rounding (routing/figures.py), with the decimals that keep every compared pair apart
    n = digits_apart([(low, bar), (bar, floor), (bar, top)]) if dial < 1.0 else DIGITS
    interval = f"{fmt(acc, n)} [{fmt(low, n)}, {fmt(high, n)}]"
    if dial >= 1.0:
        what = f"{model} has the highest expected accuracy of the models measured here, {interval} (dial 1)"
    else:
        origin = (
            f"the lower end of the Balanced model {ref}"
            if ref
            else "the median lower end of the eligible models"
        )
        what = (
            f"{model} is the cheapest model on the cost/accuracy frontier whose lower end {fmt(low, n)} "
            f"≥ the bar {fmt(bar, n)} (accuracy {interval}; dial {dial:g}, bar between the floor "
            f"{fmt(floor, n)}, {origin}, and the most accurate model's lower end {fmt(top, n)})"
        )
    saving = ""
    if frontier_cost and frontier_cost > 0:
        ratio = cost / frontier_cost
        share = "under 1%" if 0 < ratio < 0.01 else f"{ratio:.0%}"
        saving = f", at {share} of the Frontier cost"
    return f"For {text}: {what}{saving}."


def malformed(models: list[str], rates: list[float], limit: float) -> str:
    """The sentence naming models left out of a request with tools for breaking tool calls."""
    if not models:
        return ""
    shown = ", ".join(f"{m} ({r:.0%})" for m, r in zip(models[:4], rates[:4], strict=True))
    more = f" and {len(models) - 4} more" if len(models) > 4 else ""
    return (
        f" Not proven for agent work, their measured malformed tool calls being above {limit:.0%}: "
        f"{shown}{more}."
    )
