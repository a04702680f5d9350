"""Through the real gateway to the scripted upstream: what an Anthropic upstream receives of a
Claude Code request (prompt caching, extended thinking, beta flags), what an OpenAI upstream gets
instead, Claude Code's bare model names, and which reasoning effort is served (docs/routing.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from dialects_harness import serving, sse_events

from benchroute.catalog.model import Catalog
from benchroute.routing.base import RouteContext, RoutingEngine
from benchroute.routing.decision import Decision
from benchroute.routing.static import StaticRouter, normalise_tier
from benchroute.settings import ProjectSettings, Settings
from benchroute.wire.canonical import ChatRequest
from support.upstream import Script

EPHEMERAL = {"type": "ephemeral"}
THINKING_DELTAS = ("thinking_delta", "signature_delta")
# the catalog's Claude models, served by the harness's Anthropic-kind provider
CLAUDE = [
    {"id": "anthropic/claude-sonnet-4-5", "provider": "ant"},
    {"id": "anthropic/claude-haiku-4-5", "provider": "ant"},
    {"id": "oai/thinker", "provider": "oai", "upstream_id": "scripted-thinker", "reasoning": True},
]
READ_TOOL = {
    "name": "Read",
    "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}},
    "cache_control": EPHEMERAL,
}


def claude_code_body(model: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 32000,
        "system": [
            {"type": "text", "text": "You are Claude Code.", "cache_control": EPHEMERAL},
            {"type": "text", "text": "cwd: /repo"},
        ],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "read a.py", "cache_control": EPHEMERAL}]}
        ],
        "tools": [READ_TOOL],
        "thinking": {"type": "enabled", "budget_tokens": 31999},
        "temperature": 1,
        "top_k": 40,
        "metadata": {"user_id": "user_abc_account_1_session_2"},
        "stream": True,
        **extra,
    }


BETA = "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,context-1m-2025-08-07"


async def test_claude_code_to_an_anthropic_model_keeps_caching_thinking_and_betas(tmp_path: Path) -> None:
    async with serving(tmp_path, models=CLAUDE) as gw:
        gw.upstream.add(
            Script(text="", tool_calls=[("Read", '{"file_path": "a.py"}')], thinking=("a.py first", "sig-1"))
        )
        body = claude_code_body("anthropic/claude-sonnet-4-5")
        status, _, raw = await gw.post("/v1/messages", body, {"anthropic-beta": BETA})
        assert status == 200, raw
        sent = gw.upstream.requests[-1]
        assert sent.path == "/v1/messages" and sent.body["model"] == "claude-sonnet-4-5"
        assert sent.body["system"] == body["system"]
        assert sent.body["messages"] == body["messages"] and sent.body["tools"] == [READ_TOOL]
        assert sent.body["thinking"] == {"type": "enabled", "budget_tokens": 31999}
        assert (
            sent.body["max_tokens"] == 32000 and "temperature" not in sent.body and "top_k" not in sent.body
        )
        assert sent.body["metadata"] == {"user_id": "user_abc_account_1_session_2"}
        # the client's own login flags stay here; the ones about the model go on
        assert sent.headers["anthropic-beta"] == "interleaved-thinking-2025-05-14,context-1m-2025-08-07"
        assert sent.headers["x-api-key"] == "sk-ant-upstream"

        # the thinking block reaches Claude Code with its signature ...
        events = sse_events(raw)
        thinking = [
            d["delta"]
            for n, d in events
            if n == "content_block_delta" and d["delta"]["type"] in THINKING_DELTAS
        ]
        assert thinking == [
            {"type": "thinking_delta", "thinking": "a.py first"},
            {"type": "signature_delta", "signature": "sig-1"},
        ]
        tool = next(
            d["content_block"]
            for n, d in events
            if n == "content_block_start" and d["content_block"]["type"] == "tool_use"
        )
        # ... and goes back upstream unchanged on the next turn of the tool loop
        assistant = [
            {"type": "thinking", "thinking": "a.py first", "signature": "sig-1"},
            {"type": "tool_use", "id": tool["id"], "name": "Read", "input": {"file_path": "a.py"}},
        ]
        result = {
            "type": "tool_result",
            "tool_use_id": tool["id"],
            "content": "x = 1",
            "cache_control": EPHEMERAL,
        }
        body["messages"] = [
            *body["messages"],
            {"role": "assistant", "content": assistant},
            {"role": "user", "content": [result]},
        ]
        gw.upstream.add(Script(text="a.py sets x."))
        status, _, raw = await gw.post("/v1/messages", body, {"anthropic-beta": BETA})
        assert status == 200, raw
        sent = gw.upstream.requests[-1].body
        assert sent["messages"][1:] == [
            {"role": "assistant", "content": assistant},
            {"role": "user", "content": [result]},
        ]
        assert sent["thinking"] == {"type": "enabled", "budget_tokens": 31999}


async def test_claude_code_to_an_openai_model_drops_what_only_anthropic_takes(tmp_path: Path) -> None:
    async with serving(tmp_path, models=CLAUDE) as gw:
        for model, effort in (("oai/thinker", "high"), ("oai/small", None)):
            gw.upstream.add(Script(text="ok"))
            status, _, raw = await gw.post("/v1/messages", claude_code_body(model), {"anthropic-beta": BETA})
            assert status == 200, raw
            sent = gw.upstream.requests[-1]
            assert sent.path == "/v1/chat/completions" and "anthropic-beta" not in sent.headers
            text = orjson.dumps(sent.body).decode()
            assert "cache_control" not in text and "top_k" not in text and "thinking" not in text
            # thinking maps to an effort where the catalog says the model reasons; else it is dropped
            assert sent.body.get("reasoning_effort") == effort


async def test_claude_codes_bare_model_names_resolve_to_the_catalog(tmp_path: Path) -> None:
    async with serving(tmp_path, models=CLAUDE) as gw:
        gw.upstream.add(Script(text="a title"))
        body = {
            "model": "claude-haiku-4-5-20251001",
            "max_tokens": 512,
            "messages": [{"role": "user", "content": "hi"}],
        }
        status, headers, raw = await gw.post("/v1/messages", body)
        assert status == 200, raw
        assert headers["x-benchroute-model"] == "anthropic/claude-haiku-4-5"
        assert gw.upstream.requests[-1].body["model"] == "claude-haiku-4-5"
        (record,) = await gw.usage()
        assert record.requested_model == "claude-haiku-4-5-20251001"

        status, _, raw = await gw.post("/v1/messages", {**body, "model": "claude-sonet-4-5"})
        assert status == 404
        message = orjson.loads(raw)["error"]["message"]
        assert "did you mean anthropic/claude-sonnet-4-5" in message


@dataclass
class VariantEngine:
    """Routes every auto request to one model variant (model@effort), as the benchmark router does
    when the evidence was measured at that effort; manual names go to the static router."""

    static: RoutingEngine
    model: str
    effort: str

    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision:
        if normalise_tier(request.model) is None:
            return self.static.route(request, project, ctx)
        return Decision(
            model=self.model,
            tier="auto/efficient",
            reason="best_accuracy",
            requested_model=request.model,
            session_key=ctx.session_key,
            reasoning_effort=self.effort,
        )


def variant(model: str, effort: str) -> Any:
    def build(catalog: Catalog, settings: Settings) -> RoutingEngine:
        return VariantEngine(StaticRouter(catalog, settings.tiers), model, effort)

    return build


async def _decisions(gw: Any) -> list[dict[str, Any]]:
    await gw.usage()  # waits for the writer
    records = await gw.state.store.list_decisions(project=None)
    return [r.decision for r in sorted(records, key=lambda r: r.time)]


async def test_an_auto_choice_serves_its_variants_effort_over_the_clients(tmp_path: Path) -> None:
    async with serving(tmp_path, models=CLAUDE, engine=variant("oai/thinker", "xhigh")) as gw:
        gw.upstream.add(Script(text="ok"), Script(text="ok"), Script(text="ok"))
        user = [{"role": "user", "content": "refactor the parser"}]
        status, _, raw = await gw.post(
            "/v1/chat/completions", {"model": "auto", "messages": user, "reasoning_effort": "low"}
        )
        assert status == 200, raw
        assert gw.upstream.requests[-1].body["reasoning_effort"] == "xhigh"
        body = {
            "model": "auto",
            "input": "refactor the parser",
            "reasoning": {"effort": "minimal"},
            "store": False,
        }
        status, _, raw = await gw.post("/v1/responses", body)
        assert status == 200, raw
        assert gw.upstream.requests[-1].body["reasoning_effort"] == "xhigh"
        # named by the client: its own effort stands
        body = {"model": "oai/thinker", "messages": user, "reasoning_effort": "low"}
        status, _, raw = await gw.post("/v1/chat/completions", body)
        assert status == 200, raw
        assert gw.upstream.requests[-1].body["reasoning_effort"] == "low"
        decisions = await _decisions(gw)
        assert [(d["reasoning_effort"], d["replaced_effort"]) for d in decisions] == [
            ("xhigh", "low"),
            ("xhigh", "minimal"),
            (None, None),
        ]


async def test_an_anthropic_variants_effort_is_sent_as_extended_thinking(tmp_path: Path) -> None:
    async with serving(tmp_path, models=CLAUDE, engine=variant("anthropic/claude-sonnet-4-5", "high")) as gw:
        gw.upstream.add(Script(text="ok"), Script(text="ok"))
        body = {
            "model": "auto",
            "max_tokens": 4096,
            "temperature": 0.3,
            "messages": [{"role": "user", "content": "design the cache"}],
        }
        status, _, raw = await gw.post("/v1/messages", body)
        assert status == 200, raw
        sent = gw.upstream.requests[-1].body
        assert sent["thinking"] == {"type": "enabled", "budget_tokens": 24576}
        assert sent["max_tokens"] == 4096 + 24576 and "temperature" not in sent
        # a chat client's own effort gives way the same way
        chat = {"model": "auto", "messages": body["messages"], "reasoning_effort": "minimal"}
        status, _, raw = await gw.post("/v1/chat/completions", chat)
        assert status == 200, raw
        assert gw.upstream.requests[-1].body["thinking"] == {"type": "enabled", "budget_tokens": 24576}
        assert [d["replaced_effort"] for d in await _decisions(gw)] == [None, "minimal"]
