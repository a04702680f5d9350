"""A bounded memo of a pure function of one text, for work a request repeats from the last one.

A coding agent resends its whole conversation on every call of a tool loop: the same user turn
(often tens of thousands of characters of pasted code) comes back once per tool call, and the
classifier would split, clean and count it again each time. `TextMemo` keeps what a pure function
returned for the most recent texts, so a resent turn costs a lookup.

Exact: an entry is used only for a text equal to the one it was computed from (compared in full,
after a cheap key of its length, head and tail, so a long text is not hashed whole). Bounded: at
most `max_entries` entries and `max_chars` characters of keys; the least recently used go first.
No module state: the owner (a `TextClassifier`) holds its memos.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")

_EDGE = 48  # characters of a text's head and tail in its key


class TextMemo(Generic[V]):
    """`memo.get(text, fn)` is `fn(text)`, remembered for the most recently used texts."""

    __slots__ = ("_chars", "_entries", "max_chars", "max_entries")

    def __init__(self, max_entries: int = 256, max_chars: int = 4_000_000) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._entries: dict[tuple[int, str, str], tuple[str, V]] = {}
        self._chars = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str, fn: Callable[[str], V]) -> V:
        n = len(text)
        key = (n, text[:_EDGE], text[-_EDGE:]) if n > 2 * _EDGE else (n, text, "")
        entries = self._entries
        hit = entries.pop(key, None)
        if hit is not None and (hit[0] is text or hit[0] == text):
            entries[key] = hit  # most recently used last
            return hit[1]
        if hit is not None:  # same key, another text: replaced below
            self._chars -= len(hit[0])
        value = fn(text)
        if n > self.max_chars or self.max_entries <= 0:
            return value
        while entries and (len(entries) >= self.max_entries or self._chars + n > self.max_chars):
            try:  # the least recently used; another thread may be evicting too
                gone = entries.pop(next(iter(entries)))
            except (KeyError, RuntimeError, StopIteration):
                break
            self._chars -= len(gone[0])
        entries[key] = (text, value)
        self._chars += n
        return value
