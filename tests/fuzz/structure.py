"""Structural mutations of valid bodies, for every field of every dialect.

Each seed is a valid request that uses every field its dialect's parser reads. `mutations(seed)`
replaces the value at every path (every key of every object, every item of every list) with each
structurally wrong value: an object where a string is expected, a list where an object is, a
number, a boolean, a string where a list is.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

WRONG: tuple[Any, ...] = ({}, [], [{}], {"a": {}}, 7, -5.5, True, "x", "", [[]], [1])

_TOOL_SCHEMA = {"type": "object", "properties": {"q": {"type": "string"}}}
_IMAGE = "data:image/png;base64,iVBORw0KGgo="

CHAT_SEED: dict[str, Any] = {
    "model": "up/small",
    "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "developer", "content": [{"type": "text", "text": "dev"}]},
        {
            "role": "user",
            "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": _IMAGE}}],
        },
        {
            "role": "assistant",
            "content": "calling",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "done"},
    ],
    "max_tokens": 5,
    "max_completion_tokens": 5,
    "temperature": 0.5,
    "top_p": 0.9,
    "stop": ["x"],
    "stream": False,
    "stream_options": {"include_usage": True},
    "tools": [
        {"type": "function", "function": {"name": "f", "description": "d", "parameters": _TOOL_SCHEMA}}
    ],
    "tool_choice": {"type": "function", "function": {"name": "f"}},
    "parallel_tool_calls": True,
    "reasoning_effort": "low",
    "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": _TOOL_SCHEMA}},
    "user": "u1",
}

MESSAGES_SEED: dict[str, Any] = {
    "model": "up/small",
    "max_tokens": 5,
    "system": [{"type": "text", "text": "be brief"}],
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "hi"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "ok"},
                {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "r"}]},
                {"type": "tool_result", "tool_use_id": "t1", "content": "r", "is_error": False},
            ],
        },
    ],
    "temperature": 0.5,
    "top_p": 0.9,
    "top_k": 5,
    "stop_sequences": ["x"],
    "stream": False,
    "tools": [
        {"name": "f", "description": "d", "input_schema": _TOOL_SCHEMA},
        {"type": "web_search_20250305", "name": "web_search"},
    ],
    "tool_choice": {"type": "tool", "name": "f", "disable_parallel_tool_use": False},
    "thinking": {"type": "enabled", "budget_tokens": 1024},
    "metadata": {"user_id": "u1"},
}

RESPONSES_SEED: dict[str, Any] = {
    "model": "up/small",
    "instructions": "be brief",
    "input": [
        {"role": "developer", "content": "dev"},
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "hi"}, {"type": "input_image", "image_url": _IMAGE}],
        },
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "ok"}]},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "done"},
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "s"}]},
    ],
    "max_output_tokens": 5,
    "temperature": 0.5,
    "top_p": 0.9,
    "stream": False,
    "tools": [
        {"type": "function", "name": "f", "description": "d", "parameters": _TOOL_SCHEMA},
        {"type": "web_search"},
    ],
    "tool_choice": {"type": "function", "name": "f"},
    "parallel_tool_calls": True,
    "reasoning": {"effort": "low"},
    "text": {"format": {"type": "json_schema", "name": "s", "schema": _TOOL_SCHEMA}},
    "store": False,
    "user": "u1",
}

SEEDS: dict[str, dict[str, Any]] = {
    "/v1/chat/completions": CHAT_SEED,
    "/v1/messages": MESSAGES_SEED,
    "/v1/responses": RESPONSES_SEED,
}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into `value` (keys of objects, indexes of lists), parents before children."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield (*prefix, i)
            yield from paths(item, (*prefix, i))


def replaced(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node: Any = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = copy.deepcopy(value)
    return out


def mutations(seed: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, body) for every path of `seed` and every wrong value."""
    for path in paths(seed):
        for wrong in WRONG:
            label = ".".join(str(p) for p in path) + f" = {wrong!r}"
            yield label, replaced(seed, path, wrong)
