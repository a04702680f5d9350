"""Which session a request belongs to: the one implementation of the session key.

In order: `x-kilocode-taskid`, `x-session-id`, `x-session-affinity`, `x-benchroute-session`; else
a hash of the gateway key id (or the project), the system prompt and the first user message, so a
plain OpenAI client that sends none of these still gets a stable session for one conversation.
A subagent (`x-kilocode-parent-taskid`) has its own session, linked to its parent's.
"""

from __future__ import annotations

import hashlib

from benchroute.wire.canonical import ChatRequest, RequestContext

HASH_PREFIX = "h:"  # hashed keys start with this; client ids are used as sent


def client_session_id(context: RequestContext) -> str | None:
    """The session id the client sent, by the documented order of headers; None if it sent none."""
    return (
        context.task_id or context.session_id or context.session_affinity or context.explicit_session or None
    )


def conversation_hash(request: ChatRequest) -> str:
    """A stable key for a conversation without a client id: key id (else project), system prompt
    and the first user message (all three unchanged for the life of a conversation)."""
    context = request.context
    first_user = next((m.text for m in request.messages if m.role == "user"), "")
    h = hashlib.sha256()
    for part in (context.key_id or context.project, request.system_text, first_user):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return HASH_PREFIX + h.hexdigest()[:24]


def session_key(request: ChatRequest) -> tuple[str, str | None]:
    """(session key, parent session key or None) of a request. Pure."""
    context = request.context
    key = client_session_id(context) or conversation_hash(request)
    parent = context.parent_task_id or None
    if parent == key:
        parent = None
    return key, parent
