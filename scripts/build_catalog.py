"""Rebuild src/benchroute/data/catalog.toml: curated models, prices from genai-prices' bundled snapshot.

    python scripts/build_catalog.py            # writes the shipped catalog
    python scripts/build_catalog.py --check    # exits 1 if the shipped file is out of date

Prices are looked up here, at build time, so the gateway never imports genai-prices (a 1.6 MB
data module) and never fetches prices from the network: only `genai_prices.data_snapshot`'s
bundled snapshot is read; `UpdatePrices` (the package's only remote-update path, opt-in) is never
started. Each entry records where its price came from in `price_source`.

The model list is curated by hand below: current coding models across tiers, OpenRouter `:free`
models, and every catalog id the default leaderboard maps public results onto
(/work/briefs/needed_models.txt from the policy helper).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchroute.catalog.build import (
    CHAT_RESPONSES,
    MESSAGES,
    Entry,
    generated_entries,
    merge_entries,
    render,
)
from benchroute.cli.models_refresh import builtin_key_env

OUT = Path(__file__).resolve().parents[1] / "src" / "benchroute" / "data" / "catalog.toml"

CURATED: tuple[Entry, ...] = (
    # ---- OpenAI ------------------------------------------------------------------------------
    Entry(
        "openai/gpt-5",
        "gpt-5",
        "GPT-5",
        400_000,
        "tools,vision,reasoning",
        CHAT_RESPONSES,
        max_output=128_000,
    ),
    Entry("openai/gpt-5-mini", "gpt-5-mini", "GPT-5 mini", 400_000, "tools,vision,reasoning", CHAT_RESPONSES),
    Entry("openai/gpt-5-nano", "gpt-5-nano", "GPT-5 nano", 400_000, "tools,vision,reasoning", CHAT_RESPONSES),
    Entry(
        "openai/gpt-5.1-codex-mini",
        "gpt-5.1-codex-mini",
        "GPT-5.1 Codex mini",
        400_000,
        "tools,vision,reasoning",
        ("responses",),
    ),
    Entry(
        "openai/gpt-4.1", "gpt-4.1", "GPT-4.1", 1_047_576, "tools,vision", CHAT_RESPONSES, max_output=32_768
    ),
    Entry(
        "openai/gpt-4.1-mini",
        "gpt-4.1-mini",
        "GPT-4.1 mini",
        1_047_576,
        "tools,vision",
        CHAT_RESPONSES,
        max_output=32_768,
    ),
    Entry(
        "openai/gpt-4.1-nano",
        "gpt-4.1-nano",
        "GPT-4.1 nano",
        1_047_576,
        "tools,vision",
        CHAT_RESPONSES,
        max_output=32_768,
    ),
    Entry("openai/gpt-4o", "gpt-4o", "GPT-4o", 128_000, "tools,vision", CHAT_RESPONSES, max_output=16_384),
    Entry(
        "openai/gpt-4o-mini",
        "gpt-4o-mini",
        "GPT-4o mini",
        128_000,
        "tools,vision",
        CHAT_RESPONSES,
        max_output=16_384,
    ),
    Entry("openai/o3", "o3", "o3", 200_000, "tools,vision,reasoning", CHAT_RESPONSES, max_output=100_000),
    Entry(
        "openai/o4-mini",
        "o4-mini",
        "o4-mini",
        200_000,
        "tools,vision,reasoning",
        CHAT_RESPONSES,
        max_output=100_000,
    ),
    # ---- Anthropic ---------------------------------------------------------------------------
    Entry(
        "anthropic/claude-opus-4-20250514",
        "claude-opus-4-20250514",
        "Claude Opus 4",
        200_000,
        "tools,vision",
        MESSAGES,
        max_output=32_000,
    ),
    Entry(
        "anthropic/claude-sonnet-4-20250514",
        "claude-sonnet-4-20250514",
        "Claude Sonnet 4",
        200_000,
        "tools,vision",
        MESSAGES,
        max_output=64_000,
    ),
    Entry(
        "anthropic/claude-3-7-sonnet-20250219",
        "claude-3-7-sonnet-20250219",
        "Claude 3.7 Sonnet",
        200_000,
        "tools,vision",
        MESSAGES,
        max_output=64_000,
    ),
    Entry(
        "anthropic/claude-3-5-haiku-20241022",
        "claude-3-5-haiku-20241022",
        "Claude 3.5 Haiku",
        200_000,
        "tools",
        MESSAGES,
        max_output=8_192,
    ),
    Entry(
        "anthropic/claude-sonnet-4-5",
        "claude-sonnet-4-5",
        "Claude Sonnet 4.5",
        200_000,
        "tools,vision,reasoning",
        MESSAGES,
        max_output=64_000,
    ),
    Entry(
        "anthropic/claude-haiku-4-5",
        "claude-haiku-4-5",
        "Claude Haiku 4.5",
        200_000,
        "tools,vision,reasoning",
        MESSAGES,
        max_output=64_000,
    ),
    Entry(
        "anthropic/claude-opus-4-5",
        "claude-opus-4-5",
        "Claude Opus 4.5",
        200_000,
        "tools,vision,reasoning",
        MESSAGES,
        max_output=64_000,
    ),
    # ---- Google ------------------------------------------------------------------------------
    Entry(
        "google/gemini-2.5-pro",
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        1_048_576,
        "tools,vision,reasoning",
        max_output=65_536,
    ),
    Entry(
        "google/gemini-2.5-flash",
        "gemini-2.5-flash",
        "Gemini 2.5 Flash",
        1_048_576,
        "tools,vision,reasoning",
        max_output=65_536,
    ),
    Entry(
        "google/gemini-2.5-flash-lite",
        "gemini-2.5-flash-lite",
        "Gemini 2.5 Flash-Lite",
        1_048_576,
        "tools,vision,reasoning",
        max_output=65_536,
    ),
    Entry(
        "google/gemini-2.0-flash",
        "gemini-2.0-flash",
        "Gemini 2.0 Flash",
        1_048_576,
        "tools,vision",
        max_output=8_192,
    ),
    # ---- DeepSeek ----------------------------------------------------------------------------
    Entry(
        "deepseek/deepseek-chat", "deepseek-chat", "DeepSeek V3 (chat)", 128_000, "tools", max_output=8_192
    ),
    Entry(
        "deepseek/deepseek-reasoner",
        "deepseek-reasoner",
        "DeepSeek R1 (reasoner)",
        128_000,
        "reasoning",
        max_output=64_000,
    ),
    # ---- xAI ---------------------------------------------------------------------------------
    Entry("xai/grok-4", "grok-4", "Grok 4", 256_000, "tools,vision,reasoning"),
    Entry("xai/grok-3-mini", "grok-3-mini", "Grok 3 mini", 131_072, "tools,reasoning"),
    Entry("xai/grok-code-fast-1", "grok-code-fast-1", "Grok Code Fast 1", 256_000, "tools,reasoning"),
    # ---- Mistral -----------------------------------------------------------------------------
    Entry("mistral/codestral-latest", "codestral-latest", "Codestral", 256_000, "tools"),
    Entry("mistral/mistral-large-latest", "mistral-large-latest", "Mistral Large", 131_072, "tools"),
    Entry(
        "mistral/devstral-small-latest",
        "devstral-small-latest",
        "Devstral Small",
        131_072,
        "tools",
        price_ref="devstral-small",
    ),
    # ---- OpenRouter (open-weight models: Qwen, Meta, Moonshot, Google Gemma, Mistral, NVIDIA) --
    Entry(
        "openrouter/openai/gpt-oss-120b", "openai/gpt-oss-120b", "gpt-oss-120b", 131_072, "tools,reasoning"
    ),
    Entry("openrouter/moonshotai/kimi-k2", "moonshotai/kimi-k2", "Kimi K2", 131_072, "tools"),
    Entry("openrouter/qwen/qwen3-coder", "qwen/qwen3-coder", "Qwen3 Coder 480B A35B", 262_144, "tools"),
    Entry("openrouter/qwen/qwen3-32b", "qwen/qwen3-32b", "Qwen3 32B", 40_960, "tools,reasoning"),
    Entry(
        "openrouter/qwen/qwen3-235b-a22b",
        "qwen/qwen3-235b-a22b",
        "Qwen3 235B A22B",
        40_960,
        "tools,reasoning",
    ),
    Entry(
        "openrouter/qwen/qwen-2.5-coder-32b-instruct",
        "qwen/qwen-2.5-coder-32b-instruct",
        "Qwen2.5 Coder 32B Instruct",
        32_768,
        "tools",
    ),
    Entry(
        "openrouter/qwen/qwen-2.5-7b-instruct",
        "qwen/qwen-2.5-7b-instruct",
        "Qwen2.5 7B Instruct",
        32_768,
        "tools",
    ),
    Entry(
        "openrouter/meta-llama/llama-4-maverick",
        "meta-llama/llama-4-maverick",
        "Llama 4 Maverick",
        1_048_576,
        "tools,vision",
    ),
    Entry(
        "openrouter/meta-llama/llama-3.3-70b-instruct",
        "meta-llama/llama-3.3-70b-instruct",
        "Llama 3.3 70B Instruct",
        131_072,
        "tools",
    ),
    Entry(
        "openrouter/meta-llama/llama-3.1-70b-instruct",
        "meta-llama/llama-3.1-70b-instruct",
        "Llama 3.1 70B Instruct",
        131_072,
        "tools",
    ),
    Entry(
        "openrouter/meta-llama/llama-3.1-8b-instruct",
        "meta-llama/llama-3.1-8b-instruct",
        "Llama 3.1 8B Instruct",
        131_072,
        "tools",
    ),
    Entry("openrouter/google/gemma-3-27b-it", "google/gemma-3-27b-it", "Gemma 3 27B", 131_072, "vision"),
    Entry("openrouter/google/gemma-2-9b-it", "google/gemma-2-9b-it", "Gemma 2 9B", 8_192, ""),
    Entry(
        "openrouter/mistralai/mistral-7b-instruct-v0.3",
        "mistralai/mistral-7b-instruct-v0.3",
        "Mistral 7B Instruct v0.3",
        32_768,
        "",
        price_ref="mistralai/mistral-7b-instruct",
    ),
    Entry(
        "openrouter/mistralai/mixtral-8x7b-instruct",
        "mistralai/mixtral-8x7b-instruct",
        "Mixtral 8x7B Instruct",
        32_768,
        "",
    ),
    Entry(
        "openrouter/nvidia/llama-3.3-nemotron-super-49b-v1",
        "nvidia/llama-3.3-nemotron-super-49b-v1",
        "Llama 3.3 Nemotron Super 49B v1",
        131_072,
        "tools",
        price_ref="nvidia/llama-3.3-nemotron-super-49b-v1.5",
    ),
    Entry("openrouter/z-ai/glm-4.6", "z-ai/glm-4.6", "GLM 4.6", 200_000, "tools,reasoning"),
    # ---- OpenRouter :free (rate-limited free endpoints; the auto/free pool) -------------------
    Entry(
        "openrouter/qwen/qwen3-coder:free",
        "qwen/qwen3-coder:free",
        "Qwen3 Coder (free)",
        262_144,
        "tools",
        free=True,
    ),
    Entry(
        "openrouter/openai/gpt-oss-120b:free",
        "openai/gpt-oss-120b:free",
        "gpt-oss-120b (free)",
        131_072,
        "tools,reasoning",
        free=True,
    ),
    Entry(
        "openrouter/openai/gpt-oss-20b:free",
        "openai/gpt-oss-20b:free",
        "gpt-oss-20b (free)",
        131_072,
        "tools,reasoning",
        free=True,
    ),
    Entry(
        "openrouter/meta-llama/llama-3.3-70b-instruct:free",
        "meta-llama/llama-3.3-70b-instruct:free",
        "Llama 3.3 70B Instruct (free)",
        131_072,
        "tools",
        free=True,
    ),
    Entry(
        "openrouter/deepseek/deepseek-chat-v3-0324:free",
        "deepseek/deepseek-chat-v3-0324:free",
        "DeepSeek V3 0324 (free)",
        163_840,
        "tools",
        free=True,
    ),
    Entry(
        "openrouter/z-ai/glm-4.5-air:free",
        "z-ai/glm-4.5-air:free",
        "GLM 4.5 Air (free)",
        131_072,
        "tools,reasoning",
        free=True,
        price_ref="glm-4.5-air:free",
    ),
    Entry(
        "openrouter/mistralai/mistral-small-3.2-24b-instruct:free",
        "mistralai/mistral-small-3.2-24b-instruct:free",
        "Mistral Small 3.2 24B (free)",
        131_072,
        "tools,vision",
        free=True,
        price_ref="mistral-small-3.2-24b-instruct:free",
    ),
    Entry(
        "openrouter/google/gemma-3-27b-it:free",
        "google/gemma-3-27b-it:free",
        "Gemma 3 27B (free)",
        131_072,
        "vision",
        free=True,
    ),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the shipped catalog is out of date")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    entries = merge_entries(CURATED, generated_entries())
    text = render(entries, builtin_key_env())
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; run scripts/build_catalog.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {len(entries)} models to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
