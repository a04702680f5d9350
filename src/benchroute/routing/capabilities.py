"""What a request needs from a model, checked before any accuracy is compared, in every tier.

- tools: the request declares tools, or its history holds tool calls / tool results;
- vision: a message carries an image;
- context: the prompt plus room for the answer fits the model's context window;
- API: the model is callable through an upstream API the gateway speaks (chat completions or
  messages); a model offered only on the Responses API is skipped by the auto tiers.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchroute.catalog.model import ModelInfo
from benchroute.wire.canonical import ChatRequest, ImagePart

ANSWER_ROOM = 1024  # tokens kept free for the answer when checking the context window
UPSTREAM_APIS = frozenset({"chat", "messages"})


@dataclass(frozen=True, slots=True)
class Needs:
    tools: bool = False
    vision: bool = False
    tokens: int = 0  # prompt tokens

    @property
    def agent(self) -> bool:
        """Agent work (tools, several turns): routed on agent-harness evidence."""
        return self.tools


def needs_of(request: ChatRequest, prompt_tokens: int) -> Needs:
    tools = bool(request.tools) or any(m.tool_calls or m.role == "tool" for m in request.messages)
    vision = any(isinstance(part, ImagePart) for m in request.messages for part in m.content)
    return Needs(tools, vision, prompt_tokens)


def unmet(info: ModelInfo, needs: Needs) -> str:
    """ "" when the model can serve the request, else the first unmet need ("tools", "vision",
    "context", "api")."""
    if needs.tools and not info.tools:
        return "tools"
    if needs.vision and not info.vision:
        return "vision"
    if info.context < needs.tokens + ANSWER_ROOM:
        return "context"
    if not (info.apis & UPSTREAM_APIS):
        return "api"
    return ""
