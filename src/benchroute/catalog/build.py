"""Catalog entries from the installed genai-prices: the current chat models of the built-in providers.

Build-time only (scripts/build_catalog.py, `benchroute models refresh`): genai-prices is imported
here and nowhere on the request path. Which models count as current chat models is a rule per
provider (`RULES`): a genai-prices model id matching the provider's pattern, not deprecated, and
not an audio / image / embedding / realtime / batch endpoint. Capabilities follow family rules
(`capabilities`), which docs/routing.md lists; a `[[models]]` entry in the config overrides any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

CHAT_RESPONSES = ("chat", "responses")
MESSAGES = ("messages",)


@dataclass(frozen=True)
class Entry:
    id: str
    upstream_id: str
    name: str
    context: int
    caps: str = "tools"  # comma list of tools, vision, reasoning
    apis: tuple[str, ...] = ()
    price_ref: str | None = None  # genai-prices model ref when it differs from upstream_id
    max_output: int | None = None
    free: bool = False
    manual_price: tuple[float, float, str] | None = None  # (input, output, source) if not in genai-prices

    @property
    def provider(self) -> str:
        return self.id.split("/", 1)[0]


# catalog provider name -> genai-prices provider id
GENAI_PROVIDER = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "deepseek": "deepseek",
    "mistral": "mistral",
    "xai": "x-ai",
    "openrouter": "openrouter",
}

# (catalog provider, pattern over genai-prices ids): current chat models of each built-in provider.
RULES: tuple[tuple[str, str], ...] = (
    (
        "openai",
        r"gpt-(5|6)(\.\d)?(-(mini|nano|codex|codex-mini|luna|sol|terra|astra))?|o3|o4-mini|gpt-4\.1(-mini|-nano)?",
    ),
    ("anthropic", r"claude-(opus|sonnet|haiku|fable)-\d(-\d)?"),
    ("google", r"gemini-(2\.5|3|3\.\d|4)-(pro|flash|flash-lite|argon)(-preview)?"),
    ("deepseek", r"deepseek-(chat|reasoner|v3\.2|v4-pro|v4-flash)"),
    ("mistral", r"codestral-2508|devstral-2512|mistral-large-(2512|4)|mistral-medium-3-5|mistral-small-2603"),
    ("xai", r"grok-(4(\.\d+)?|4-1-fast-(reasoning|non-reasoning)|code-fast-1|build-0\.1)"),
    (
        "openrouter",
        r"(moonshotai/kimi-k(2(\.\d|-thinking|-0905)?|3)|z-ai/glm-(4\.[5-7]|5(\.\d)?)(-air|-flash)?"
        r"|minimax/minimax-m(2(\.\d)?|3)|qwen/qwen3-coder(-next|-plus|-flash)?|qwen/qwen3\.[5-8]-(plus|flash|max)(-[0-9][0-9-]*|-preview)?"
        r"|meta-llama/llama-4-(maverick|scout)|nvidia/nemotron-3-(nano-30b-a3b|super-120b-a12b)"
        r"|openai/gpt-oss-(120b|20b)|mistralai/devstral-2512|arcee-ai/trinity-large-thinking"
        r"|deepseek/deepseek-v3\.2|x-ai/grok-code-fast-1)(:free)?",
    ),
)

_NOT_CHAT = re.compile(r"(tts|image|audio|realtime|embed|transcri|ocr|live|robotics|search|:batch|-fast$)")

# Family rules: a pattern over the upstream id and the capabilities it has.
_VISION = re.compile(
    r"(claude|gemini|gpt-4\.1|gpt-4o|gpt-5|gpt-6|^o3|^o4|grok-4|kimi-k2\.[5-9]|kimi-k3|llama-4|glm-\d(\.\d)?v|qwen3\.[5-8])"
)
_REASONING = re.compile(
    r"(^o\d|gpt-5|gpt-6|claude-(opus|sonnet)-4|claude-(opus|sonnet|fable)-5|claude-haiku-(4-5|5)|gemini-(2\.5|3|4)"
    r"|reasoner|deepseek-v4|grok-4(?!-1-fast-non)|thinking|kimi-k2\.[5-9]|kimi-k3|glm-(4\.[5-9]|5)|minimax-m|gpt-oss"
    r"|nemotron-3|qwen3\.[5-8])"
)
_NO_TOOLS = re.compile(r"(gemma-2|mistral-7b|deepseek-r1-distill|qwq|phi-)")


def capabilities(upstream_id: str) -> str:
    """The capability list of a model family ("tools,vision,reasoning")."""
    caps = [] if _NO_TOOLS.search(upstream_id) else ["tools"]
    if _VISION.search(upstream_id):
        caps.append("vision")
    if _REASONING.search(upstream_id):
        caps.append("reasoning")
    return ",".join(caps)


def _apis(provider: str, upstream_id: str) -> tuple[str, ...]:
    if provider == "anthropic":
        return MESSAGES
    if provider == "openai":
        return ("responses",) if "codex" in upstream_id else CHAT_RESPONSES
    return ("chat",)


def generated_entries(snapshot: Any | None = None) -> list[Entry]:
    """Every model of the installed genai-prices that the rules call a current chat model."""
    if snapshot is None:
        from genai_prices.data_snapshot import get_snapshot

        snapshot = get_snapshot()
    import genai_prices

    version = f"genai-prices {genai_prices.__version__}"
    by_id = {p.id: p for p in snapshot.providers}
    out: list[Entry] = []
    for provider, pattern in RULES:
        source = by_id.get(GENAI_PROVIDER[provider])
        if source is None:
            continue
        rule = re.compile(pattern)
        for model in source.models:
            if model.deprecated or not rule.fullmatch(model.id) or _NOT_CHAT.search(model.id):
                continue
            free = model.id.endswith(":free")
            out.append(
                Entry(
                    id=f"{provider}/{model.id}",
                    upstream_id=model.id,
                    name=model.name or model.id,
                    context=int(model.context_window or 128_000),
                    caps=capabilities(model.id),
                    apis=_apis(provider, model.id),
                    free=free,
                    manual_price=(0.0, 0.0, f"{version} ({source.id}/{model.id}); OpenRouter :free endpoint")
                    if free
                    else None,
                )
            )
    return out


def merge_entries(curated: tuple[Entry, ...] | list[Entry], generated: list[Entry]) -> tuple[Entry, ...]:
    """Curated entries first (they win on id), then generated ones, sorted by id within each."""
    seen = {e.id for e in curated}
    return (*curated, *sorted((e for e in generated if e.id not in seen), key=lambda e: e.id))


def _per_million(value: Decimal) -> float:
    return float(round(value, 6))


def lookup_prices(entry: Entry, snapshot: Any | None = None) -> tuple[dict[str, float], int | None, str]:
    """(prices per 1M tokens, context window, price source) from the bundled snapshot."""
    import genai_prices
    from genai_prices import Usage
    from genai_prices.data_snapshot import get_snapshot

    snapshot = snapshot or get_snapshot()
    if snapshot.from_auto_update:  # never: nothing here starts UpdatePrices
        raise SystemExit("genai-prices snapshot came from a remote update; refusing")
    provider_id = GENAI_PROVIDER[entry.provider]
    ref = entry.price_ref or entry.upstream_id
    _, model = snapshot.find_provider_model(ref, None, provider_id, None)
    # Standard-hours price: some providers discount off-peak hours (DeepSeek 16:30-00:30 UTC).
    when = datetime.now(tz=UTC).replace(hour=4, minute=0, second=0, microsecond=0)

    def total(**usage: int) -> Decimal:
        calc = snapshot.calc(Usage(**usage), ref, provider_id, None, when)
        return Decimal(calc.total_price)

    # Priced on a short prompt and scaled to 1M: a 1M-token prompt would hit long-context tiers.
    n = 10_000
    scale = 1_000_000 // n
    prices = {
        "input_price": _per_million(total(input_tokens=n) * scale),
        "output_price": _per_million(total(output_tokens=n) * scale),
        "cache_read_price": _per_million(total(input_tokens=n, cache_read_tokens=n) * scale),
    }
    cache_write = _per_million(total(input_tokens=n, cache_write_tokens=n) * scale)
    if cache_write != prices["input_price"]:
        prices["cache_write_price"] = cache_write
    source = f"genai-prices {genai_prices.__version__} ({provider_id}/{model.id})"
    return prices, model.context_window, source


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _entry_fields(entry: Entry) -> dict[str, object]:
    caps = {c for c in entry.caps.split(",") if c}
    if entry.manual_price is not None:
        inp, out, source = entry.manual_price
        prices: dict[str, float] = {"input_price": inp, "output_price": out}
    else:
        prices, _, source = lookup_prices(entry)
    if entry.free and (prices["input_price"] or prices["output_price"]):
        raise SystemExit(f"{entry.id} is flagged free but genai-prices prices it")
    if not entry.free and not prices["input_price"] and not prices["output_price"]:
        raise SystemExit(f"{entry.id} is not free but has no price")
    fields: dict[str, object] = {
        "id": entry.id,
        "provider": entry.provider,
        "upstream_id": entry.upstream_id,
        "name": entry.name,
        "context": entry.context,
    }
    if entry.max_output is not None:
        fields["max_output"] = entry.max_output
    fields.update(prices)
    fields.update(
        tools="tools" in caps,
        vision="vision" in caps,
        reasoning="reasoning" in caps,
        free=entry.free,
        apis=list(entry.apis or ("chat",)),
        price_source=source,
    )
    return fields


def render(entries: tuple[Entry, ...], key_env: dict[str, str] | None = None) -> str:
    """The catalog TOML for `entries` (prices looked up now), with the providers' key variables."""
    import genai_prices

    lines = [
        "# The shipped model catalog. GENERATED by scripts/build_catalog.py; do not edit by hand.",
        f"# Prices: USD per 1M tokens from the genai-prices {genai_prices.__version__} bundled snapshot",
        "# (see each entry's price_source). Override or add models with [[models]] in your config.",
        "",
        f'generated_with = "genai-prices {genai_prices.__version__}"',
    ]
    if key_env:
        lines += ["", "[provider_keys]  # provider -> the environment variable its API key is read from"]
        lines += [f"{name} = {_toml_value(var)}" for name, var in sorted(key_env.items())]
    for entry in entries:
        lines.append("")
        lines.append("[[models]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in _entry_fields(entry).items())
    return "\n".join(lines) + "\n"
