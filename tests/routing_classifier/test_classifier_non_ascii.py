"""Text of many non-ASCII characters costs about what English costs, with the same features:
`routing.charcounts.CharCounts` against the token-by-token count, and the plan-mode reminder's
substring test against its case-insensitive regex."""

from __future__ import annotations

import random
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from benchroute.routing import features, scanparts, signals
from benchroute.routing.charcounts import CharCounts
from benchroute.routing.features import TextVectorizer, extract, tokenize
from benchroute.routing.textclf import load_default
from benchroute.train.reqset.records import read_jsonl, to_request

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "data" / "requests" / "requests.jsonl"

# Letters the shipped vocabulary holds (Cyrillic, accented Latin, CJK, arrows), others it does
# not, white space of several kinds, ASCII words, digits and marks, a lone surrogate, and the
# characters whose lower case differs in length ("İ") or that IGNORECASE folds ("ı", "ſ", "K").
_ALPHABET = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВ éüßñç 中文字输 →×—’ 😀\ud800 "
    "\u00a0\u3000\u2028\u0085\t\n x_y z9 10 2024 .,;:()[]#-+ İıſK SCP"
)


def _random_texts(n: int, seed: int, longest: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def _reference_counts(vocab: dict[str, int], low: str) -> list[tuple[int, int]]:
    """Every token and pair of neighbouring tokens counted, then looked up: the counts in the
    order the vectoriser lists them (unigram columns, then bigram columns, by first occurrence)."""
    toks = tokenize(low)
    unigrams = [vocab[t] for t in toks if t in vocab]
    bigrams = [vocab[f"{a} {b}"] for a, b in pairwise(toks) if f"{a} {b}" in vocab]
    return list(Counter(unigrams).items()) + list(Counter(bigrams).items())


@pytest.fixture(scope="module")
def vectorizer() -> TextVectorizer:
    return load_default().vectorizer


@pytest.fixture(scope="module")
def stored_texts() -> list[str]:
    """The vectoriser texts of the stored requests that hold non-ASCII characters."""
    out = []
    for rec in read_jsonl(REQUESTS):
        text = extract(to_request(rec["request"])).text
        if not text.isascii():
            out.append(text)
    return out


def test_char_counts_match_the_token_count(vectorizer: TextVectorizer, stored_texts: list[str]) -> None:
    chars = CharCounts(vectorizer.vocab)
    texts = stored_texts + _random_texts(2000, seed=3, longest=80) + _random_texts(100, seed=4, longest=3000)
    assert sum(len(t) - len(t.encode("ascii", "ignore")) >= 1000 for t in stored_texts) >= 2
    for text in texts:
        low = text.lower()
        assert list(chars.counts(low).items()) == _reference_counts(vectorizer.vocab, low)


def test_char_counts_of_a_small_vocabulary() -> None:
    texts = ["д а б", "д а", "ab д 12 д", "(д) a_b", "а б в"]
    vec = TextVectorizer(min_df=1).fit(texts)
    assert "д а" in vec.vocab and "д" in vec.vocab
    chars = CharCounts(vec.vocab)
    for text in [*texts, "", "   ", "дд аб", "ёж", "x" * 5, *_random_texts(300, seed=5, longest=40)]:
        low = text.lower()
        assert list(chars.counts(low).items()) == _reference_counts(vec.vocab, low)
    only_words = CharCounts({"д": 0, "ab": 1})  # no bigram in the vocabulary
    assert only_words.counts("д ab д") == {0: 2, 1: 1}
    no_letters = {"ab": 0, "ab cd": 1, "cd": 2}  # no one-character word
    for low in ("ab cd ж ab cd", "ж", "", "abcd ab"):
        assert list(CharCounts(no_letters).counts(low).items()) == _reference_counts(no_letters, low)
    assert CharCounts({}).counts("привет мир") == {}


def test_dense_texts_take_the_numpy_count_with_the_same_row(vectorizer: TextVectorizer) -> None:
    russian = "Действие происходит во вселенной SCP, 2024 год. " * 40  # ~2,000 characters
    assert len(russian) - len(russian.encode("ascii", "ignore")) >= features.DENSE_CHARS
    for text in (
        russian,
        russian[:300],
        russian[:900] + "x" * 3500,
        *_random_texts(50, seed=6, longest=2000),
    ):
        bounded = features.bounded(text, 3000, 1000) if len(text) > 4000 else text
        want = _reference_counts(vectorizer.vocab, bounded.lower())
        assert list(vectorizer._counts(text).items()) == want
        idx, vals = vectorizer.encode(text)
        counts = np.asarray([n for _, n in want], dtype=np.float32)
        plain = (1.0 + np.log(counts)) * vectorizer.idf[[j for j, _ in want]]
        plain = (plain / float(np.sqrt(np.dot(plain, plain)))).astype(np.float32)
        assert idx.tolist() == [j for j, _ in want] and vals.tobytes() == plain.tobytes()


_PLAN_PIECES = (
    "<system-reminder>",
    "Plan mode is active",
    "PLAN MODE IS ACTIVE",
    "plan mode is active",
    "Plan mode İs actİve",
    "plan mode ıs actıve",
    "plan mode iſ active",
    "Plan mode is activ",
    "Plan  mode is active",
    "plan mode is\u0307 active",
    "İ",
    "ı",
    "ſ",
    "K",
    " ",
    "x",
    "é",
)


def test_plan_reminder_matches_the_case_insensitive_regex() -> None:
    rng = random.Random(9)
    texts = ["".join(rng.choice(_PLAN_PIECES) for _ in range(rng.randint(0, 6))) for _ in range(5000)]
    found = 0
    for text in texts:
        plain = "<system-reminder>" in text and signals._PLAN_REMINDER.search(text) is not None
        assert signals.plan_reminder(text) == plain
        found += plain
    assert found > 500
    for text in ("<system-reminder>plan mode İs actİve", "<system-reminder>PLAN MODE ıS ACTIVE é"):
        assert signals.plan_reminder(text)


_NUMBER_PIECES = (
    "1",
    "12",
    "0",
    "x",
    "_",
    "\u0661",
    "\u00b2",
    "-",
    " failed",
    " passed",
    "failed",
    "d",
    " ",
    "\n",
    ",",
)


@pytest.mark.parametrize("word", [" failed", " passed"])
def test_a_number_before_a_word_matches_the_regex(word: str) -> None:
    rx = re.compile(rf"\b\d+{word}\b")
    (part,) = scanparts.parts((word, rx.pattern))
    assert part[2] == scanparts.AFTER_NUMBER
    rng = random.Random(11)
    texts = ["".join(rng.choice(_NUMBER_PIECES) for _ in range(rng.randint(0, 10))) for _ in range(20000)]
    found = 0
    for text in texts:
        expected = rx.search(text) is not None
        assert scanparts.any_part(text, (part,)) == expected, text
        found += expected
    assert found > 300
