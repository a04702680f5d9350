"""OpenAI Responses helpers shared by the request/response code and its streams: usage, the
response object and its output items."""

from __future__ import annotations

from typing import Any

from benchroute.wire import _fields as f
from benchroute.wire.canonical import FinishReason, ToolCall, Usage

JSON = dict[str, Any]

# canonical finish reason -> (status, incomplete_details.reason)
INCOMPLETE: dict[FinishReason, str] = {"length": "max_output_tokens", "content_filter": "content_filter"}


def parse_usage(raw: Any) -> Usage:
    """A Responses usage object; `input_tokens` already includes cached tokens."""
    usage = raw if isinstance(raw, dict) else None
    return Usage(
        prompt_tokens=f.count(usage, "input_tokens"),
        completion_tokens=f.count(usage, "output_tokens"),
        cached_tokens=f.count(f.sub(usage, "input_tokens_details"), "cached_tokens"),
        reasoning_tokens=f.count(f.sub(usage, "output_tokens_details"), "reasoning_tokens"),
    )


def render_usage(usage: Usage) -> JSON:
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens, "cache_write_tokens": 0},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def output_text(text: str) -> JSON:
    return {"type": "output_text", "text": text, "annotations": []}


def message_item(item_id: str, text: str | None, status: str = "completed") -> JSON:
    content = [] if text is None else [output_text(text)]
    return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": content}


def function_call_item(item_id: str, call: ToolCall, status: str = "completed") -> JSON:
    return {
        "id": item_id,
        "type": "function_call",
        "call_id": call.id,
        "name": call.name,
        "arguments": call.arguments,
        "status": status,
    }


def reasoning_item(item_id: str, text: str | None) -> JSON:
    item: JSON = {"id": item_id, "type": "reasoning", "summary": []}
    if text is not None:
        item["content"] = [{"type": "reasoning_text", "text": text}]
    return item


def response_object(
    response_id: str,
    model: str,
    created: int,
    *,
    status: str,
    output: list[JSON],
    usage: Usage | None = None,
    reason: FinishReason | None = None,
    error: JSON | None = None,
) -> JSON:
    """The `response` object of the Responses API (what `openai.types.responses.Response` parses)."""
    incomplete = INCOMPLETE.get(reason) if reason is not None else None
    return {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": status,
        "model": model,
        "output": output,
        "error": error,
        "incomplete_details": {"reason": incomplete} if incomplete else None,
        "instructions": None,
        "metadata": {},
        "parallel_tool_calls": True,
        "temperature": None,
        "top_p": None,
        "tool_choice": "auto",
        "tools": [],
        "usage": render_usage(usage) if usage is not None else None,
    }


def status_for(reason: FinishReason) -> str:
    return "incomplete" if reason in INCOMPLETE else "completed"
