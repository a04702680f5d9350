"""The stored form of a labelled request (one JSON object per line) and its canonical request.

A record keeps the request as the gateway would see it after parsing (messages with tool calls and
tool results, tool names, the mode header, the API kind and the client), plus its labels and where
it came from:

    {"id", "source", "template", "split", "client", "language", "task_type", "subtype",
     "difficulty", "provenance", "request": {"api_kind", "mode", "tools", "messages"}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from benchroute.wire.canonical import ChatRequest, Message, Part, RequestContext, TextPart, Tool, ToolCall


def to_request(stored: dict[str, Any]) -> ChatRequest:
    """The canonical request of a stored `request` object."""
    messages = []
    for m in stored["messages"]:
        calls = [ToolCall(c["id"], c["name"], c.get("arguments", "{}")) for c in m.get("tool_calls", [])]
        raw = m.get("content") or []
        content: list[Part] = [TextPart(t) for t in ([raw] if isinstance(raw, str) else raw) if t]
        messages.append(
            Message(
                role=m["role"],
                content=content,
                tool_calls=calls,
                tool_call_id=m.get("tool_call_id"),
                is_error=bool(m.get("is_error", False)),
            )
        )
    tools = [Tool(name) for name in stored.get("tools", [])]
    ctx = RequestContext(
        api_kind=stored.get("api_kind", "chat"), mode=stored.get("mode"), client_name=stored.get("client")
    )
    return ChatRequest(model="auto", messages=messages, tools=tools, context=ctx)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


def of_split(records: Iterable[dict[str, Any]], split: str) -> Iterator[dict[str, Any]]:
    return (r for r in records if r["split"] == split)
