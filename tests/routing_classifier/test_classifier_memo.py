"""The classifier's memo (routing/memo.py): the same features and predictions with and without it,
and bounded in entries and characters."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from benchroute.routing.features import FeatureMemo, extract
from benchroute.routing.memo import TextMemo
from benchroute.routing.textclf import ClassifierMemo, TextClassifier, load_default
from benchroute.train.reqset.records import read_jsonl, to_request
from benchroute.wire.canonical import ChatRequest, Message, TextPart, ToolCall

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "data" / "requests" / "requests.jsonl"


class Calls:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, text: str) -> int:
        self.seen.append(text)
        return len(text.split())


def test_memo_computes_each_text_once_while_it_is_kept() -> None:
    memo: TextMemo[int] = TextMemo(max_entries=8)
    fn = Calls()
    long = "word " * 100
    assert memo.get(long, fn) == 100
    assert memo.get("".join(["word "] * 100), fn) == 100  # an equal text, another object
    assert memo.get("two words", fn) == 2
    assert fn.seen == [long, "two words"]


def test_memo_tells_apart_texts_of_one_length_head_and_tail() -> None:
    memo: TextMemo[int] = TextMemo()
    fn = Calls()
    a = "x " * 100 + "one two three" + " y" * 100
    b = "x " * 100 + "one_two_three" + " y" * 100
    assert len(a) == len(b) and a[:60] == b[:60] and a[-60:] == b[-60:]
    assert [memo.get(t, fn) for t in (a, b, a, b)] == [203, 201, 203, 201]
    assert fn.seen == [a, b, a, b]  # one key: each evicts the other
    assert len(memo) == 1


def test_memo_keeps_at_most_its_entries_and_characters() -> None:
    memo: TextMemo[int] = TextMemo(max_entries=3, max_chars=1000)
    fn = Calls()
    for i in range(10):
        memo.get(f"text {i}", fn)
        assert len(memo) <= 3
    memo.get("text 7", fn)
    assert fn.seen.count("text 7") == 1  # among the three most recent
    memo.get("text 0", fn)
    assert fn.seen.count("text 0") == 2  # evicted long ago
    for i in range(5):
        memo.get(str(i) * 400, fn)
        assert memo._chars <= 1000 and len(memo) <= 3
    memo.get("z" * 2000, fn)  # longer than max_chars: computed, not kept
    memo.get("z" * 2000, fn)
    assert fn.seen.count("z" * 2000) == 2
    none: TextMemo[int] = TextMemo(max_entries=0)
    none.get("a", fn)
    none.get("a", fn)
    assert fn.seen.count("a") == 2 and len(none) == 0


def _stored(limit: int = 600) -> list[ChatRequest]:
    rows = read_jsonl(REQUESTS)
    return [to_request(rec["request"]) for rec in random.Random(5).sample(rows, min(limit, len(rows)))]


@pytest.fixture(scope="module")
def classifier() -> TextClassifier:
    return load_default()


def _loop(turn: str, calls: int) -> ChatRequest:
    """An agent tool loop: the same user turn, `calls` tool calls and their results after it."""
    messages = [Message("system", [TextPart("You are a coding agent.")]), Message("user", [TextPart(turn)])]
    for i in range(calls):
        messages.append(Message("assistant", tool_calls=[ToolCall(f"c{i}", "bash", "{}")]))
        messages.append(Message("tool", [TextPart(f"FAILED t.py::test_{i}\n1 failed")], tool_call_id=f"c{i}"))
    return ChatRequest("auto", messages)


def test_features_with_a_memo_are_the_features_without(classifier: TextClassifier) -> None:
    memo = FeatureMemo(max_entries=64)
    requests = _stored()
    for req in requests + requests[::-1]:
        plain, remembered = extract(req), extract(req, memo)
        assert plain.text == remembered.text and plain.markers == remembered.markers
        assert plain.struct.tobytes() == remembered.struct.tobytes()
        assert (plain.mode, plain.instruction) == (remembered.mode, remembered.instruction)
    assert len(memo.turns) == 64


@pytest.mark.parametrize("entries", [2, 256])
def test_predictions_with_a_memo_are_the_predictions_without(
    classifier: TextClassifier, entries: int
) -> None:
    plain = dataclasses.replace(classifier, memo=None)
    remembering = dataclasses.replace(classifier, memo=ClassifierMemo(max_entries=entries))
    turn = "the importer totals are wrong, fix it\n" + "def load(rows):\n    return sum(rows)\n" * 300
    requests = _stored(300) + [_loop(turn, n) for n in range(6)] + [_loop("continue", 2)]
    for req in requests + requests:
        assert remembering.classify(req) == plain.classify(req)
    assert remembering.memo is not None and len(remembering.memo.predictions) <= entries


def test_a_remembered_prediction_is_not_shared_with_its_caller(classifier: TextClassifier) -> None:
    clf = dataclasses.replace(classifier, memo=ClassifierMemo())
    req = _loop("write tests for the importer", 1)
    first = clf.classify(req)
    first.probs.clear()
    assert clf.classify(req) == dataclasses.replace(classifier, memo=None).classify(req)
