"""Build the providers the gateway talks to: the built-in hosted ones plus `[providers.*]` config.

The built-ins are the providers the shipped catalog refers to, each with its public base URL and
the environment variable its key comes from, so a user only sets e.g. `OPENROUTER_API_KEY`. A
`[providers.<name>]` section with the same name replaces the built-in.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from benchroute.providers.base import Provider
from benchroute.providers.client import UpstreamClient
from benchroute.settings import ProviderSettings, Settings

ProviderKind = Literal["openai", "anthropic", "ollama", "fake"]

# Keys the gateway issues start with this (store/keys.py). One in a provider's key variable is a
# shell mix-up (`OPENAI_API_KEY=br-…` exported for a client): never sent upstream, and warned about.
GATEWAY_KEY_PREFIX = "br-"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """How to reach one provider (built-in or configured)."""

    name: str
    kind: ProviderKind
    base_url: str
    api_key_env: str | None = None
    api_key: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None
    max_tokens_key: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"

    def resolved_key(self) -> str | None:
        """The provider key, never a benchroute gateway key (`br-…`) found in its place."""
        key = self.api_key or ((os.environ.get(self.api_key_env) or None) if self.api_key_env else None)
        if key is not None and key.startswith(GATEWAY_KEY_PREFIX):
            return None
        return key


BUILTIN_PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "openai",
        "openai",
        "https://api.openai.com/v1",
        "OPENAI_API_KEY",
        max_tokens_key="max_completion_tokens",
    ),
    ProviderSpec("anthropic", "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
    ProviderSpec(
        "openrouter",
        "openai",
        "https://openrouter.ai/api/v1",
        "OPENROUTER_API_KEY",
        headers={"HTTP-Referer": "https://github.com/benchroute/benchroute", "X-Title": "benchroute"},
    ),
    ProviderSpec(
        "google", "openai", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"
    ),
    ProviderSpec("deepseek", "openai", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
    ProviderSpec("mistral", "openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    ProviderSpec("xai", "openai", "https://api.x.ai/v1", "XAI_API_KEY"),
    ProviderSpec(
        "qwen", "openai", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY"
    ),
    ProviderSpec("groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    ProviderSpec("together", "openai", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
    ProviderSpec("nvidia", "openai", "https://integrate.api.nvidia.com/v1", "NVIDIA_API_KEY"),
)


def _from_settings(name: str, cfg: ProviderSettings) -> ProviderSpec:
    return ProviderSpec(
        name=name,
        kind=cfg.kind,
        base_url=cfg.base_url,
        api_key_env=cfg.api_key_env,
        api_key=cfg.api_key,
        headers=dict(cfg.headers),
        timeout=cfg.timeout,
        max_tokens_key="max_completion_tokens" if "api.openai.com" in cfg.base_url else "max_tokens",
    )


def provider_specs(settings: Settings) -> dict[str, ProviderSpec]:
    """Built-ins, then configured providers (a configured name replaces the built-in)."""
    specs = {spec.name: spec for spec in BUILTIN_PROVIDERS}
    for name, cfg in settings.providers.items():
        specs[name] = _from_settings(name, cfg)
    return specs


def keyed_providers(settings: Settings) -> set[str]:
    """Providers usable without a caller's own key: a key is set, or none is needed (configured
    local/self-hosted servers, fakes)."""
    return {
        name
        for name, spec in provider_specs(settings).items()
        if spec.resolved_key() or spec.kind in ("fake", "ollama") or name in settings.providers
    }


def build_provider(spec: ProviderSpec, session: UpstreamClient) -> Provider:
    key = spec.resolved_key()
    if spec.kind == "anthropic":
        from benchroute.providers.anthropic import AnthropicProvider

        return AnthropicProvider(
            spec.name, spec.base_url, session, api_key=key, headers=spec.headers, timeout=spec.timeout
        )
    if spec.kind == "ollama":
        from benchroute.providers.ollama import OllamaProvider

        return OllamaProvider(
            spec.name, spec.base_url, session, api_key=key, headers=spec.headers, timeout=spec.timeout
        )
    if spec.kind == "fake":
        from benchroute.providers.fake import FakeProvider

        return FakeProvider(spec.name)
    from benchroute.providers.openai_compat import OpenAICompatProvider

    return OpenAICompatProvider(
        spec.name,
        spec.base_url,
        session,
        api_key=key,
        headers=spec.headers,
        timeout=spec.timeout,
        max_tokens_key=spec.max_tokens_key,
    )


def build_providers(settings: Settings, session: UpstreamClient) -> dict[str, Provider]:
    """One provider per built-in and configured name, all sharing `session`.

    Built-ins without a key are still built: a caller may bring their own key (BYOK) per call.
    A key variable holding a gateway key is ignored, with a warning.
    """
    for name, spec in provider_specs(settings).items():
        raw = spec.api_key or (os.environ.get(spec.api_key_env, "") if spec.api_key_env else "")
        if raw.startswith(GATEWAY_KEY_PREFIX):
            where = spec.api_key_env or f"providers.{name}.api_key"
            log.warning(
                "%s holds a benchroute gateway key (br-…), not a %s key: it is not sent upstream, and "
                "%s is not callable until %s holds the provider's own key (clients use BENCHROUTE_API_KEY)",
                where,
                name,
                name,
                where,
            )
    return {name: build_provider(spec, session) for name, spec in provider_specs(settings).items()}
