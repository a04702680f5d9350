"""Request features for the task classifier: bounded text plus structured context signals.

`extract(request)` reads a canonical request the way a person would skim it: the last real user
turn (bounded, so an 8k-token prompt costs the same as a 1k one), the mode header, whether there is a
stack trace, a diff, code blocks, named files, how long the conversation and its tool loop are.
The text goes through `TextVectorizer` (word uni/bigram TF-IDF over an explicit vocabulary; numpy
only); the structured signals are a fixed-length float vector named by `STRUCT_FEATURES`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from benchroute.wire.canonical import ChatRequest, Message

# How much of the last user turn the text model reads: its head and its tail. Structured
# signals (traceback, diff, ...) are computed over the whole turn with C-speed regex scans.
HEAD_CHARS = 1200
TAIL_CHARS = 300
SCAN_HEAD = 8000  # structured signals read this much of the head of the user turn
SCAN_TAIL = 4000  # ... and of its tail (8k tokens is ~32k characters)
FILE_SCAN = 3000
TOOL_TAIL = 1500  # of each of the last two tool results

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
    "code_blocks",
    "files_named",
    "user_len",
    "user_turns",
    "tool_results",
    "tool_error",
    "last_is_tool",
    "has_system",
    "has_tools",
)

_TOKEN = re.compile(r"[a-z_]+|[0-9]+|[^\sa-z0-9_]")
_ENV_DETAILS = re.compile(r"<environment_details>.*?(</environment_details>|$)", re.S)
_TASK_TAG = re.compile(r"</?(task|feedback|user_message)>")
# Cheap to scan: literal anchors first, no per-line backtracking (see benchmarks/classifier).
_TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|\n\s+at [\w$.<>]+ ?\([^)\n]{0,200}:\d+|Exception in thread|"
    r"(?:Error|Exception): |panicked at|error\[E\d{4}\]|Segmentation fault|File \"[^\"\n]{1,200}\", line \d+"
)
_XML_TOOL_RESULT = re.compile(r"\s*\[[\w-]+(?: for [^\]\n]{0,300})?\] Result:")
_DIFF = re.compile(r"^(diff --git |@@ -\d+(,\d+)? \+\d+(,\d+)? @@|\+\+\+ [ab/]|--- [ab/])", re.M)
_FILE = re.compile(
    r"\w\.(?:py|js|ts|tsx|jsx|go|rs|java|kt|c|h|cc|cpp|hpp|cs|rb|php|swift|scala|"
    r"sql|sh|yml|yaml|toml|json|md|html|css|vue|svelte)\b"
)


@dataclass(frozen=True, slots=True)
class RequestFeatures:
    """What the classifier sees of a request."""

    text: str  # bounded text for the vectoriser
    struct: npt.NDArray[np.float32]  # values for STRUCT_FEATURES, in order
    mode: str | None

    def named(self) -> dict[str, float]:
        return {name: float(v) for name, v in zip(STRUCT_FEATURES, self.struct, strict=True)}


def clean_user_text(text: str) -> str:
    """Drop client boilerplate (Kilo/Cline environment details, task tags) from a user turn."""
    if "<" in text:
        text = _ENV_DETAILS.sub(" ", text)
        text = _TASK_TAG.sub(" ", text)
    return text.strip()


def bounded(text: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> str:
    if len(text) <= head + tail:
        return text
    return text[:head] + "\n" + text[-tail:]


def is_tool_result(msg: Message) -> bool:
    """A tool result: a `tool` message, or a user message in the XML tool protocol of Cline/Kilo
    ("[read_file for 'a.py'] Result: ..."), which carries tool output in the user role."""
    if msg.role == "tool":
        return True
    return msg.role == "user" and _XML_TOOL_RESULT.match(msg.text) is not None


def _last_user_text(messages: Sequence[Message]) -> tuple[str, int]:
    """The last user turn with real text, and the number of user turns (tool results excluded).

    Reads from the end, so a long conversation costs one cleaned turn, not all of them.
    """
    turns = sum(1 for m in messages if m.role == "user" and m.content and not is_tool_result(m))
    for msg in reversed(messages):
        if msg.role == "user" and not is_tool_result(msg):
            text = clean_user_text(msg.text)
            if text:
                return text, turns
    return "", turns


def _log1p(x: float) -> float:
    return math.log1p(x)


def extract(request: ChatRequest) -> RequestFeatures:
    """Features of one request. Pure, cheap and bounded in the size of the prompt."""
    messages = request.messages
    user_text, user_turns = _last_user_text(messages)
    scan = bounded(user_text, SCAN_HEAD, SCAN_TAIL)
    mode = (request.context.mode or "").strip().lower() or None

    tool_msgs = [m for m in messages[-12:] if is_tool_result(m)]
    tool_text = "\n".join(m.text[-TOOL_TAIL:] for m in tool_msgs[-2:])
    tool_calls = sum(len(m.tool_calls) for m in messages)
    tool_trace = bool(tool_text) and _TRACEBACK.search(tool_text) is not None
    tool_error = tool_trace or any(m.is_error for m in tool_msgs)

    values: list[float] = [1.0 if mode == m else 0.0 for m in KNOWN_MODES]
    values.append(1.0 if mode is not None and mode not in KNOWN_MODES else 0.0)
    values.append(1.0 if mode is None else 0.0)
    values.extend(
        [
            1.0 if _TRACEBACK.search(scan) else 0.0,
            1.0 if tool_trace else 0.0,
            1.0 if _DIFF.search(scan) else 0.0,
            _log1p(scan.count("```") // 2),
            _log1p(min(len(_FILE.findall(scan, 0, FILE_SCAN)), 20)),
            _log1p(len(user_text) / 4) / 5.0,
            _log1p(max(user_turns - 1, 0)),
            _log1p(max(len(tool_msgs), tool_calls)),
            1.0 if tool_error else 0.0,
            1.0 if messages and messages[-1].role == "tool" else 0.0,
            1.0 if any(m.role == "system" for m in messages) else 0.0,
            1.0 if request.tools else 0.0,
        ]
    )
    struct = np.asarray(values, dtype=np.float32)
    return RequestFeatures(text=bounded(user_text), struct=struct, mode=mode)


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
        self.vocab = {t: i for i, (t, _) in enumerate(kept)}
        counts = np.asarray([c for _, c in kept], dtype=np.float64)
        self.idf = (np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0).astype(np.float32)
        return self

    def encode(self, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The sparse TF-IDF row of one text: (column indices, values), l2-normalised."""
        vocab = self.vocab
        tf: dict[int, int] = {}
        for term, n in Counter(self._terms(text)).items():
            j = vocab.get(term)
            if j is not None:
                tf[j] = n
        if not tf:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.fromiter(tf.keys(), dtype=np.int64, count=len(tf))
        counts = np.fromiter(tf.values(), dtype=np.float32, count=len(tf))
        vals = (1.0 + np.log(counts)) * self.idf[idx]
        norm = float(np.sqrt(np.dot(vals, vals)))
        return idx, (vals / norm).astype(np.float32)

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
        vec.vocab = {t: i for i, t in enumerate(data["terms"])}
        vec.idf = np.asarray(idf, dtype=np.float32)
        if vec.idf.shape != (len(vec.vocab),):
            raise ValueError("idf length does not match the vocabulary")
        return vec
