"""Ollama: chat through its OpenAI-compatible `/v1` endpoint, models from its native `/api/tags`."""

from __future__ import annotations

from collections.abc import Mapping

from benchroute.providers.base import ProviderError
from benchroute.providers.client import UpstreamClient
from benchroute.providers.http import get_json
from benchroute.providers.openai_compat import OpenAICompatProvider

DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434/v1"


def ollama_root(base_url: str) -> str:
    """`http://host:11434/v1` -> `http://host:11434` (the native API lives at the root)."""
    base = base_url.rstrip("/")
    return base[: -len("/v1")] if base.endswith("/v1") else base


class OllamaProvider(OpenAICompatProvider):
    def __init__(
        self,
        name: str,
        base_url: str,
        session: UpstreamClient,
        *,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        root = ollama_root(base_url)
        super().__init__(name, f"{root}/v1", session, api_key=api_key, headers=headers, timeout=timeout)
        self.root = root

    async def list_models(self) -> list[str]:
        doc = await get_json(
            self.session,
            f"{self.root}/api/tags",
            headers=self._headers(self.api_key),
            provider=self.name,
            read_timeout=self.timeout,
            secrets=(self.api_key,),
        )
        models = doc.get("models") if isinstance(doc, dict) else None
        if not isinstance(models, list):
            raise ProviderError("protocol", f"{self.name}: /api/tags has no models list", provider=self.name)
        names = (m.get("model") or m.get("name") for m in models if isinstance(m, dict))
        return [str(n) for n in names if n]
