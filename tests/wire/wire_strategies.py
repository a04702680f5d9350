"""Hypothesis strategies for canonical requests, responses and event streams, shared by the wire tests.

Each dialect can carry a little less than canonical (chat has no tool-error flag, Messages has no
"required"-vs-"any" distinction...), so the strategies take switches for what a dialect keeps.
"""

from __future__ import annotations

import operator
import string
from typing import Any

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    Finish,
    FinishReason,
    ImagePart,
    Message,
    Part,
    ReasoningDelta,
    RequestContext,
    StreamEvent,
    TextDelta,
    TextPart,
    Tool,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageReport,
)

ALNUM = string.ascii_letters + string.digits
# Every property test of the wire layer runs with these settings: generation can be slow on a busy
# CI machine, and that must not fail a test.
wire_settings = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
text = st.text(min_size=1, max_size=40)
ident = st.builds(operator.add, st.sampled_from(string.ascii_letters), st.text(ALNUM + "_", max_size=12))
call_ids = st.text(ALNUM, min_size=4, max_size=12).map(lambda s: "call_" + s)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), text)
arguments = st.dictionaries(ident, json_scalar, max_size=3).map(lambda d: orjson.dumps(d).decode())
images = st.one_of(
    st.builds(lambda n: ImagePart(url=f"https://example.com/{n}.png"), ident),
    st.builds(
        lambda mt, data: ImagePart(url=f"data:{mt};base64,{data}", media_type=mt),
        st.sampled_from(["image/png", "image/jpeg"]),
        st.text(ALNUM + "+/", min_size=4, max_size=24),
    ),
)
CONTEXT = RequestContext(api_kind="chat", mode="code", task_id="t-1", project="default")


def text_parts(max_size: int = 3) -> st.SearchStrategy[list[Part]]:
    return st.lists(st.builds(TextPart, text), min_size=1, max_size=max_size)


def user_parts(allow_images: bool) -> st.SearchStrategy[list[Part]]:
    part: st.SearchStrategy[Part] = st.builds(TextPart, text)
    if allow_images:
        part = st.one_of(part, images)
    return st.lists(part, min_size=1, max_size=3)


@st.composite
def conversations(
    draw: st.DrawFn,
    *,
    allow_images: bool = True,
    tool_errors: bool = False,
    multi_part_text: bool = True,
    system: bool = True,
) -> list[Message]:
    """A plausible conversation: optional system, then user/assistant turns with paired tool calls."""
    parts = text_parts(3 if multi_part_text else 1)
    messages: list[Message] = []
    if system and draw(st.booleans()):
        messages.append(Message(role="system", content=draw(text_parts(1))))
    for _ in range(draw(st.integers(1, 3))):
        messages.append(Message(role="user", content=draw(user_parts(allow_images))))
        calls = draw(
            st.lists(
                st.builds(ToolCall, id=call_ids, name=ident, arguments=arguments),
                max_size=2,
                unique_by=lambda c: c.id,
            )
        )
        content = draw(st.one_of(st.just([]), parts)) if calls else draw(parts)
        messages.append(Message(role="assistant", content=content, tool_calls=calls))
        for call in calls:
            messages.append(
                Message(
                    role="tool",
                    content=draw(text_parts(1)),
                    tool_call_id=call.id,
                    is_error=draw(st.booleans()) if tool_errors else False,
                )
            )
    # a final user turn so the conversation asks for something
    messages.append(Message(role="user", content=draw(user_parts(allow_images))))
    return messages


schemas = st.fixed_dictionaries(
    {"type": st.just("object"), "properties": st.dictionaries(ident, st.just({"type": "string"}), max_size=2)}
)
tools = st.lists(
    st.builds(Tool, name=ident, description=text, parameters=schemas), max_size=3, unique_by=lambda t: t.name
)


@st.composite
def requests(
    draw: st.DrawFn,
    *,
    allow_images: bool = True,
    tool_errors: bool = False,
    multi_part_text: bool = True,
    choices: tuple[str, ...] = ("auto", "none", "required"),
    sampling: bool = True,
    extras: bool = True,
) -> ChatRequest:
    tool_list = draw(tools)
    tool_choice: str | None = None
    if tool_list:
        tool_choice = draw(
            st.one_of(st.none(), st.sampled_from(choices), st.sampled_from([t.name for t in tool_list]))
        )
    stream = draw(st.booleans())
    floats = st.one_of(st.none(), st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 3)))
    return ChatRequest(
        model="auto",
        messages=draw(
            conversations(allow_images=allow_images, tool_errors=tool_errors, multi_part_text=multi_part_text)
        ),
        tools=tool_list,
        tool_choice=tool_choice,
        parallel_tool_calls=draw(st.one_of(st.none(), st.booleans())) if tool_list and extras else None,
        stream=stream,
        include_usage=stream,
        max_tokens=draw(st.one_of(st.none(), st.integers(1, 100_000))),
        temperature=draw(floats) if sampling else None,
        top_p=draw(floats) if sampling else None,
        stop=draw(st.lists(text, max_size=2)),
        reasoning_effort=draw(st.one_of(st.none(), st.sampled_from(["low", "medium", "high"])))
        if extras
        else None,
        response_format=draw(st.one_of(st.none(), st.just({"type": "json_object"}))) if extras else None,
        user=draw(st.one_of(st.none(), ident)) if extras else None,
        context=CONTEXT,
    )


@st.composite
def usages(draw: st.DrawFn) -> Usage:
    prompt = draw(st.integers(0, 200_000))
    completion = draw(st.integers(0, 50_000))
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        cached_tokens=draw(st.integers(0, prompt)),
        reasoning_tokens=draw(st.integers(0, completion)),
    )


@st.composite
def responses(
    draw: st.DrawFn, *, reasons: tuple[FinishReason, ...] = ("stop", "length", "tool_calls", "content_filter")
) -> ChatResponse:
    calls = draw(
        st.lists(
            st.builds(ToolCall, id=call_ids, name=ident, arguments=arguments),
            max_size=2,
            unique_by=lambda c: c.id,
        )
    )
    content: list[Part] = [TextPart(draw(text))] if not calls or draw(st.booleans()) else []
    return ChatResponse(
        id=draw(st.text(ALNUM, min_size=6, max_size=6).map(lambda s: "resp_" + s)),
        model="openai/gpt-5-mini",
        message=Message(role="assistant", content=content, tool_calls=calls),
        finish_reason="tool_calls"
        if calls
        else draw(st.sampled_from([r for r in reasons if r != "tool_calls"])),
        usage=draw(usages()),
        created=draw(st.integers(1_600_000_000, 1_900_000_000)),
    )


@st.composite
def event_streams(draw: st.DrawFn, *, reasoning: bool = True) -> list[StreamEvent]:
    """A well-formed stream: reasoning, then text, then tool calls (each id/name first), Finish, usage."""
    events: list[StreamEvent] = []
    if reasoning:
        events += [ReasoningDelta(t) for t in draw(st.lists(text, max_size=3))]
    events += [TextDelta(t) for t in draw(st.lists(text, max_size=4))]
    n_calls = draw(st.integers(0, 2))
    ids = draw(st.lists(call_ids, min_size=n_calls, max_size=n_calls, unique=True))
    for i, call_id in enumerate(ids):
        fragments = draw(st.lists(st.text(min_size=1, max_size=8), max_size=3))
        events.append(ToolCallDelta(index=i, id=call_id, name=draw(ident)))
        events += [ToolCallDelta(index=i, arguments=frag) for frag in fragments]
    reason: FinishReason = "tool_calls" if ids else draw(st.sampled_from(["stop", "length"]))
    events.append(Finish(reason))
    events.append(UsageReport(draw(usages())))
    return events


def summarize(events: list[StreamEvent]) -> dict[str, Any]:
    """What a stream means, independent of how it was chunked: text, reasoning, calls, finish, usage."""
    calls: dict[int, dict[str, str]] = {}
    order: list[int] = []
    text_out, reasoning_out = "", ""
    finish: str | None = None
    usage: Usage | None = None
    errors: list[str] = []
    for event in events:
        if isinstance(event, TextDelta):
            text_out += event.text
        elif isinstance(event, ReasoningDelta):
            reasoning_out += event.text
        elif isinstance(event, ToolCallDelta):
            if event.index not in calls:
                calls[event.index] = {"id": "", "name": "", "arguments": ""}
                order.append(event.index)
            call = calls[event.index]
            call["id"] = event.id or call["id"]
            call["name"] = event.name or call["name"]
            call["arguments"] += event.arguments
        elif isinstance(event, Finish):
            finish = event.reason
        elif isinstance(event, UsageReport):
            usage = event.usage
        else:
            errors.append(event.message)
    return {
        "text": text_out,
        "reasoning": reasoning_out,
        "calls": [calls[i] for i in order],
        "finish": finish,
        "usage": usage,
        "errors": errors,
    }
