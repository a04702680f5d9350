"""Anthropic wire helpers shared by the Messages request/response code and its streams.

Token accounting: Anthropic's `input_tokens` excludes prompt tokens read from or written to the
cache; canonical `prompt_tokens` includes them. So canonical prompt = input + cache_read +
cache_creation, and rendering back gives input = prompt - cached (creation tokens stay in input).
"""

from __future__ import annotations

from typing import Any

from benchroute.wire import _fields as f
from benchroute.wire.canonical import FinishReason, Usage

JSON = dict[str, Any]

# Reasoning effort <-> extended-thinking budget (`thinking.budget_tokens`). A client's budget maps
# to the first effort whose budget holds it (above "high": "high"); an effort renders as its budget.
EFFORT_BUDGET: dict[str, int] = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576}
RENDER_BUDGET: dict[str, int] = {**EFFORT_BUDGET, "xhigh": 31999}
MIN_BUDGET = 1024  # the API's floor for budget_tokens
ANSWER_ROOM = 4096  # output tokens kept for the answer when max_tokens must be capped


def effort_for_budget(budget: int | None) -> str:
    """The reasoning effort nearest a thinking budget (no budget: "medium")."""
    if budget is None:
        return "medium"
    for effort, limit in EFFORT_BUDGET.items():
        if budget <= limit:
            return effort
    return "high"


STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
STOP_REASONS_OUT: dict[FinishReason, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
    "error": "end_turn",
}


def parse_usage(raw: Any) -> Usage:
    """An Anthropic usage object -> canonical (prompt includes cache reads and writes)."""
    usage = raw if isinstance(raw, dict) else None
    cache_read = f.count(usage, "cache_read_input_tokens")
    prompt = f.count(usage, "input_tokens") + cache_read + f.count(usage, "cache_creation_input_tokens")
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=f.count(usage, "output_tokens"),
        cached_tokens=cache_read,
        reasoning_tokens=f.count(f.sub(usage, "output_tokens_details"), "thinking_tokens"),
    )


def stop_reason(value: Any) -> FinishReason:
    return STOP_REASONS.get(value, "stop") if isinstance(value, str) else "stop"


def render_usage(usage: Usage) -> JSON:
    out: JSON = {
        "input_tokens": max(usage.prompt_tokens - usage.cached_tokens, 0),
        "output_tokens": usage.completion_tokens,
        "cache_read_input_tokens": usage.cached_tokens,
        "cache_creation_input_tokens": 0,
    }
    if usage.reasoning_tokens:
        out["output_tokens_details"] = {"thinking_tokens": usage.reasoning_tokens}
    return out
