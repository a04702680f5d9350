"""Find local model servers at start: Ollama on :11434 and LM Studio on :1234.

Probes run concurrently with a short timeout and never raise: a missing or broken local server
just means nothing is discovered.
"""

from __future__ import annotations

import asyncio
from typing import Literal, NamedTuple

from benchroute.providers.base import ProviderError
from benchroute.providers.client import UpstreamClient
from benchroute.providers.ollama import OllamaProvider
from benchroute.providers.openai_compat import OpenAICompatProvider

LocalKind = Literal["ollama", "openai"]


class LocalServer(NamedTuple):
    """A local server that answered: (provider name, kind, base URL, model ids)."""

    name: str
    kind: LocalKind
    base_url: str
    models: list[str]


DEFAULT_PROBES: tuple[tuple[str, LocalKind, str], ...] = (
    ("ollama", "ollama", "http://127.0.0.1:11434/v1"),
    ("lmstudio", "openai", "http://127.0.0.1:1234/v1"),
)


async def _probe(
    session: UpstreamClient, name: str, kind: LocalKind, base_url: str, probe_timeout: float
) -> LocalServer | None:
    provider: OpenAICompatProvider
    if kind == "ollama":
        provider = OllamaProvider(name, base_url, session, timeout=probe_timeout)
    else:
        provider = OpenAICompatProvider(name, base_url, session, timeout=probe_timeout)
    try:
        models = await asyncio.wait_for(provider.list_models(), probe_timeout)
    except (ProviderError, TimeoutError, OSError, ValueError):
        return None
    return LocalServer(name, kind, provider.base_url, models)


async def discover_local(
    session: UpstreamClient,
    *,
    probes: tuple[tuple[str, LocalKind, str], ...] = DEFAULT_PROBES,
    probe_timeout: float = 0.5,
) -> list[LocalServer]:
    """Local servers that answered their model list within `probe_timeout` seconds."""
    results = await asyncio.gather(
        *(_probe(session, name, kind, url, probe_timeout) for name, kind, url in probes),
        return_exceptions=True,
    )
    return [r for r in results if isinstance(r, LocalServer)]
