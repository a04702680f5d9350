"""Request headers -> `RequestContext`: client mode, task and session ids, and who the client is;
and the session key recipe that needs nothing but the request (used by routing and sessions)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from benchroute.wire.canonical import ApiKind, ChatRequest, Message, RequestContext
from benchroute.wire.turns import is_own_turn

HASH_PREFIX = "h:"  # hashed keys start with this; client ids are used as sent

# anthropic-beta flags passed on to Anthropic upstreams (any date suffix): those that only change
# what the upstream accepts or how it computes (a longer context, cache TTLs, thinking between tool
# calls, larger outputs, streamed tool input) and return blocks the gateway knows. Others are not
# forwarded: `oauth-*` and `claude-code-*` belong to the client's own Anthropic login, and the
# tool betas (files, code execution, MCP, computer use, skills) need body fields or return blocks
# that the gateway drops.
FORWARDED_BETAS = (
    "context-1m-",
    "extended-cache-ttl-",
    "fine-grained-tool-streaming-",
    "interleaved-thinking-",
    "output-128k-",
    "prompt-caching-",
    "token-efficient-tools-",
)

# "Name/1.2.3", "OpenAI/Python 1.40.0", "codex_cli_rs/0.1.0 (Linux)": product and version.
_PRODUCT = re.compile(r"^\s*([A-Za-z][\w.\-]*)/(?:(Python|JS|Node|Go|Java|Rust)\s+)?v?([0-9][\w.\-+]*)?")


def header_dict(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI raw headers (names already lower case) as a dict; a repeated header keeps its first value."""
    out: dict[str, str] = {}
    for k, v in raw:
        name = k.decode("latin-1")
        if name not in out:
            out[name] = v.decode("latin-1")
    return out


def parse_user_agent(user_agent: str | None) -> tuple[str | None, str | None]:
    """(client name, version) from a User-Agent, names lower-cased: "Kilo-Code/7.7.7" ->
    ("kilo-code", "7.7.7"), "OpenAI/Python 1.40.0" -> ("openai-python", "1.40.0")."""
    if not user_agent:
        return None, None
    m = _PRODUCT.match(user_agent)
    if m is None:
        return user_agent.split(" ", 1)[0].lower()[:64] or None, None
    name, runtime, version = m.group(1), m.group(2), m.group(3)
    if runtime:
        name = f"{name}-{runtime}"
    return name.lower(), version


def request_context(
    headers: dict[str, str], api_kind: ApiKind, project: str, key_id: str | None
) -> RequestContext:
    """The request's context from its headers (the pipeline passes everything by position)."""
    get = headers.get
    user_agent = get("user-agent")
    client_name, client_version = parse_user_agent(user_agent)
    # by position, in the fields' order (tests/test_positional.py): 15 keywords cost CPython
    # more than building the context
    return RequestContext(
        api_kind,  # api_kind
        get("x-kilocode-mode") or get("x-benchroute-mode"),  # mode
        get("x-kilocode-taskid"),  # task_id
        get("x-kilocode-parent-taskid"),  # parent_task_id
        get("x-session-id") or get("session-id"),  # session_id (Codex CLI sends `session-id`)
        get("x-session-affinity"),  # session_affinity
        get("x-benchroute-session"),  # explicit_session
        get("x-kilocode-editorname"),  # editor_name
        get("x-kilocode-machineid"),  # machine_id
        user_agent,  # user_agent
        client_name,  # client_name
        client_version,  # client_version
        anthropic_betas(get("anthropic-beta")),  # anthropic_beta
        project,  # project
        key_id,  # key_id
    )


def anthropic_betas(header: str | None) -> tuple[str, ...]:
    """The flags of an `anthropic-beta` header that may go upstream (`FORWARDED_BETAS`)."""
    if not header:
        return ()
    flags = (b.strip() for b in header.split(","))
    return tuple(dict.fromkeys(b for b in flags if b.startswith(FORWARDED_BETAS)))


def client_session_id(context: RequestContext) -> str | None:
    """The session id the client sent, by the documented order of headers; None if it sent none."""
    return (
        context.task_id or context.session_id or context.session_affinity or context.explicit_session or None
    )


def _first_user_text(messages: list[Message]) -> str:
    """The first of the person's own turns (`wire.turns.is_own_turn`), else the first user turn.
    Codex opens every conversation with the same injected turns (AGENTS.md, environment), so the
    first user message would be one for all the conversations in a repository."""
    first: Message | None = None
    for m in messages:  # a loop, not `next(genexpr)`: an unfinished generator is closed by
        if m.role != "user":  # raising GeneratorExit into it (an exception per request)
            continue
        if is_own_turn(m):
            return m.text
        if first is None:
            first = m
    return first.text if first is not None else ""


def conversation_parts(request: ChatRequest) -> tuple[str, str, str]:
    """What the conversation hash is over: key id (else project), system prompt and the first of
    the person's own user turns (all three unchanged for the life of a conversation)."""
    context = request.context
    return context.key_id or context.project, request.system_text, _first_user_text(request.messages)


def hash_conversation(parts: tuple[str, str, str]) -> str:
    """`h:` + the first 24 hex digits of SHA-256 over the parts, each followed by a NUL (hashed
    in one call: one `update` per piece cost three times the instructions of the hash itself)."""
    data = "\x00".join((*parts, "")).encode("utf-8", "surrogatepass")
    return HASH_PREFIX + hashlib.sha256(data).hexdigest()[:24]


def conversation_hash(request: ChatRequest) -> str:
    """A stable key for a conversation without a client id (`conversation_parts`, hashed)."""
    return hash_conversation(conversation_parts(request))
