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
