"""What a request needs from a model, checked before any accuracy is compared, in every tier.

- tools: the request declares tools, or its history holds tool calls / tool results;
- vision: a message carries an image;
- context: the prompt plus room for the answer fits the model's context window;
- API: the model is callable through an upstream API the gateway speaks (chat completions or
  messages); a model offered only on the Responses API is skipped by the auto tiers.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from benchroute.catalog.model import ModelInfo
from benchroute.quickinit import quick_init
from benchroute.wire.canonical import ChatRequest, ImagePart, TextPart, Tool

SCHEMA_MEMO = 256  # tools whose schema size `SchemaSizes` remembers
ANSWER_ROOM = 1024  # tokens kept free for the answer when checking the context window
UPSTREAM_APIS = frozenset({"chat", "messages"})


@quick_init
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


def schema_chars(tool: Tool) -> int:
    """Characters of a tool's parameter schema, as the prompt estimate counts them."""
    return len(str(tool.parameters))


def read_needs(request: ChatRequest, schema: Callable[[Tool], int] = schema_chars) -> Needs:
    """`needs_of` with the prompt estimate (`policy.estimate_prompt_tokens`: characters / 4 over
    message text, tool call names and arguments, tool names, descriptions and schemas, plus 4 per
    message), in one pass over the messages that reads the parts' lengths (no joined copy of the
    text). `schema`: the size of a tool's schema (`SchemaSizes` remembers it between turns)."""
    chars = 0
    tools = bool(request.tools)
    vision = False
    for m in request.messages:
        if m.tool_calls:
            tools = True
            for call in m.tool_calls:
                chars += len(call.name) + len(call.arguments)
        elif m.role == "tool":
            tools = True
        for part in m.content:
            if type(part) is TextPart or isinstance(part, TextPart):  # the exact type: a cheaper test
                chars += len(part.text)
            elif isinstance(part, ImagePart):
                vision = True
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + schema(tool)
    return Needs(tools, vision, (chars + 3) // 4 + 4 * len(request.messages))


class SchemaSizes:
    """`schema_chars`, remembered: a client sends the same tools on every turn of a session, and
    printing a schema costs ~3 us a tool where comparing it with the remembered one costs a tenth
    of that. A tool is known by name and description and matched by an equal schema (`==`): the
    same JSON text parses to the same types, so it prints the same. (Only a schema that differs by
    writing a number 1 where the remembered one has 1.0 or true compares equal yet prints a
    character or two longer or shorter: its estimate can be off by a token.) Bounded: cleared
    when `SCHEMA_MEMO` tools are known."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], tuple[dict[str, Any], int]] = {}

    def __call__(self, tool: Tool) -> int:
        key = (tool.name, tool.description)
        known = self._known.get(key)
        if known is not None and known[0] == tool.parameters:
            return known[1]
        n = schema_chars(tool)
        if len(self._known) >= SCHEMA_MEMO:
            self._known.clear()
        self._known[key] = (tool.parameters, n)
        return n


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


def context_steps(contexts: Iterable[float]) -> tuple[float, ...]:
    """The distinct context windows of some models, ascending (`fit_key`'s steps)."""
    return tuple(sorted(set(contexts)))


def fit_key(needs: Needs, steps: Sequence[float]) -> tuple[bool, bool, int]:
    """Which of the models whose context windows are `steps` (`context_steps`) can serve `needs`
    depends only on this: the tools and vision needs, and how many windows are too small for the
    prompt (`unmet`'s context check). A memo of masks over those models keys on it."""
    return needs.tools, needs.vision, bisect_left(steps, needs.tokens + ANSWER_ROOM)
