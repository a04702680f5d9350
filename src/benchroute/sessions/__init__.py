"""Session state (which model a conversation is on) and where it is kept.

The rules that use it are pure and live in `benchroute.routing.sessions`; docs/sessions.md.
"""

from benchroute.sessions.base import HistoryEntry, SessionState, SessionStore
from benchroute.sessions.keys import session_key
from benchroute.sessions.memory import MemorySessionStore

__all__ = ["HistoryEntry", "MemorySessionStore", "SessionState", "SessionStore", "session_key"]
