"""Which session a request belongs to: the one implementation of the session key (its client-id
and conversation-hash steps live in `wire.context`, below routing, and are re-exported here).

In order: `x-kilocode-taskid`, `x-session-id`, `x-session-affinity`, `x-benchroute-session`; else
a hash of the gateway key id (or the project), the system prompt and the first user message, so a
plain OpenAI client that sends none of these still gets a stable session for one conversation.
A subagent (`x-kilocode-parent-taskid`) has its own session, linked to its parent's.
"""

from __future__ import annotations

from benchroute.wire.canonical import ChatRequest
from benchroute.wire.context import HASH_PREFIX, client_session_id, conversation_hash

__all__ = ["HASH_PREFIX", "client_session_id", "conversation_hash", "session_key"]


def session_key(request: ChatRequest) -> tuple[str, str | None]:
    """(session key, parent session key or None) of a request. Pure."""
    context = request.context
    key = client_session_id(context) or conversation_hash(request)
    parent = context.parent_task_id or None
    if parent == key:
        parent = None
    return key, parent
