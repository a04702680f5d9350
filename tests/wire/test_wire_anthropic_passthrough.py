"""Anthropic -> Anthropic without loss: prompt-cache breakpoints, extended thinking (budgets, the
thinking blocks of earlier turns with their signatures), sampling knobs; and what an OpenAI
upstream gets of the same request instead."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from anthropic.types import Message as AnthropicMessage
from anthropic.types import RawMessageStreamEvent
from pydantic import TypeAdapter

from benchroute.wire import anthropic as wire
from benchroute.wire import chat, responses
from benchroute.wire.canonical import (
    ChatResponse,
    Message,
    ReasoningDelta,
    RequestContext,
    TextDelta,
    TextPart,
    Thinking,
    ToolCall,
)
from benchroute.wire.chat_stream import StreamRenderer as ChatRenderer
from benchroute.wire.context import anthropic_betas
from benchroute.wire.sse import decode_json, parse_sse

STREAM_EVENT = TypeAdapter[Any](RawMessageStreamEvent)
EPHEMERAL = {"type": "ephemeral"}
HOUR = {"type": "ephemeral", "ttl": "1h"}
PNG = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}

# Claude Code's second turn of a tool loop, with a cache breakpoint on every kind of block
CACHED_BODY: dict[str, Any] = {
    "model": "anthropic/claude-sonnet-4-5",
    "max_tokens": 32000,
    "system": [
        {"type": "text", "text": "You are Claude Code.", "cache_control": HOUR},
        {"type": "text", "text": "Env: linux"},
    ],
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is in the screenshot?", "cache_control": EPHEMERAL},
                {"type": "image", "source": PNG, "cache_control": EPHEMERAL},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "I should look at the file.", "signature": "sig-1"},
                {"type": "redacted_thinking", "data": "enc-2"},
                {"type": "text", "text": "Reading it."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "Read",
                    "input": {"file_path": "a.py"},
                    "cache_control": EPHEMERAL,
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": "x = 1",
                    "cache_control": EPHEMERAL,
                }
            ],
        },
    ],
    "tools": [
        {
            "name": "Read",
            "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}},
            "cache_control": EPHEMERAL,
        }
    ],
    "thinking": {"type": "enabled", "budget_tokens": 31999},
    "temperature": 1,
    "top_p": 0.99,
    "top_k": 40,
    "metadata": {"user_id": "user_abc_session_1"},
    "stream": True,
}


def _request(**changes: Any) -> Any:
    return wire.parse_request({**CACHED_BODY, **changes}, RequestContext(api_kind="messages"))


def test_cache_breakpoints_and_thinking_blocks_reach_an_anthropic_upstream_unchanged() -> None:
    body = wire.render_request(_request(), "claude-sonnet-4-5")
    assert body["system"] == CACHED_BODY["system"]
    assert body["messages"] == CACHED_BODY["messages"]  # thinking blocks first, signatures and all
    assert body["tools"] == [{**CACHED_BODY["tools"][0]}]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 31999}
    assert body["max_tokens"] == 32000 and body["metadata"] == {"user_id": "user_abc_session_1"}
    # with thinking on the API takes no temperature or top_k, and top_p only from 0.95
    assert "temperature" not in body and "top_k" not in body and body["top_p"] == 0.99


def test_a_tool_result_with_a_cached_text_block_keeps_its_block_form() -> None:
    content = [{"type": "text", "text": "x = 1", "cache_control": EPHEMERAL}]
    turn = {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": content}],
    }
    body = wire.render_request(_request(messages=[*CACHED_BODY["messages"][:2], turn]), "m")
    assert body["messages"][-1] == turn


def test_without_thinking_the_sampling_knobs_go_as_sent() -> None:
    body = wire.render_request(_request(thinking=None, temperature=None), "m")
    assert "thinking" not in body and body["top_p"] == 0.99 and body["top_k"] == 40
    body = wire.render_request(_request(thinking={"type": "disabled"}, top_p=None), "m")
    assert "thinking" not in body and body["temperature"] == 1.0 and body["top_k"] == 40
    # thinking on: a top_p below 0.95 is not one the API takes with it
    assert "top_p" not in wire.render_request(_request(top_p=0.5), "m")


@pytest.mark.parametrize(
    ("effort", "max_tokens", "budget", "sent_max"),
    [
        ("minimal", 4096, 1024, 4096),
        ("low", 4096, 2048, 4096),
        ("medium", 4096, 8192, 4096 + 8192),  # raised by the budget: the client's 4096 stay the answer's
        ("high", None, 24576, 8192 + 24576),  # no max_tokens: the default, raised the same way
        ("xhigh", 64000, 31999, 64000),
    ],
)
def test_an_effort_renders_as_a_thinking_budget_under_max_tokens(
    effort: str, max_tokens: int | None, budget: int, sent_max: int
) -> None:
    req = dataclasses.replace(
        _request(max_tokens=max_tokens), reasoning_effort=effort, thinking_budget=None, temperature=0.2
    )
    body = wire.render_request(req, "m")
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert body["max_tokens"] == sent_max > budget
    assert "temperature" not in body


def test_the_models_output_limit_caps_max_tokens_and_leaves_room_for_the_answer() -> None:
    req = dataclasses.replace(_request(max_tokens=8000), reasoning_effort="high", thinking_budget=None)
    body = wire.render_request(req, "claude-opus-4-1", max_output=32000)
    assert body["max_tokens"] == 32000 and body["thinking"]["budget_tokens"] == 24576
    body = wire.render_request(req, "old-claude", max_output=16000)
    assert body["max_tokens"] == 16000 and body["thinking"]["budget_tokens"] == 16000 - 4096
    # an output limit too small for the API's least budget: no thinking rather than a 400
    body = wire.render_request(req, "tiny", max_output=4096)
    assert "thinking" not in body and body["max_tokens"] == 8000
    # "none" (and an effort with no budget) is no thinking
    assert "thinking" not in wire.render_request(dataclasses.replace(req, reasoning_effort="none"), "m")


def test_no_thinking_where_the_api_refuses_it() -> None:
    req = dataclasses.replace(_request(), reasoning_effort="high", thinking_budget=None)
    # forced tool use cannot think
    assert "thinking" not in wire.render_request(dataclasses.replace(req, tool_choice="required"), "m")
    assert "thinking" not in wire.render_request(dataclasses.replace(req, tool_choice="Read"), "m")
    assert "thinking" in wire.render_request(dataclasses.replace(req, tool_choice="auto"), "m")
    # a tool loop whose assistant turn came from a model that did not think cannot turn it on
    messages = [m if m.role != "assistant" else dataclasses.replace(m, thinking=[]) for m in req.messages]
    assert "thinking" not in wire.render_request(dataclasses.replace(req, messages=messages), "m")
    # nor when its thinking came without a signature (another provider's reasoning, streamed)
    unsigned = [
        m if m.role != "assistant" else dataclasses.replace(m, thinking=[Thinking("hm")]) for m in messages
    ]
    assert "thinking" not in wire.render_request(dataclasses.replace(req, messages=unsigned), "m")
    # text with the tool results is still the same tool loop
    user = Message(role="user", content=[TextPart("<system-reminder>todo list</system-reminder>")])
    assert "thinking" not in wire.render_request(dataclasses.replace(req, messages=[*messages, user]), "m")
    # once the model has answered, the person's next turn can think again
    answer = Message(role="assistant", content=[TextPart("a.py sets x.")])
    later = [*messages, answer, Message(role="user", content=[TextPart("now fix it")])]
    assert "thinking" in wire.render_request(dataclasses.replace(req, messages=later), "m")


def test_a_thinking_block_without_a_signature_is_not_sent_back() -> None:
    req = _request()
    assistant = req.messages[2]
    assistant.thinking = [Thinking("streamed without signature"), Thinking(redacted="enc")]
    blocks = wire.render_request(req, "m")["messages"][1]["content"]
    assert [b["type"] for b in blocks] == ["redacted_thinking", "text", "tool_use"]


def test_an_openai_upstream_gets_an_effort_and_none_of_the_anthropic_only_fields() -> None:
    req = _request()
    assert req.reasoning_effort == "high" and req.thinking_budget == 31999 and req.top_k == 40
    body = chat.render_request(req, "gpt-5")
    assert body["reasoning_effort"] == "high" and body["top_p"] == 0.99
    text = str(body)
    assert "cache_control" not in text and "top_k" not in text and "sig-1" not in text and "enc-2" not in text
    assert body["messages"][2] == {
        "role": "assistant",
        "content": "Reading it.",
        "tool_calls": [
            {
                "id": "toolu_1",
                "type": "function",
                "function": {"name": "Read", "arguments": '{"file_path":"a.py"}'},
            }
        ],
    }
    rbody = responses.render_request(req, "gpt-5")
    assert rbody["reasoning"] == {"effort": "high"}
    assert "cache_control" not in str(rbody) and "top_k" not in rbody


def test_thinking_blocks_of_an_upstream_answer_reach_the_client_with_their_signatures() -> None:
    upstream = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig-9"},
            {"type": "redacted_thinking", "data": "enc-9"},
            {"type": "text", "text": "Done."},
            {"type": "tool_use", "id": "toolu_9", "name": "Bash", "input": {"command": "ls"}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }
    resp = wire.parse_response(upstream, "anthropic/claude-sonnet-4-5")
    assert resp.message.thinking == [Thinking("hmm", "sig-9"), Thinking(redacted="enc-9")]
    out = wire.render_response(resp)
    AnthropicMessage.model_validate(out)
    assert out["content"] == upstream["content"]
    # and the client's next request sends them back as they were
    again = wire.parse_request(
        {
            "model": "m",
            "messages": [{"role": "user", "content": "go"}, {"role": "assistant", "content": out["content"]}],
        },
        RequestContext(),
    )
    assert wire.render_request(again, "m")["messages"][1]["content"] == upstream["content"]


def test_a_streamed_thinking_block_keeps_its_signature_and_redacted_blocks_pass_whole() -> None:
    parser = wire.StreamParser()
    upstream = [
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "one"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "s1"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "redacted_thinking", "data": "enc"},
        },
        {"type": "content_block_stop", "index": 1},
        {
            "type": "content_block_start",
            "index": 2,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {"type": "content_block_delta", "index": 2, "delta": {"type": "thinking_delta", "thinking": "two"}},
        {"type": "content_block_delta", "index": 2, "delta": {"type": "signature_delta", "signature": "s2"}},
        {"type": "content_block_stop", "index": 2},
    ]
    events = [e for event in upstream for e in parser.feed(event)]
    assert events == [
        ReasoningDelta("one"),
        ReasoningDelta("", signature="s1"),
        ReasoningDelta("", redacted="enc"),
        ReasoningDelta("two"),
        ReasoningDelta("", signature="s2"),
    ]
    renderer = wire.StreamRenderer("msg_t", "anthropic/claude-sonnet-4-5", 0)
    raw = b"".join(renderer.render(e) for e in [*events, TextDelta("ok")]) + renderer.finish()
    payloads = [decode_json(e) for e in parse_sse(raw)]
    for payload in payloads:
        STREAM_EVENT.validate_python(payload)
    # three separate blocks, as upstream had them, then the text
    starts = [p["content_block"] for p in payloads if p["type"] == "content_block_start"]
    assert [b["type"] for b in starts] == ["thinking", "redacted_thinking", "thinking", "text"]
    assert starts[1] == {"type": "redacted_thinking", "data": "enc"}
    signatures = [
        p["delta"]["signature"] for p in payloads if p.get("delta", {}).get("type") == "signature_delta"
    ]
    assert signatures == ["s1", "s2"]
    # a chat client just sees the reasoning text
    chat_out = b"".join(ChatRenderer("c", "m", 0, False).render(e) for e in events)
    assert b"s1" not in chat_out and b"enc" not in chat_out and b"one" in chat_out


def test_only_forwardable_beta_flags_are_kept() -> None:
    header = (
        "claude-code-20250219, oauth-2025-04-20,interleaved-thinking-2025-05-14,"
        "context-1m-2025-08-07,fine-grained-tool-streaming-2025-05-14,files-api-2025-04-14,context-1m-2025-08-07"
    )
    assert anthropic_betas(header) == (
        "interleaved-thinking-2025-05-14",
        "context-1m-2025-08-07",
        "fine-grained-tool-streaming-2025-05-14",
    )
    assert anthropic_betas(None) == () and anthropic_betas("") == ()


def test_a_chat_response_has_no_thinking_blocks_to_render() -> None:
    resp = ChatResponse(
        id="r",
        model="openai/gpt-5",
        message=Message(role="assistant", content=[TextPart("hi")], tool_calls=[ToolCall("c", "f", "{}")]),
    )
    assert [b["type"] for b in wire.render_response(resp)["content"]] == ["text", "tool_use"]
