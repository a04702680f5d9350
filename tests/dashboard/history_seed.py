"""A realistic, deterministic history for the browser audit: four weeks of traffic over ten models
(with three empty days), every tier, agent modes, failures with their error text, requests rejected
before routing, hourly traffic today, and one session whose turns stay, loop on tools, escalate,
follow the session over the policy's pick, downshift and fail over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from benchroute.routing.decision import Decision
from benchroute.store.base import DecisionRecord, Store, UsageRecord

HISTORY_MODELS = {  # id -> (input, output) USD per million tokens
    "fake/a": (1.0, 2.0),
    "fake/b": (0.5, 1.0),
    "fake/c": (5.0, 10.0),
    "open/qwen-coder-32b": (0.2, 0.6),
    "open/llama-3.3-70b": (0.6, 0.8),
    "anthropic/claude-haiku": (0.8, 4.0),
    "openai/gpt-4.1-mini": (0.4, 1.6),
    "google/gemini-flash": (0.1, 0.4),
    "mistral/devstral-small": (0.1, 0.3),
    "deepseek/deepseek-v3": (0.27, 1.1),
}
MODES = ["code", "plan", "debug", "ask", "architect", "orchestrator", None]
CLIENTS = ["kilo-code", "openai-python", "codex-cli"]
EMPTY_DAYS = {10, 11, 12}  # days ago without any traffic
TIMELINE_SESSION = "sess-timeline-0042"
FAIL_TEXT = "all candidates failed: fake/a 503 upstream overloaded; fake/b read timeout after 60 s"


def _cost(model: str, prompt: int, completion: int) -> float:
    i, o = HISTORY_MODELS.get(model, (0.0, 0.0))
    return (prompt * i + completion * o) / 1e6


def _record(n: int, time: datetime, project: str) -> UsageRecord:
    models = list(HISTORY_MODELS)
    model = models[(n * 7 + n // 5) % len(models)]
    tier = ["auto/efficient", "auto/efficient", "auto/efficient", "auto/frontier", "auto/balanced"][n % 5]
    if n % 11 == 0:
        tier = "manual"
    prompt, completion = 800 + (n * 137) % 9000, 60 + (n * 53) % 1500
    status, error = 200, None
    if n % 13 == 0:
        status, error, completion = 502, FAIL_TEXT, 0
    elif n % 17 == 0:
        status, error, completion = 429, "rate limit: upstream 429, retry after 20 s", 0
    rejected = n % 23 == 0
    if rejected:
        status, error, model, tier, prompt, completion = 401, "Incorrect API key provided", "", "", 0, 0
    served = status < 400
    return UsageRecord(
        id=f"h-{project}-{n:05d}",
        time=time,
        project=project,
        key_id=None,
        session_key=None if rejected else f"sess-{n // 6:04d}",
        client_name=CLIENTS[n % 3],
        client_version="5.2.3",
        api_kind="chat",
        requested_model=model if tier == "manual" else ("" if rejected else tier),
        tier=tier,
        routed_model=model,
        provider=model.split("/")[0] if model else "",
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=_cost(model, prompt, completion) if served else 0.0,
        latency_ms=300.0 + (n * 97) % 4000,
        ttft_ms=(120.0 + (n * 31) % 900) if served else None,
        status=status,
        error=error,
        decision_id=None if rejected else f"h-{project}-{n:05d}",
        mode=MODES[n % len(MODES)],
    )


def _history(project: str, now: datetime) -> list[UsageRecord]:
    records: list[UsageRecord] = []
    n = 0
    for days_ago in range(27, -1, -1):
        if days_ago in EMPTY_DAYS:
            continue
        for i in range(6 + (days_ago * 5) % 9):
            hour = (i * 5) % 24 if days_ago else max(0, now.hour - (i % (now.hour + 1)))
            time = (now - timedelta(days=days_ago)).replace(hour=hour, minute=(i * 7) % 60, second=0)
            records.append(_record(n, min(time, now - timedelta(minutes=1)), project))
            n += 1
    return records


def _timeline(project: str, now: datetime) -> tuple[list[UsageRecord], list[DecisionRecord]]:
    turns = [  # (model, reason, session action, note, explanation)
        ("fake/b", "cheapest_above_bar", "new", "first request of the session", ""),
        ("fake/b", "session_stay", "stay", "the session's model still clears the bar", ""),
        ("fake/b", "session_tool_loop", "stay", "inside a tool loop", ""),
        ("fake/c", "session_escalate", "escalate", "fake/b no longer clears the bar 0.81", ""),
        (
            "fake/c",
            "session_stay",
            "stay",
            "switching would rebuild the prompt cache",
            "Session: switching would rebuild the prompt cache. The policy alone would pick fake/a "
            "(cheapest_above_bar): fake/a clears the bar.",
        ),
        ("fake/a", "session_downshift", "downshift", "fake/a clears the bar and saves 5x", ""),
        ("fake/b", "cheapest_above_bar", "forced_by_failure", "fake/a failed; fake/b served the request", ""),
    ]
    usage, decisions = [], []
    for i, (model, reason, action, note, explanation) in enumerate(turns):
        rid = f"tl-{project}-{i:02d}"
        time = now - timedelta(hours=2) + timedelta(minutes=3 * i)
        prompt, completion = 4000 + 2500 * i, 300 + 40 * i
        usage.append(
            UsageRecord(
                id=rid,
                time=time,
                project=project,
                key_id=None,
                session_key=TIMELINE_SESSION,
                client_name="kilo-code",
                client_version="5.2.3",
                api_kind="chat",
                requested_model="auto/efficient",
                tier="auto/efficient",
                routed_model=model,
                provider=model.split("/")[0],
                prompt_tokens=prompt,
                completion_tokens=completion,
                cost_usd=_cost(model, prompt, completion),
                latency_ms=900.0 + 50 * i,
                ttft_ms=300.0,
                decision_id=rid,
                mode="code",
            )
        )
        decision = Decision(
            model=model,
            tier="auto/efficient",
            reason=reason,
            requested_model="auto/efficient",
            id=rid,
            session_key=TIMELINE_SESSION,
            session_action=action,
            session_note=note,  # type: ignore[arg-type]
            explanation=explanation or f"{model}: {note}.",
        )
        decisions.append(DecisionRecord(rid, time, project, TIMELINE_SESSION, decision.to_dict()))
    return usage, decisions


async def seed_history(
    store: Store, project: str = "alpha", now: datetime | None = None
) -> list[UsageRecord]:
    """Write the history; returns its usage records (the tests compute expectations from them)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    records = _history(project, now)
    decisions = [
        DecisionRecord(
            r.id,
            r.time,
            project,
            r.session_key,
            Decision(
                model=r.routed_model,
                tier=r.tier,
                reason="manual" if r.tier == "manual" else "cheapest_above_bar",
                requested_model=r.requested_model,
                id=r.id,
                session_key=r.session_key,
                explanation=f"history decision {r.id}",
            ).to_dict(),
        )
        for r in records
        if r.decision_id
    ]
    tl_usage, tl_decisions = _timeline(project, now)
    await store.write_usage(records + tl_usage)
    await store.write_decisions(decisions + tl_decisions)
    return records + tl_usage
