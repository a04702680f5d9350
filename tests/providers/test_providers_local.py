"""Ollama provider, local discovery and the registry of built-in and configured providers."""

from __future__ import annotations

import socket

import pytest

from benchroute.providers.anthropic import AnthropicProvider
from benchroute.providers.base import Target
from benchroute.providers.client import UpstreamClient
from benchroute.providers.discovery import discover_local
from benchroute.providers.fake import FakeProvider
from benchroute.providers.ollama import OllamaProvider
from benchroute.providers.openai_compat import OpenAICompatProvider
from benchroute.providers.registry import build_providers, keyed_providers
from benchroute.settings import Settings
from benchroute.wire.canonical import ChatRequest, Message, TextPart
from support.upstream import ScriptedUpstream


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_ollama_chats_via_v1_and_lists_via_api_tags(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.models = ["qwen2.5-coder:7b", "llama3.2:3b"]
    provider = OllamaProvider("ollama", upstream.url, session)  # root URL accepted
    assert provider.base_url == f"{upstream.url}/v1"
    assert await provider.list_models() == ["qwen2.5-coder:7b", "llama3.2:3b"]
    request = ChatRequest(model="auto", messages=[Message("user", [TextPart("ping")])])
    response = await provider.complete(request, Target("qwen2.5-coder:7b"))
    assert response.message.text == "echo: ping"
    assert upstream.requests[-1].path == "/v1/chat/completions"
    assert upstream.requests[0].path == "/api/tags"


async def test_discovery_finds_servers_that_answer(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    probes = (
        ("ollama", "ollama", f"{upstream.url}/v1"),
        ("lmstudio", "openai", dead),
    )
    found = await discover_local(session, probes=probes)
    assert len(found) == 1
    name, kind, base_url, models = found[0]
    assert (name, kind, base_url) == ("ollama", "ollama", f"{upstream.url}/v1")
    assert models == upstream.models


async def test_discovery_never_fails_and_is_quick(session: UpstreamClient) -> None:
    probes = (
        ("ollama", "ollama", f"http://127.0.0.1:{_free_port()}/v1"),
        ("lmstudio", "openai", "http://127.0.0.1:1/v1"),
    )
    assert await discover_local(session, probes=probes, probe_timeout=0.2) == []


async def test_discovery_times_out_on_a_silent_server(session: UpstreamClient) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts TCP, never answers HTTP
    try:
        port = silent.getsockname()[1]
        probes = (("lmstudio", "openai", f"http://127.0.0.1:{port}/v1"),)
        assert await discover_local(session, probes=probes, probe_timeout=0.2) == []
    finally:
        silent.close()


def test_registry_builds_builtins_and_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("LOCAL_KEY", "local-secret")
    settings = Settings(
        providers={
            "local": {"kind": "openai", "base_url": "http://127.0.0.1:8000/v1", "api_key_env": "LOCAL_KEY"},
            "box": {"kind": "ollama", "base_url": "http://10.0.0.5:11434"},
            "scripted": {"kind": "fake", "base_url": "unused"},
            "anthropic": {"kind": "anthropic", "base_url": "http://proxy.internal", "api_key": "sk-ant-x"},
        }
    )
    session = object.__new__(UpstreamClient)  # never used for I/O here
    providers = build_providers(settings, session)
    assert isinstance(providers["openrouter"], OpenAICompatProvider)
    assert providers["openrouter"].api_key == "sk-or-test"  # type: ignore[attr-defined]
    assert providers["openrouter"].base_url == "https://openrouter.ai/api/v1"  # type: ignore[attr-defined]
    assert providers["openai"].api_key is None  # type: ignore[attr-defined]
    assert isinstance(providers["local"], OpenAICompatProvider)
    assert providers["local"].api_key == "local-secret"  # type: ignore[attr-defined]
    assert isinstance(providers["box"], OllamaProvider)
    assert isinstance(providers["scripted"], FakeProvider)
    anthropic = providers["anthropic"]
    assert isinstance(anthropic, AnthropicProvider)
    assert anthropic.base_url == "http://proxy.internal" and anthropic.api_key == "sk-ant-x"
    for name in ("google", "deepseek", "mistral", "xai"):
        assert name in providers
    assert providers["openai"].max_tokens_key == "max_completion_tokens"  # type: ignore[attr-defined]
    assert providers["local"].max_tokens_key == "max_tokens"  # type: ignore[attr-defined]
    usable = keyed_providers(settings)
    assert {"openrouter", "local", "box", "scripted", "anthropic"} <= usable
    assert "openai" not in usable


def test_every_provider_satisfies_the_protocol() -> None:
    from benchroute.providers.base import Provider

    session = object.__new__(UpstreamClient)
    for provider in build_providers(Settings(), session).values():
        assert isinstance(provider, Provider), provider.name
