"""The Decision as recorded once the request is answered: when the chosen model failed and a
fallback served it, the record's reason is `forced_by_failure` and its explanation says so first
(which model failed, how, how many times; which fallback served it, at what expected cost against
the chosen model's and the Frontier's), then what the policy chose and why. Fallbacks skipped
because they were cooling down are named; when every attempt failed, the explanation says that.
The record also carries the facts as fields (`failures`, `skipped_cooling`, `served_expected_cost`).
Pure: no I/O."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from benchroute.gateway.attempts import Attempts, Failure
from benchroute.routing.decision import Decision

_KINDS = {
    "server": "server error",
    "timeout": "timed out",
    "connect": "could not connect",
    "rate_limit": "rate limited",
    "protocol": "invalid response",
    "auth": "rejected the provider key",
    "client": "rejected the request",
    "provider_not_configured": "provider not configured here",
}


def usd(x: float) -> str:
    return f"${x:.4f}" if x >= 0.01 else f"${x:.6f}"


def failed_text(f: Failure) -> str:
    """ "server error 500, 2 attempts" """
    kind = _KINDS.get(f.kind, f.kind)
    if f.status is not None and f.kind not in ("timeout", "connect", "provider_not_configured"):
        kind += f" {f.status}"
    return kind + (f", {f.attempts} attempts" if f.attempts > 1 else "")


def recorded(
    decision: Decision, served: str | None, status: int, attempts: Attempts | None
) -> tuple[Decision, dict[str, Any]]:
    """(the Decision to record, the record's extra fields) for a request `served` by that model
    (None: none answered) with HTTP `status`, after `attempts`."""
    if attempts is None or not (attempts.failures or attempts.skipped):
        return decision, {}
    extra: dict[str, Any] = {
        "failures": [asdict(f) for f in attempts.failures],
        "skipped_cooling": list(attempts.skipped),
    }
    skipped = (
        f" Skipped while cooling down after upstream failures: {', '.join(attempts.skipped)}."
        if attempts.skipped
        else ""
    )
    failed = "; ".join(f"{f.model} ({failed_text(f)})" for f in attempts.failures)
    if status >= 400 or served is None:
        lead = f"Every attempt failed: {failed}." if failed else "No model could be called."
        return replace(decision, explanation=f"{lead}{skipped} Chosen before: {decision.explanation}"), extra
    if served == decision.model:  # a retry of the chosen model served it
        lead = f"{decision.model} served it after failed attempts ({failed})." if failed else ""
        text = " ".join(t for t in (lead, skipped.strip(), decision.explanation) if t)
        return replace(decision, explanation=text), extra
    cost = decision.fallback_costs.get(served)
    extra["served_expected_cost"] = cost
    lead = (
        f"{failed} failed before the first byte; the fallback {served} served it"
        if failed
        else (f"{decision.model} could not be tried; the fallback {served} served it")
    )
    if cost is not None:
        lead += f", at an expected {usd(cost)}" + _against(cost, decision)
    why = f"{lead}.{skipped} The policy had chosen {decision.model}: {decision.explanation}"
    return replace(decision, reason="forced_by_failure", explanation=why), extra


def _against(cost: float, d: Decision) -> str:
    parts = []
    if d.expected_cost:
        parts.append(f"{cost / d.expected_cost:.2g}× the {usd(d.expected_cost)} expected on {d.model}")
    if d.frontier_cost:
        share = cost / d.frontier_cost
        parts.append(f"{'under 1%' if 0 < share < 0.01 else f'{share:.0%}'} of the Frontier cost")
    return f" ({'; '.join(parts)})" if parts else ""
