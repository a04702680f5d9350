"""The provider interface: one small async contract every upstream backend implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from benchroute.catalog.model import ModelInfo
from benchroute.quickinit import quick_init
from benchroute.wire.canonical import ChatRequest, ChatResponse, StreamEvent

ErrorKind = Literal["connect", "timeout", "rate_limit", "server", "client", "auth", "protocol"]


class ProviderError(Exception):
    """An upstream call failed.

    `retryable` is true for connect errors, timeouts, 429 and 5xx: the gateway retries once and
    then fails over to the Decision's next candidate, as long as nothing reached the client yet.
    The message never contains a key.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        status: int | None = None,
        provider: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.status = status
        self.provider = provider
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.kind in ("connect", "timeout", "rate_limit", "server")


@quick_init
@dataclass(frozen=True, slots=True)
class Target:
    """Where one call goes: the upstream's model id and the key to use (gateway's or BYOK), and
    what the catalog says of the model that shapes the body (its output limit; whether it reasons)."""

    upstream_model: str
    api_key: str | None = None
    catalog_id: str = ""
    max_output: int | None = None
    reasoning: bool = True  # False: the catalog says the model takes no reasoning effort

    @classmethod
    def of(cls, info: ModelInfo, api_key: str | None = None) -> Target:
        """The target of a catalog model."""
        return cls(
            upstream_model=info.upstream_id,
            api_key=api_key,
            catalog_id=info.id,
            max_output=info.max_output,
            reasoning=info.reasoning,
        )


@runtime_checkable
class Provider(Protocol):
    """One upstream backend (OpenAI-compatible, Anthropic, Ollama, the scripted fake).

    `complete` returns a whole response; `stream` yields canonical events. Both raise
    `ProviderError` for failures that happen before the first event; a failure after the first
    event is reported in-band as a `StreamError` event and ends the stream.
    """

    name: str

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse: ...

    def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]: ...

    async def list_models(self) -> list[str]: ...

    async def aclose(self) -> None: ...
