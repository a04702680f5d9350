"""The canonical request/response model every dialect translates to and from.

Client dialects (chat completions, Anthropic messages, OpenAI responses) are parsed into a
`ChatRequest`; providers take a `ChatRequest` and return a `ChatResponse` or a stream of
`StreamEvent`s; the gateway renders those back into the client's dialect. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ApiKind = Literal["chat", "messages", "responses"]
Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "error"]
# Anthropic's prompt-cache breakpoint on a block, as the client sent it ({"type": "ephemeral"},
# perhaps with a "ttl"). Rendered on the same block for Anthropic upstreams; others drop it.
CacheControl = dict[str, Any]


@dataclass(slots=True)
class TextPart:
    text: str
    type: Literal["text"] = "text"
    cache_control: CacheControl | None = None


@dataclass(slots=True)
class ImagePart:
    """An image given by URL or as a data: URL (base64)."""

    url: str
    media_type: str | None = None
    type: Literal["image"] = "image"
    cache_control: CacheControl | None = None


Part = TextPart | ImagePart


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, exactly as the model produced it
    cache_control: CacheControl | None = None


@dataclass(slots=True)
class Thinking:
    """An Anthropic thinking block of an assistant turn (or a `redacted_thinking` one, whose
    encrypted `data` is in `redacted`). Kept so it can go back to an Anthropic upstream unchanged:
    extended thinking with tool use needs the previous assistant turn's thinking blocks, signatures
    and all. Other upstreams never see it."""

    text: str = ""
    signature: str = ""
    redacted: str | None = None


@dataclass(slots=True)
class Message:
    role: Role
    content: list[Part] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None  # role == "tool": the call this result answers
    name: str | None = None
    is_error: bool = False  # a tool result that reports an error (Anthropic `is_error`)
    cache_control: CacheControl | None = None  # role == "tool": on the tool_result block
    thinking: list[Thinking] = field(default_factory=list)  # role == "assistant", Anthropic only

    @property
    def text(self) -> str:
        content = self.content
        if len(content) == 1:  # the usual message: no generator to join one part
            part = content[0]
            return part.text if isinstance(part, TextPart) else ""
        return "".join(p.text for p in content if isinstance(p, TextPart))


@dataclass(slots=True)
class Tool:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    cache_control: CacheControl | None = None


# "auto" | "none" | "required" | a tool name that must be called
ToolChoice = Literal["auto", "none", "required"] | str


@dataclass(slots=True)
class RequestContext:
    """What the gateway learned from headers and auth, carried beside the body."""

    api_kind: ApiKind = "chat"
    mode: str | None = None  # x-kilocode-mode / x-benchroute-mode
    task_id: str | None = None  # x-kilocode-taskid
    parent_task_id: str | None = None  # x-kilocode-parent-taskid
    session_id: str | None = None  # x-session-id
    session_affinity: str | None = None  # x-session-affinity
    explicit_session: str | None = None  # x-benchroute-session
    editor_name: str | None = None  # x-kilocode-editorname
    machine_id: str | None = None  # x-kilocode-machineid
    user_agent: str | None = None
    client_name: str | None = None  # parsed from User-Agent / editor name
    client_version: str | None = None
    anthropic_beta: tuple[str, ...] = ()  # anthropic-beta flags an Anthropic upstream may be sent
    project: str = "default"
    key_id: str | None = None


@dataclass(slots=True)
class ChatRequest:
    model: str
    messages: list[Message]
    tools: list[Tool] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    stream: bool = False
    include_usage: bool = False
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None  # Anthropic only
    stop: list[str] = field(default_factory=list)
    reasoning_effort: str | None = None
    # the client's own extended-thinking budget (Anthropic `thinking.budget_tokens`); when set,
    # `reasoning_effort` is the effort nearest to it, for upstreams that take an effort instead
    thinking_budget: int | None = None
    response_format: dict[str, Any] | None = None
    user: str | None = None
    context: RequestContext = field(default_factory=RequestContext)

    @property
    def system_text(self) -> str:
        return "\n".join(m.text for m in self.messages if m.role == "system")


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # part of prompt_tokens served from the provider's cache
    reasoning_tokens: int = 0  # part of completion_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(slots=True)
class ChatResponse:
    id: str
    model: str  # the catalog id that served it
    message: Message
    finish_reason: FinishReason = "stop"
    usage: Usage = field(default_factory=Usage)
    created: int = 0


# ---- streaming -------------------------------------------------------------------------------


@dataclass(slots=True)
class TextDelta:
    text: str


@dataclass(slots=True)
class ReasoningDelta:
    """Reasoning text. From an Anthropic upstream also what closes a thinking block: its
    `signature`, or a whole `redacted_thinking` block's data (`redacted`); dialects that have no
    place for those ignore them."""

    text: str
    signature: str = ""
    redacted: str | None = None


@dataclass(slots=True)
class ToolCallDelta:
    """A piece of a streamed tool call. `id` and `name` arrive with the first piece of a call."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(slots=True)
class Finish:
    reason: FinishReason


@dataclass(slots=True)
class UsageReport:
    usage: Usage


@dataclass(slots=True)
class StreamError:
    """The upstream failed after the first byte; the client stream must end with an error."""

    message: str
    kind: str = "upstream_error"


StreamEvent = TextDelta | ReasoningDelta | ToolCallDelta | Finish | UsageReport | StreamError
