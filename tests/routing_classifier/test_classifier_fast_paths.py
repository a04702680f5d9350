"""Each cheaper path of feature extraction against the plain version it replaced, on the stored
requests and on random texts built to hit the edge cases (tags, fences, digits, line ends)."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from benchroute.routing import lexicon, scanparts, signals
from benchroute.routing.features import TextVectorizer, bounded, ngrams
from benchroute.routing.textclf import load_default, softmax, softmax_row
from benchroute.train.reqset.records import read_jsonl, to_request

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "data" / "requests" / "requests.jsonl"

_PIECES = (
    "<environment_details>",
    "</environment_details>",
    "<system-reminder>x</system-reminder>",
    "<task>",
    "</task>",
    "<image src=a>",
    "image",
    "task>",
    "<feedback>",
    "<INSTRUCTIONS>",
    "<div>",
    "a < b",
    "## My request for Codex:",
    "fix the bug ",
    "def f(x):\n",
    "    return x;\n",
    "\n\n",
    " 12 ",
    "It's 3.5. Done. ",
    "write tests for it.\n",
)


def _random_texts(n: int, seed: int = 7, pieces: tuple[str, ...] = _PIECES, longest: int = 30) -> list[str]:
    """`n` texts of 0 to `longest` pieces drawn at random (the same ones for a seed)."""
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def _stored_turns(limit: int = 1500) -> list[str]:
    rows = read_jsonl(REQUESTS)
    rng = random.Random(3)
    out: list[str] = []
    for rec in rng.sample(rows, min(limit, len(rows))):
        out.extend(m.text for m in to_request(rec["request"]).messages if m.role == "user")
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _stored_turns() + _random_texts(3000)


_NEED_BOILERPLATE = (
    "<environment_details>",
    "<system-reminder>",
    "<environment_context>",
    "<user_instructions>",
    "<INSTRUCTIONS>",
)
_NEED_TAGS = ("task>", "feedback>", "user_message>", "answer>", "image")


def _clean_reference(text: str) -> str:
    """clean_user_text as it was: one substring test per tag before each substitution."""
    at = text.find(signals.CODEX_REQUEST)
    if at >= 0:
        text = text[at + len(signals.CODEX_REQUEST) :]
    if "<" in text:
        if any(n in text for n in _NEED_BOILERPLATE):
            text = signals._BOILERPLATE.sub(" ", text)
        if any(n in text for n in _NEED_TAGS):
            text = signals._TAGS.sub(" ", text)
    return text.strip()


def test_clean_user_text_matches_the_plain_version(texts: list[str]) -> None:
    assert len(texts) > 3000
    for text in texts:
        assert signals.clean_user_text(text) == _clean_reference(text)


def _keys_reference(toks: list[str]) -> list[str]:
    """Every lookup key, as the lexicon built them before (words, phrases, "^" phrases)."""
    keys = list(toks)
    for i, tok in enumerate(toks):
        n = lexicon._LONGEST.get(tok, 0)
        if n:
            keys += [" ".join(toks[i : i + m]) for m in range(2, min(n, len(toks) - i) + 1)]
    starts = [0] + [i + 1 for i, tok in enumerate(toks) if tok == "\n"]
    for i in starts:
        if i < len(toks):
            n = max(lexicon._LONGEST.get(toks[i], 0), 1)
            keys += ["^" + " ".join(toks[i : i + m]) for m in range(1, min(n, len(toks) - i) + 1)]
    return keys


def _count_reference(toks: list[str]) -> tuple[int, ...]:
    """count_tokens as it was: every key looked up, every prefix, the gapped phrases at each line start."""
    counts = [0] * len(lexicon.CUE_NAMES)
    for key in _keys_reference(toks):
        for k in lexicon._PHRASES.get(key, ()):
            counts[k if k >= 0 else -1 - k] += 1 if k >= 0 else -1
    for tok in toks:
        for n in range(1, len(tok) + 1):
            if tok[:n] in lexicon._PREFIXES and (tok[n - 1] == "-" or "-" not in tok[n:]):
                for k in lexicon._PREFIXES[tok[:n]]:
                    counts[k] += 1
    lexicon._intents(toks, counts)
    for i in [0] + [i + 1 for i, tok in enumerate(toks) if tok == "\n"]:
        for k, words in lexicon._GAPPED:
            got = toks[i : i + len(words)]
            if len(got) == len(words) and all(w in ("?", t) for w, t in zip(words, got, strict=True)):
                counts[k] += 1
    return tuple(counts)


def _cue_texts(texts: list[str]) -> list[str]:
    rng = random.Random(11)
    words = sorted({w for spec in lexicon.CUES.values() for w in spec.replace("_", " ").split()})
    words = [w.strip("^*").split("|")[0] for w in words]
    made = [
        " ".join(
            rng.choice(words) if rng.random() < 0.6 else rng.choice(("\n", ".", "the", "get"))
            for _ in range(rng.randint(1, 60))
        )
        for _ in range(2000)
    ]
    return [t[:2000] for t in texts] + made


def test_cue_counts_match_the_plain_version(texts: list[str]) -> None:
    hits = 0
    for text in _cue_texts(texts):
        toks = lexicon.tokens(text)
        counts = lexicon.count_tokens(toks)
        assert counts == _count_reference(toks), text
        hits += any(counts)
    assert hits > 2000


def test_tokens_skip_the_number_pass_only_without_digits() -> None:
    assert lexicon.tokens("Fix 3 bugs in 12 files") == ["fix", "0", "bugs", "in", "00", "files"]
    assert lexicon.tokens("x² and ٣") == ["x²", "and", "0"]
    assert lexicon.tokens("plain words") == ["plain", "words"]


# The lexicon's regexes as they were: a look-behind first (tried at every character), and a word
# match that may give characters back.
_SENTENCE_REFERENCE = re.compile(r"(?<![\w-])\. ")
_TOKEN_REFERENCE = re.compile(r"\w+(?:-\w+)*(?:(?:\+\+|#)(?![\w-]))?|\n|[^\w\s]")
_TOKEN_PIECES = (
    ". ",
    "a. ",
    "-. ",
    "é. ",
    "x.",
    ". .",
    "c++ ",
    "c# ",
    "a-b-",
    "-a",
    "--",
    "++",
    "#",
    "\n",
    " ",
    "1. ",
    "_. ",
    "foo",
    "bar-baz",
    "+",
    "é",
    "٣",
    "ß",
    "\t",
    "c++d",
    "c#-",
    "a-#",
)


def test_lexicon_regexes_match_the_plain_versions(texts: list[str]) -> None:
    made = _random_texts(6000, 17, _TOKEN_PIECES, longest=40)
    sentences = 0
    for text in made + [t[:2000].lower() for t in texts]:
        assert lexicon._SENTENCE.sub("\n", text) == _SENTENCE_REFERENCE.sub("\n", text), text
        assert lexicon._TOKEN.findall(text) == _TOKEN_REFERENCE.findall(text), text
        sentences += _SENTENCE_REFERENCE.search(text) is not None
    assert sentences > 1000


def _encode_reference(vec: TextVectorizer, text: str) -> tuple[list[int], bytes]:
    """encode as it was: every uni- and bigram joined, counted and looked up."""
    tf: dict[int, int] = {}
    for term, n in Counter(ngrams(bounded(text, 3000, 1000) if len(text) > 4000 else text)).items():
        j = vec.vocab.get(term)
        if j is not None:
            tf[j] = n
    if not tf:
        return [], b""
    idx = np.fromiter(tf.keys(), dtype=np.int64, count=len(tf))
    counts = np.fromiter(tf.values(), dtype=np.float32, count=len(tf))
    vals = (1.0 + np.log(counts)) * vec.idf[idx]
    return idx.tolist(), (vals / float(np.sqrt(np.dot(vals, vals)))).astype(np.float32).tobytes()


def test_tfidf_rows_match_the_plain_version_bit_for_bit(texts: list[str]) -> None:
    vec = load_default().vectorizer
    assert vec.max_chars == 4000 and vec.max_n == 2
    nonempty = 0
    for text in texts:
        idx, vals = vec.encode(text)
        assert (idx.tolist(), vals.tobytes()) == _encode_reference(vec, text)
        nonempty += len(idx) > 0
    assert nonempty > 3000


def test_softmax_of_one_row_matches_the_batch_softmax_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    for size in (5, 6, 11, 30):
        for scale in (0.1, 3.0, 40.0):
            z = (rng.standard_normal(size) * scale).astype(np.float32)
            assert softmax_row(z).tobytes() == softmax(z).tobytes()
            assert softmax_row(z).dtype == np.float32


def test_diff_and_log_need_their_characters() -> None:
    assert all("-" in n or "+" in n for n in signals._NEED_DIFF)
    assert all("E" in n or "N" in n for n in signals._NEED_LOG)
    for text in ("ok\n--- a/x\n+++ b/x\n@@ -1 +1 @@", "2024-01-01 10:00:00 ERROR boom", "plain text"):
        _, stats = signals.split_instruction(text)
        assert stats.diff == signals._found(signals._DIFF, text, signals._NEED_DIFF)
        assert stats.log == signals._found(signals._LOG, text, signals._NEED_LOG)


# The whole patterns `routing.scanparts` splits into parts (as routing.signals had them).
_TRACE = re.compile(
    r"Traceback \(most recent call last\)|\n\s+at [\w$.<>]+ ?\([^)\n]{0,200}:\d+|Exception in thread|"
    r"(?:Error|Exception): |panicked at|error\[E\d{4}\]|Segmentation fault|SIGSEGV|File \"[^\"\n"
    r"]{1,200}\", line \d+|"
    r"^panic: ",
    re.M,
)
_FAILING_TESTS = re.compile(
    r"\b\d+ failed\b|^FAILED |--- FAIL|^FAIL\b|Tests:\s+\d+ failed|Failures: [1-9]|test result: FAILED|"
    r"\[  FAILED  \]|AssertionError|assertion `left == right` failed",
    re.M,
)
_COMPILE_ERROR = re.compile(
    r"error(?:\[E\d+\])?: |error TS\d+|cannot find symbol|: undefined: |BUILD FAILURE|SyntaxError|"
    r"compilation terminated|could not compile|No such file or directory|command not found|ERR!"
)
_PASSING = re.compile(r"\b\d+ passed\b|BUILD SUCCESS|test result: ok|^ok\s+\S+|\[  PASSED  \]", re.M)


_REPORT_PIECES = (
    "Traceback (most recent call last):\n",
    '  File "a.py", line 3, in f\n',
    "\n    at Foo.bar (x.js:12)",
    "\nat ",
    "Exception in thread main",
    "ValueError: bad",
    "Error: ",
    "panicked at src/x.rs",
    "panic: boom",
    "\npanic: x",
    "error[E0382]",
    "error: cannot",
    "error TS2322",
    "FAILED tests/a.py::t",
    "\nFAILED ",
    "FAIL\n",
    "FAILURES",
    "--- FAIL: T",
    "3 failed, 2 passed",
    "Tests:  4 failed",
    "Failures: 2",
    "Failures: 0",
    "test result: FAILED.",
    "test result: ok.",
    "[  FAILED  ]",
    "[  PASSED  ]",
    "AssertionError",
    "ok  \tpkg 0.1s",
    "\nok ",
    "ok",
    "BUILD SUCCESS",
    "BUILD FAILURE",
    "Segmentation fault",
    "SIGSEGV",
    "command not found",
    "npm ERR!",
    " ",
    "\n",
    "word ",
)


def test_pattern_parts_match_the_whole_patterns(texts: list[str]) -> None:
    made = _random_texts(6000, 13, _REPORT_PIECES, longest=8)
    cases = (
        (scanparts.TRACE_PARTS, _TRACE),
        (scanparts.COMPILE_PARTS, _COMPILE_ERROR),
        (scanparts.FAILING_PARTS, _FAILING_TESTS),
        (scanparts.PASSING_PARTS, _PASSING),
    )
    for parts, pattern in cases:
        found = 0
        for text in made + [t[-2000:] for t in texts]:
            expected = pattern.search(text) is not None
            assert scanparts.any_part(text, parts) == expected, (pattern.pattern[:30], text)
            found += expected
        assert found > 500


def test_strip_fences_matches_the_plain_version(texts: list[str]) -> None:
    pieces = ("```", "```python\n", "~~~", "~~~\n", "\n", "code;\n", "text ", "``", "`")
    made = _random_texts(6000, 19, pieces, longest=12)
    fenced = 0
    for text in made + texts:
        # the one-kind path against the loop for both kinds, which it replaced for such texts
        expected = signals._strip_any(text) if ("```" in text or "~~~" in text) else (text, 0, 0)
        assert signals.strip_fences(text) == expected, text
        fenced += "```" in text
    assert fenced > 1000


def test_log_scan_needs_a_dash() -> None:
    for text in ("2024-01-01 10:00:00 ERROR boom", "20240101 10:00:00 ERROR boom", "ERROR plain"):
        _, stats = signals.split_instruction(text)
        assert stats.log == (signals._LOG.search(text) is not None)


def test_cue_values_and_markers_match_the_plain_version() -> None:
    from benchroute.routing import features

    k = len(lexicon.CUE_NAMES)
    for head in ((), (1, 2, 3, 0, 511, 0, 7), (512, 3), (1000,) * k):
        counts = (*head, *(0,) * (k - len(head)))
        plain = [features.CUE_SCALE * math.log1p(n) for n in counts]
        assert list(features._cue_values(counts)) == plain
        names = [f"zzcue{name}" for name, n in zip(lexicon.CUE_NAMES, counts, strict=True) if n]
        assert list(itertools.compress(features._CUE_MARKERS, counts)) == names


def test_heads_and_joint_in_place_match_the_plain_version_bit_for_bit(texts: list[str]) -> None:
    from benchroute.routing.features import extract
    from benchroute.routing.textclf import softmax_row

    clf = dataclasses.replace(load_default(), memo=None)
    rows = read_jsonl(REQUESTS)
    for rec in random.Random(5).sample(rows, min(400, len(rows))):
        features = extract(to_request(rec["request"]))
        idx, vals = clf.vectorizer.encode(features.text)
        heads = []
        for head in (clf.task_head, clf.difficulty_head):
            plain = softmax_row(head.logits(idx, vals, features.struct) / head.temperature)
            got = head.proba(idx, vals, features.struct)
            assert got.dtype == np.float32 and got.tobytes() == plain.tobytes()
            heads.append(plain)
        joint = np.outer(heads[0], heads[1]).ravel()
        joint = joint / joint.sum()
        probs, confidence = clf._cells(features)
        assert list(probs.values()) == joint.tolist()
        assert confidence == float(heads[0].max())
