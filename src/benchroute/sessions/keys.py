"""Which session a request belongs to: the one implementation of the session key (its client-id
and conversation-hash steps live in `wire.context`, below routing, and are re-exported here).

In order: `x-kilocode-taskid`, `x-session-id`, `x-session-affinity`, `x-benchroute-session`; else
a hash of the gateway key id (or the project), the system prompt and the first user message, so a
plain OpenAI client that sends none of these still gets a stable session for one conversation.
A subagent (`x-kilocode-parent-taskid`) has its own session, linked to its parent's.
"""

from __future__ import annotations

from benchroute.wire.canonical import ChatRequest
from benchroute.wire.context import (
    HASH_PREFIX,
    client_session_id,
    conversation_hash,
    conversation_parts,
    hash_conversation,
)

__all__ = ["HASH_PREFIX", "SessionKeys", "client_session_id", "conversation_hash", "session_key"]

MEMO_CHARS = 8_000_000  # what the remembered conversations' texts may hold, in characters


def session_key(request: ChatRequest) -> tuple[str, str | None]:
    """(session key, parent session key or None) of a request. Pure."""
    context = request.context
    key = client_session_id(context) or conversation_hash(request)
    parent = context.parent_task_id or None
    if parent == key:
        parent = None
    return key, parent


class SessionKeys:
    """`session_key` with the conversation hashes of recent conversations remembered.

    Every request of a conversation without a client id repeats its system prompt and first user
    message, and SHA-256 over them costs ~30 instructions per byte: ~630k instructions per
    request for a 20 KB system prompt (a coding agent's is 10-50 KB). Looking the three texts
    up in a dict hashes and compares them at ~3 per byte (~65k), so the digest is computed once
    per conversation. Bounded by the characters held (`max_chars`): past it, forgotten at once.
    """

    def __init__(self, max_chars: int = MEMO_CHARS) -> None:
        self._max_chars = max_chars
        self._chars = 0
        self._hashes: dict[tuple[str, str, str], str] = {}

    def __call__(self, request: ChatRequest) -> tuple[str, str | None]:
        """`session_key(request)`, the same result."""
        context = request.context
        key = client_session_id(context)
        if not key:
            parts = conversation_parts(request)
            key = self._hashes.get(parts)
            if key is None:
                key = hash_conversation(parts)
                self._remember(parts, key)
        parent = context.parent_task_id or None
        if parent == key:
            parent = None
        return key, parent

    def _remember(self, parts: tuple[str, str, str], key: str) -> None:
        size = len(parts[0]) + len(parts[1]) + len(parts[2])
        if size > self._max_chars:
            return
        if self._chars + size > self._max_chars:
            self._hashes.clear()
            self._chars = 0
        self._hashes[parts] = key
        self._chars += size
