"""Kilo gateway compatibility: alias paths, the OpenRouter-schema model list, Kilo headers in the log."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from dialects_harness import serving, sse_events

from benchroute.gateway.kilo import PREFIXES, per_token
from support.upstream import Script

KILO_HEADERS = {
    "user-agent": "Kilo-Code/7.7.7 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14",
    "x-kilocode-editorname": "Kilo CLI 7.7.7",
    "x-kilocode-mode": "plan",
    "x-kilocode-taskid": "ses_task1",
    "x-kilocode-parent-taskid": "ses_parent",
    "x-kilocode-machineid": "machine-1",
    "x-session-id": "ses_task1",
    "x-session-affinity": "ses_task1",
}


def test_per_token_prices_are_decimal_strings() -> None:
    assert per_token(3.0) == "0.000003"
    assert per_token(0.15) == "0.00000015"
    assert per_token(0.0) == "0"


async def test_models_use_openrouter_schema_on_every_prefix(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        for prefix in ("/api/openrouter", "/api/gateway/v1", "/api/v1"):
            status, raw = await gw.get(prefix + "/models")
            assert status == 200, (prefix, raw)
            data = orjson.loads(raw)["data"]
            ids = [m["id"] for m in data]
            for tier in ("kilo-auto/efficient", "kilo-auto/frontier", "kilo-auto/balanced", "kilo-auto/free"):
                assert tier in ids
            assert "auto/efficient" in ids and "oai/small" in ids
            small = next(m for m in data if m["id"] == "oai/small")
            assert small["pricing"]["prompt"] == "0.000001" and small["pricing"]["completion"] == "0.000004"
            assert small["context_length"] == 32768
            assert "tools" in small["supported_parameters"]
            assert small["architecture"]["output_modalities"] == ["text"]
            assert small["top_provider"]["context_length"] == 32768
            tier = next(m for m in data if m["id"] == "kilo-auto/efficient")
            assert tier["context_length"] == 32768  # the largest context it may route to
            assert tier["pricing"]["prompt"] == "0" and "tools" in tier["supported_parameters"]
        status, _ = await gw.get("/api/openrouter/models", {"authorization": "Bearer wrong"})
        assert status == 401


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_every_dialect_answers_under_kilo_prefixes(tmp_path: Path, prefix: str) -> None:
    async with serving(tmp_path) as gw:
        user = [{"role": "user", "content": "hi"}]
        status, _, raw = await gw.post(prefix + "/chat/completions", {"model": "oai/small", "messages": user})
        assert status == 200, raw
        assert orjson.loads(raw)["object"] == "chat.completion"
        status, _, raw = await gw.post(
            prefix + "/messages", {"model": "oai/small", "max_tokens": 9, "messages": user}
        )
        assert status == 200, raw
        assert orjson.loads(raw)["type"] == "message"
        status, _, raw = await gw.post(prefix + "/responses", {"model": "oai/small", "input": "hi"})
        assert status == 200, raw
        assert orjson.loads(raw)["object"] == "response"


async def test_kilo_auto_tier_stream_logs_kilo_headers(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        gw.upstream.add(Script(text="planned"))
        body = {
            "model": "kilo-auto/efficient",
            "max_tokens": 4096,
            "messages": [{"role": "user", "content": "plan it"}],
            "usage": {"include": True},
            "description": "ignored",
            "provider": {"only": ["x"]},
            "stream": True,
        }
        status, _, raw = await gw.post("/api/openrouter/chat/completions", body, KILO_HEADERS)
        assert status == 200, raw
        chunks = [d for _, d in sse_events(raw)]
        assert {c["model"] for c in chunks} == {"oai/small"}
        assert any(c.get("usage") for c in chunks)  # usage.include asks for the usage chunk
        (record,) = await gw.usage()
        assert record.requested_model == "kilo-auto/efficient" and record.routed_model == "oai/small"
        assert (
            record.mode == "plan" and record.task_id == "ses_task1" and record.parent_task_id == "ses_parent"
        )
        assert record.client_name == "kilo-code" and record.client_version == "7.7.7"
        assert record.editor_name == "Kilo CLI 7.7.7" and record.machine_id == "machine-1"
        assert record.user_agent is not None and record.user_agent.startswith("Kilo-Code/7.7.7")
        assert record.session_key == "ses_task1"


async def test_wrong_method_and_unknown_path_are_json_errors(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        status, raw = await gw.get("/api/openrouter/messages")
        assert status == 405 and "error" in orjson.loads(raw)
        status, raw = await gw.get("/api/openrouter/unknown")
        assert status == 404 and "error" in orjson.loads(raw)


async def test_models_list_only_what_the_project_can_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    async with serving(tmp_path) as gw:
        xai = sorted(m.id for m in gw.state.catalog if m.provider == "xai")
        assert xai, "the shipped catalog has xai models"
        status, raw = await gw.get("/api/openrouter/models")
        ids = {m["id"] for m in orjson.loads(raw)["data"]}
        assert status == 200 and not ids & set(xai)  # no key for xai: not offered
        await gw.state.store.set_provider_key("default", "xai", "xai-byok-secret")
        gw.state.provider_keys = type(gw.state.provider_keys)(gw.state.store)  # drop the cached miss
        status, raw = await gw.get("/api/openrouter/models")
        ids = {m["id"] for m in orjson.loads(raw)["data"]}
        assert set(xai) <= ids  # the project's own key makes them usable
