"""The scripted upstream itself: in-process knobs and the subprocess mode used by benchmarks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import orjson

from benchroute.wire.sse import SSEDecoder
from support.upstream import Script, ScriptedUpstream

CHAT = {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "ping"}]}]}


async def test_echo_and_recorded_requests() -> None:
    async with ScriptedUpstream() as up, aiohttp.ClientSession() as session:
        async with session.post(f"{up.openai_base_url}/chat/completions", json=CHAT) as resp:
            doc = await resp.json()
        assert doc["choices"][0]["message"]["content"] == "echo: ping"
        assert up.requests[0].body == CHAT


async def test_fixed_text_delay_and_chunks() -> None:
    async with (
        ScriptedUpstream(text="fixed", delay_ms=150, chunks=5) as up,
        aiohttp.ClientSession() as session,
    ):
        start = time.perf_counter()
        async with session.post(
            f"{up.openai_base_url}/chat/completions", json={**CHAT, "stream": True}
        ) as resp:
            body = await resp.read()
        assert time.perf_counter() - start >= 0.15
        decoder = SSEDecoder()
        events = decoder.feed(body) + decoder.close()
        deltas = [orjson.loads(d)["choices"][0]["delta"].get("content") for _, d in events[:-1]]
        assert "".join(d for d in deltas if d) == "fixed"
        assert len([d for d in deltas if d]) == 5
        assert events[-1] == (None, "[DONE]")


async def test_anthropic_stream_event_names() -> None:
    body = {
        "model": "claude",
        "max_tokens": 10,
        "stream": True,
        "messages": [{"role": "user", "content": "yo"}],
    }
    async with ScriptedUpstream() as up, aiohttp.ClientSession() as session:
        async with session.post(f"{up.url}/v1/messages", json=body) as resp:
            raw = await resp.read()
    decoder = SSEDecoder()
    names = [name for name, _ in decoder.feed(raw) + decoder.close()]
    assert names[0] == "message_start" and names[-1] == "message_stop"
    assert "content_block_delta" in names and "message_delta" in names


async def test_hang_is_released_when_the_server_stops() -> None:
    up = await ScriptedUpstream().start()
    up.add(Script(hang=True))
    async with aiohttp.ClientSession() as session:
        task = asyncio.create_task(session.post(f"{up.openai_base_url}/chat/completions", json=CHAT))
        await asyncio.sleep(0.1)
        assert not task.done()
        await asyncio.wait_for(up.stop(), 5)
        try:
            resp = await asyncio.wait_for(task, 5)
            resp.release()
        except aiohttp.ClientError:
            pass


def test_runs_as_a_subprocess() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("upstream.py")),
            "--port",
            "0",
            "--delay-ms",
            "5",
            "--text",
            "hi",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("scripted upstream listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()

        async def call() -> str:
            async with aiohttp.ClientSession() as session:
                async with session.post(f"{url}/v1/chat/completions", json=CHAT) as resp:
                    doc = await resp.json()
            return str(doc["choices"][0]["message"]["content"])

        assert asyncio.run(call()) == "hi"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
