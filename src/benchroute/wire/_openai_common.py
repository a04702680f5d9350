"""OpenAI wire helpers shared by the chat-completions request/response code and its streams."""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire import _fields as f
from benchroute.wire.canonical import FinishReason, Usage
from benchroute.wire.errors import WireError

JSON = dict[str, Any]

FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "end_turn": "stop",
    "length": "length",
    "max_tokens": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
    "error": "error",
}


def arguments(value: Any, param: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # lenient: some clients send decoded arguments
        return orjson.dumps(value).decode()
    raise WireError(f"{param} must be a string of JSON", param=param)


def parse_usage(raw: Any) -> Usage:
    """An OpenAI usage object (lenient: missing or null counts are 0)."""
    usage = raw if isinstance(raw, dict) else None
    prompt_details = f.sub(usage, "prompt_tokens_details")
    completion_details = f.sub(usage, "completion_tokens_details")
    cached = f.count(prompt_details, "cached_tokens") or f.count(usage, "cached_tokens")
    # by position, in the fields' order (tests/test_positional.py): keywords cost CPython more
    return Usage(
        f.count(usage, "prompt_tokens"),  # prompt_tokens
        f.count(usage, "completion_tokens"),  # completion_tokens
        cached,  # cached_tokens
        f.count(completion_details, "reasoning_tokens"),  # reasoning_tokens
    )


def finish_reason(value: Any) -> FinishReason:
    return FINISH_REASONS.get(value, "stop") if isinstance(value, str) else "stop"


def render_usage(usage: Usage) -> JSON:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def client_finish(reason: FinishReason) -> str:
    # "error" is not a chat-completions finish reason; strict clients reject unknown values.
    return "stop" if reason == "error" else reason
