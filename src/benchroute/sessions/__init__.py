"""Sessions: which model a conversation is on, and the rules that keep it there (docs/sessions.md).

- `keys`: the session key of a request (client id, else a hash of key + system + first user turn);
- `base`: `SessionState` and the `SessionStore` protocol; `memory`, `redis`: the stores
  (`factory.open_session_store(settings)` picks one);
- `rules`: the session rules, pure (stay, escalate, downshift, tool loops);
- `service.SessionRouter`: keys a request, routes it with the engine it is given, applies the
  rules and records the outcome in one atomic update of the store.
"""

from benchroute.sessions.base import HistoryEntry, SessionState, SessionStore
from benchroute.sessions.keys import session_key
from benchroute.sessions.memory import MemorySessionStore

__all__ = ["HistoryEntry", "MemorySessionStore", "SessionState", "SessionStore", "session_key"]
