"""TF-IDF term counts of a text of many one-character tokens (Cyrillic, Greek, CJK), in numpy.

`TextVectorizer`'s tokenizer (`features._TOKEN`) makes a run of [a-z_] one token, a run of [0-9]
one token, and every other character that is not white space a token of its own: a Russian or
Chinese instruction gives about one token per character, four times what English prose of the same
length gives, and the vocabulary holds those letters and their pairs (`"а"`, `"а б"`), so each one
counts. Looked up one by one (the regex's matches, each token in the vocabulary and the bigram
tables, `Counter`) such a text costs ~0.25 µs a character.

`CharCounts.counts(low)` gives the same term counts, as the same dict in the same order, from the
text's code points as an array: each character's class (space, [a-z_], [0-9], other) from a table,
token starts where the class changes (every "other" character starts one), the one-character
tokens' word ids from a sorted table of the vocabulary's one-character words, the [a-z_] / [0-9]
runs by the regex (few in such a text) through a dict; then unigram columns by a table, bigram
columns by a sorted table of (first word, second word) keys, and each column's count and first
occurrence by a stable sort. The counts dict lists unigram columns, then bigram columns, each by
first occurrence: the order `TextVectorizer._counts` builds with `Counter`, so the TF-IDF row's
sums run in the same order and give the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["CharCounts"]

IntArray = npt.NDArray[np.int64]

# A character's entry in `CharCounts`'s table: the word id of a one-character token (>= 0, or
# _UNKNOWN), or the class of a character that is not one (white space, [a-z_], [0-9]).
_UNKNOWN, _SPACE, _WORD, _DIGIT = -1, -2, -3, -4
# Every white-space character (`str.isspace`, sre's \s) is below U+3001.
_SPACE_TOP = 0x3001


def _first_order(cols: IntArray) -> tuple[list[int], list[int]]:
    """The distinct values of `cols` by first occurrence, and how often each occurs."""
    # Equal values keep their positions' order; 16-bit columns sort by radix.
    order = np.argsort(cols.astype(np.uint16) if cols.max() < 65536 else cols, kind="stable")
    ranked = cols[order]
    new = np.empty(len(ranked) + 1, dtype=bool)
    new[0] = new[-1] = True
    np.not_equal(ranked[1:], ranked[:-1], out=new[1:-1])
    bounds = np.flatnonzero(new)  # each group's start, then the end
    starts = bounds[:-1]
    by_first = np.argsort(order[starts])  # a group's first position is its stable sort's first
    return ranked[starts][by_first].tolist(), np.diff(bounds)[by_first].tolist()


class CharCounts:
    """Term counts over a bigram vocabulary ({"word": column, "first second": column}), the same as
    counting the tokens of `features._TOKEN`, for a lowered text; built once per vectoriser."""

    __slots__ = ("_bigram_cols", "_bigram_keys", "_n_words", "_table", "_top", "_unigram", "_word_ids")

    def __init__(self, vocab: Mapping[str, int]) -> None:
        # Each step a C loop over the terms (~20,000): the vectoriser builds this at load.
        words = {w: i for i, w in enumerate(dict.fromkeys(chain.from_iterable(map(str.split, vocab))))}
        self._word_ids = words
        self._n_words = n = len(words)
        parts = list(map(str.partition, vocab, repeat(" ")))
        firsts = np.fromiter(
            map(words.__getitem__, map(itemgetter(0), parts)), dtype=np.int64, count=len(parts)
        )
        seconds = np.fromiter(
            map(words.get, map(itemgetter(2), parts), repeat(-1)), dtype=np.int64, count=len(parts)
        )
        cols = np.fromiter(vocab.values(), dtype=np.int64, count=len(parts))
        pair = seconds >= 0  # "first second" (a word is never empty)
        self._unigram = np.full(n + 1, -1, dtype=np.int64)  # word id -1 (unknown): the last entry
        self._unigram[firsts[~pair]] = cols[~pair]
        keys = firsts[pair] * n + seconds[pair]
        order = np.argsort(keys, kind="stable")
        self._bigram_keys: IntArray = keys[order]
        self._bigram_cols: IntArray = cols[pair][order]
        singles = {ord(w): i for w, i in words.items() if len(w) == 1}
        self._top = max([_SPACE_TOP, *singles]) + 1  # codes from here on: no word, not white space
        table: npt.NDArray[np.signedinteger[Any]] = np.full(
            self._top + 1, _UNKNOWN, dtype=np.int16 if len(words) < 2**15 else np.int32
        )
        table[list(singles)] = list(singles.values())
        table[ord("a") : ord("z") + 1] = table[ord("_")] = _WORD
        table[ord("0") : ord("9") + 1] = _DIGIT
        table[[code for code in range(_SPACE_TOP) if chr(code).isspace()]] = _SPACE
        self._table = table

    def word_ids(self, low: str) -> IntArray:
        """The word id of each token of `low` in order (-1: a token no vocabulary term holds)."""
        codes = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        marks = self._table[np.minimum(codes, self._top)]
        # A token starts at every character that is one, and where a run of [a-z_] or [0-9] begins.
        start = marks > _SPACE
        changed = marks[1:] != marks[:-1]
        start[1:] |= changed
        start[:1] = True
        start &= marks != _SPACE
        starts = np.flatnonzero(start)
        ids = marks[starts].astype(np.int64)
        in_run = ids < _SPACE
        if in_run.any():
            run_starts = starts[in_run]
            # A run ends where the mark next changes (within a run it does not), or at the end.
            changes = np.flatnonzero(changed) + 1
            ends = np.append(changes, len(marks))[np.searchsorted(changes, run_starts, side="right")]
            runs = map(low.__getitem__, map(slice, run_starts.tolist(), ends.tolist()))
            ids[in_run] = np.fromiter(
                map(self._word_ids.get, runs, repeat(-1)), dtype=np.int64, count=len(run_starts)
            )
        return ids

    def counts(self, low: str) -> dict[int, int]:
        """Column -> count of the lowered text's uni- and bigrams in the vocabulary: unigram
        columns, then bigram columns, each in the order of their first occurrence (one pass over
        both: a unigram's column is never a bigram's)."""
        ids = self.word_ids(low)
        unigrams = self._unigram[ids]
        first, second = ids[:-1], ids[1:]
        both = (first >= 0) & (second >= 0)
        keys = first[both] * self._n_words + second[both]
        cols = unigrams[unigrams >= 0]
        if len(keys) and len(self._bigram_keys):
            pos = np.searchsorted(self._bigram_keys, keys)
            pos[pos == len(self._bigram_keys)] = 0
            cols = np.concatenate((cols, self._bigram_cols[pos[self._bigram_keys[pos] == keys]]))
        if len(cols) == 0:
            return {}
        return dict(zip(*_first_order(cols), strict=True))
