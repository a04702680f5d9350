"""Request features for the task classifier: the instruction's words plus what the request carries.

`extract(request)` reads a canonical request the way a person would skim it: the latest user
instruction apart from what was pasted into it (`signals.split_instruction`), the first instruction
when the latest is only "continue", the mode header (or Claude Code's plan-mode reminder), how long
the conversation and its tool loop are, and what the latest tool results report (failing tests,
compiler errors, non-zero exit codes). The text the vectoriser reads is the bounded instruction
followed by one marker word per signal ("zzpastediff", "zztoolfailtests", ...), so words and signals
combine in one linear model; the same signals also form the fixed-length vector `STRUCT_FEATURES`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice, starmap
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from benchroute.routing import signals
from benchroute.routing.charcounts import CharCounts
from benchroute.routing.lexicon import CUE_NAMES, cues
from benchroute.routing.memo import TextMemo
from benchroute.routing.signals import bounded, clean_user_text
from benchroute.wire.canonical import ChatRequest, Message
from benchroute.wire.turns import is_tool_result

__all__ = [
    "HEAD_CHARS",
    "STRUCT_FEATURES",
    "TAIL_CHARS",
    "FeatureMemo",
    "RequestFeatures",
    "TextVectorizer",
    "TurnRead",
    "bounded",
    "clean_user_text",
    "extract",
    "is_tool_result",
    "read_turn",
]

# How much of the instruction the text model reads: its head and its tail.
HEAD_CHARS = 1200
TAIL_CHARS = 300
FILE_SCAN = 3000
# Cue counts enter at this scale: a larger value makes them cheaper under the L2 penalty, so the
# hand-written cues (which generalise to unseen phrasings) outweigh template-specific words.
CUE_SCALE = 1.0

KNOWN_MODES: tuple[str, ...] = (
    "plan",
    "architect",
    "debug",
    "orchestrator",
    "ask",
    "code",
    "build",
    "explore",
    "review",
)

STRUCT_FEATURES: tuple[str, ...] = (
    *(f"mode={m}" for m in KNOWN_MODES),
    "mode=other",
    "mode=none",
    "traceback_in_user",
    "traceback_in_tool",
    "diff_in_user",
    "log_in_user",
    "error_paste_only",
    "code_blocks",
    "code_lines",
    "paste_chars",
    "files_named",
    "user_len",
    "user_turns",
    "followup_generic",
    "tool_results",
    "tool_error",
    "tool_failing_tests",
    "tool_compile_error",
    "tool_exit_nonzero",
    "tool_passing",
    "last_is_tool",
    "has_system",
    "has_tools",
    *(f"cue={name}" for name in CUE_NAMES),
)

_TOKEN = re.compile(r"[a-z_]++|[0-9]++|[^\sa-z0-9_]")  # possessive: the classes are disjoint
# A vectoriser text with at least this many non-ASCII characters (each a token of its own) is
# counted by `CharCounts` (numpy, ~50 µs and ~0.05 µs a character) rather than token by token
# (~0.3 µs a token): below it the token-by-token count is as fast or faster.
DENSE_CHARS = 256
_FILE_EXT = re.compile(  # a literal "." first, so the scan jumps between dots
    r"\.(?:py|js|ts|tsx|jsx|go|rs|java|kt|c|h|cc|cpp|hpp|cs|rb|php|swift|scala|"
    r"sql|sh|yml|yaml|toml|json|md|html|css|vue|svelte)\b"
)


@dataclass(frozen=True, slots=True)
class RequestFeatures:
    """What the classifier sees of a request."""

    text: str  # bounded instruction + signal marker words, for the vectoriser
    struct: npt.NDArray[np.float32]  # values for STRUCT_FEATURES, in order
    mode: str | None
    instruction: str = ""  # the latest instruction (or the first, when the latest is generic)
    markers: tuple[str, ...] = field(default_factory=tuple)

    def named(self) -> dict[str, float]:
        return {name: float(v) for name, v in zip(STRUCT_FEATURES, self.struct, strict=True)}


def _mode(request: ChatRequest, turn: TurnRead) -> str | None:
    """The mode header; without one, Claude Code's plan-mode reminder or Codex's plan
    collaboration mode read as `plan`."""
    mode = (request.context.mode or "").strip().lower() or None
    if mode is None and (turn.plan_reminder or signals.codex_plan_mode(request.messages)):
        return "plan"
    return mode


def _markers(
    mode: str | None, paste: signals.PasteStats, tools: signals.ToolSignals, generic: bool
) -> list[str]:
    out = [f"zzmode{mode if mode in KNOWN_MODES else 'other'}" if mode else "zznomode"]
    flags = (
        (paste.code_blocks > 0 or paste.code_lines > 3, "zzpastecode"),
        (paste.diff, "zzpastediff"),
        (paste.trace, "zzpastetrace"),
        (paste.log, "zzpastelog"),
        (paste.error_only, "zzpasteerroronly"),
        (paste.paste_chars > 8000, "zzpastelong"),
        (tools.results > 0, "zztoolloop"),
        (tools.failing_tests, "zztoolfailtests"),
        (tools.compile_error or tools.trace, "zztoolerror"),
        (tools.exit_nonzero or tools.flagged_error, "zztoolexitfail"),
        (tools.passing, "zztoolpass"),
        (generic, "zzfollowup"),
    )
    out.extend(word for on, word in flags if on)
    return out


@dataclass(frozen=True, slots=True)
class TurnRead:
    """What one user turn's text says: its instruction apart from the paste, the files it names,
    whether it carries Claude Code's plan-mode reminder. A pure function of the text."""

    instruction: str
    paste: signals.PasteStats
    files: int
    plan_reminder: bool


def read_turn(raw: str) -> TurnRead:
    """`TurnRead` of a user turn's text (as the message holds it, boilerplate and all)."""
    text = clean_user_text(raw)
    instruction, paste = signals.split_instruction(text)
    return TurnRead(instruction, paste, _files(text), signals.plan_reminder(raw))


class FeatureMemo:
    """What `extract` may remember between requests: each user turn's `TurnRead` and the cue
    counts of each bounded instruction (an agent resends the same turn on every tool call).
    Bounded (`routing.memo.TextMemo`); the classifier instance holds one."""

    __slots__ = ("cues", "turns")

    def __init__(self, max_entries: int = 256, max_chars: int = 4_000_000) -> None:
        self.turns: TextMemo[TurnRead] = TextMemo(max_entries, max_chars)
        self.cues: TextMemo[tuple[int, ...]] = TextMemo(max_entries, max_chars)


def _turn(raw: str, memo: FeatureMemo | None) -> TurnRead:
    return read_turn(raw) if memo is None else memo.turns.get(raw, read_turn)


def _task_turn(turns: Sequence[Message], memo: FeatureMemo | None) -> str:
    """The instruction of the latest earlier turn that carries a task (a few turns back at most)."""
    for msg in list(reversed(turns))[:4]:
        instruction = _turn(msg.text, memo).instruction
        if not signals.is_generic(instruction):
            return instruction
    return ""


@dataclass(frozen=True, slots=True)
class _Read:
    """What one pass over a request found, before it becomes numbers."""

    instruction: str
    paste: signals.PasteStats
    tools: signals.ToolSignals
    mode: str | None
    generic: bool
    turns: int
    files: int


def _read(request: ChatRequest, memo: FeatureMemo | None) -> _Read:
    """The latest instruction (or the earlier one a "continue" defers to), paste, mode, tool loop."""
    turns = signals.user_turns(request.messages)
    turn = _turn(turns[-1].text if turns else "", memo)
    instruction = turn.instruction
    generic = len(turns) > 1 and signals.is_generic(instruction)
    if generic:  # the task it carries on, read alone: "try again" or "continue" adds no words of its own
        instruction = _task_turn(turns[:-1], memo) or instruction
    return _Read(
        instruction=instruction,
        paste=turn.paste,
        tools=signals.tool_signals(request.messages),
        mode=_mode(request, turn),
        generic=generic,
        turns=len(turns),
        files=turn.files,
    )


def _files(text: str) -> int:
    """How many file names the turn's first FILE_SCAN characters mention (at most 20): a known
    extension right after a word character ("main.py", "src/app.ts")."""
    found = 0
    for match in _FILE_EXT.finditer(text, 0, FILE_SCAN):
        before = text[match.start() - 1] if match.start() else " "
        found += before.isalnum() or before == "_"
        if found == 20:
            break
    return found


def _flag(on: bool) -> float:
    return 1.0 if on else 0.0


_CUE_MARKERS: tuple[str, ...] = tuple(f"zzcue{name}" for name in CUE_NAMES)
# CUE_SCALE * log1p(n) of the counts a 400-character instruction can give, worked out once.
_CUE_VALUES: tuple[float, ...] = tuple(CUE_SCALE * math.log1p(n) for n in range(512))


def _cue_values(counts: tuple[int, ...]) -> Iterable[float]:
    """`CUE_SCALE * math.log1p(n)` of each count (looked up for the counts `_CUE_VALUES` holds)."""
    if min(counts) >= 0 and max(counts) < len(_CUE_VALUES):
        return map(_CUE_VALUES.__getitem__, counts)
    return [CUE_SCALE * math.log1p(n) for n in counts]


def _mode_values(mode: str | None) -> list[float]:
    values = [_flag(mode == m) for m in KNOWN_MODES]
    return [*values, _flag(mode is not None and mode not in KNOWN_MODES), _flag(mode is None)]


def _paste_values(read: _Read) -> list[float]:
    paste, tools = read.paste, read.tools
    return [
        _flag(paste.trace),
        _flag(tools.trace),
        _flag(paste.diff),
        _flag(paste.log),
        _flag(paste.error_only),
        math.log1p(paste.code_blocks),
        math.log1p(paste.code_lines) / 5.0,
        math.log1p(paste.paste_chars / 4) / 10.0,
        math.log1p(read.files),
        math.log1p(len(read.instruction) / 4) / 5.0,
    ]


def _loop_values(read: _Read, request: ChatRequest) -> list[float]:
    tools = read.tools
    return [
        math.log1p(max(read.turns - 1, 0)),
        _flag(read.generic),
        math.log1p(max(tools.results, tools.calls)),
        _flag(tools.trace or tools.flagged_error or tools.compile_error or tools.exit_nonzero),
        _flag(tools.failing_tests),
        _flag(tools.compile_error),
        _flag(tools.exit_nonzero),
        _flag(tools.passing),
        _flag(tools.last_is_tool),
        _flag(any(m.role == "system" for m in request.messages[:2])),
        _flag(bool(request.tools)),
    ]


def extract(request: ChatRequest, memo: FeatureMemo | None = None) -> RequestFeatures:
    """Features of one request. Pure, cheap and bounded in the size of the prompt. With a `memo`,
    the same features, the work on a user turn it has seen before looked up."""
    read = _read(request, memo)
    text = bounded(read.instruction, HEAD_CHARS, TAIL_CHARS)
    cue_counts = cues(text) if memo is None else memo.cues.get(text, cues)
    markers = _markers(read.mode, read.paste, read.tools, read.generic)
    markers += compress(_CUE_MARKERS, cue_counts)
    values = [
        *_mode_values(read.mode),
        *_paste_values(read),
        *_loop_values(read, request),
        *_cue_values(cue_counts),
    ]
    return RequestFeatures(
        text=f"{text}\n{' '.join(markers)}",
        struct=np.asarray(values, dtype=np.float32),
        mode=read.mode,
        instruction=read.instruction,
        markers=tuple(markers),
    )


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def ngrams(text: str, max_n: int = 2) -> list[str]:
    toks = tokenize(text)
    if max_n < 2:
        return toks
    return toks + list(map(" ".join, itertools.pairwise(toks)))


class TextVectorizer:
    """Word uni/bigram TF-IDF over an explicit vocabulary (sublinear tf, l2-normalised rows).

    `fit(texts)` learns the vocabulary (the `max_features` most frequent terms with document
    frequency >= `min_df`) and idf weights; `transform(texts)` returns a dense float32 array
    (rows x vocabulary). Each text is read up to `max_chars` (head and tail), so long prompts cost
    a bounded time. `encode(text)` gives the sparse row (indices, values) for the request path.
    """

    def __init__(
        self, max_features: int = 40_000, min_df: int = 2, max_n: int = 2, max_chars: int = 4000
    ) -> None:
        self.max_features = max_features
        self.min_df = min_df
        self.max_n = max_n
        self.max_chars = max_chars
        self.vocab: dict[str, int] = {}
        self.idf: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        # The vocabulary's bigrams by first word, then second word: column.
        self._bigrams: dict[str, dict[str, int]] = {}
        self._chars: CharCounts | None = None  # the same counts, for texts of many non-ASCII tokens

    def _set_vocab(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self._bigrams = {}
        for term, j in vocab.items():
            if " " in term:
                first, second = term.split(" ", 1)
                self._bigrams.setdefault(first, {})[second] = j
        self._chars = CharCounts(vocab) if self.max_n >= 2 else None

    @property
    def size(self) -> int:
        return len(self.vocab)

    def _terms(self, text: str) -> list[str]:
        if len(text) > self.max_chars:
            text = bounded(text, self.max_chars * 3 // 4, self.max_chars // 4)
        return ngrams(text, self.max_n)

    def fit(self, texts: Iterable[str]) -> TextVectorizer:
        df: dict[str, int] = {}
        n_docs = 0
        for text in texts:
            n_docs += 1
            for term in set(self._terms(text)):
                df[term] = df.get(term, 0) + 1
        kept = [(t, c) for t, c in df.items() if c >= self.min_df]
        # Most frequent first; ties broken by the term itself so the vocabulary is deterministic.
        kept.sort(key=lambda tc: (-tc[1], tc[0]))
        kept = kept[: self.max_features]
        kept.sort(key=lambda tc: tc[0])
        self._set_vocab({t: i for i, (t, _) in enumerate(kept)})
        counts = np.asarray([c for _, c in kept], dtype=np.float64)
        self.idf = (np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0).astype(np.float32)
        return self

    def _counts(self, text: str) -> dict[int, int]:
        """Column -> count of the text's terms in the vocabulary, in the order `_terms` lists them
        (words, then bigrams, each by first occurrence: the order of the sums that follow). A
        bigram is looked up by its two words (`_bigrams`), never joined: only vocabulary bigrams
        count, and a word holds no space, so "a b" names one pair of words. Every step iterates
        in C (map, compress, Counter): a term out of the vocabulary counts under None, dropped
        at the end (columns are distinct terms, so the first occurrences keep their order).
        A text of DENSE_CHARS non-ASCII characters or more: `CharCounts`, the same dict."""
        if len(text) > self.max_chars:
            text = bounded(text, self.max_chars * 3 // 4, self.max_chars // 4)
        low = text.lower()
        if (
            self._chars is not None
            and not low.isascii()
            and len(low) - len(low.encode("ascii", "ignore")) >= DENSE_CHARS
        ):
            return self._chars.counts(low)
        toks = _TOKEN.findall(low)
        out = Counter(map(self.vocab.get, toks))
        if self.max_n >= 2 and len(toks) > 1:
            # The second-word tables of the tokens that begin some vocabulary bigram (else None),
            # paired with the next token where there is one: the bigram's column or None.
            firsts = list(map(self._bigrams.get, toks))
            out.update(starmap(dict.get, compress(zip(firsts, islice(toks, 1, None), strict=False), firsts)))
        out.pop(None, None)
        return cast("dict[int, int]", out)

    def encode(self, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The sparse TF-IDF row of one text: (column indices, values), l2-normalised."""
        tf = self._counts(text)
        if not tf:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.fromiter(tf.keys(), dtype=np.int64, count=len(tf))
        counts = np.fromiter(tf.values(), dtype=np.float32, count=len(tf))
        vals = np.log(counts)
        vals += 1.0
        vals *= self.idf[idx]
        vals /= float(np.sqrt(np.dot(vals, vals)))  # in place: the same bits as `vals / norm`
        return idx, vals

    def transform(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.size), dtype=np.float32)
        for i, text in enumerate(texts):
            idx, vals = self.encode(text)
            out[i, idx] = vals
        return out

    def fit_transform(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.fit(texts).transform(texts)

    def to_dict(self) -> dict[str, Any]:
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        return {
            "max_features": self.max_features,
            "min_df": self.min_df,
            "max_n": self.max_n,
            "max_chars": self.max_chars,
            "terms": terms,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], idf: npt.NDArray[np.float32]) -> TextVectorizer:
        vec = cls(
            max_features=int(data["max_features"]),
            min_df=int(data["min_df"]),
            max_n=int(data["max_n"]),
            max_chars=int(data["max_chars"]),
        )
        vec._set_vocab({t: i for i, t in enumerate(data["terms"])})
        vec.idf = np.asarray(idf, dtype=np.float32)
        if vec.idf.shape != (len(vec.vocab),):
            raise ValueError("idf length does not match the vocabulary")
        return vec
