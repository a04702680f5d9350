"""The shipped artifact: loads, classifies obvious requests right, probabilities are a distribution."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from benchroute.routing.classifier import Classifier
from benchroute.routing.taxonomy import ALL_CELLS, TASK_TYPES, split_cell
from benchroute.routing.textclf import TextClassifier, load_default
from benchroute.train.reqset import clients
from benchroute.train.reqset.records import to_request
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall


@pytest.fixture(scope="module")
def clf() -> TextClassifier:
    return load_default()


def _req(text: str, mode: str | None = None, extra: list[Message] | None = None) -> ChatRequest:
    messages = [Message("user", [TextPart(text)]), *(extra or [])]
    return ChatRequest(model="auto", messages=messages, context=RequestContext(mode=mode))


def _top_type(clf: TextClassifier, request: ChatRequest) -> str:
    probs: dict[str, float] = {}
    for cell_id, p in clf.classify(request).probs.items():
        task, _ = split_cell(cell_id)
        probs[task] = probs.get(task, 0.0) + p
    return max(probs, key=probs.__getitem__)


TRACE = (
    "I get this when I run the importer:\n```\nTraceback (most recent call last):\n"
    '  File "importer.py", line 41, in <module>\n    load(rows)\n'
    '  File "importer.py", line 17, in load\n    total += row["amount"]\nKeyError: \'amount\'\n```'
)

OBVIOUS = [
    (TRACE, None, "debug"),
    ("rename foo to bar in utils.py", None, "implement"),
    ("add a caching layer to the user service, just the design for now", "architect", "plan"),
    ("We need to support multiple currencies in checkout. How should we structure it?", "architect", "plan"),
    (
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
        "How many clips did Natalia sell altogether in April and May?",
        None,
        "general",
    ),
    ("write unit tests for the parse_config function", None, "tests"),
    ("Write pytest tests for this:\n```python\ndef add(a, b):\n    return a + b\n```", None, "tests"),
    ("add docstrings to every public function in parser.py", None, "docs"),
    (
        "please review this diff\n```diff\ndiff --git a/app.py b/app.py\n@@ -1,3 +1,3 @@\n-    retries = 3\n"
        "+    retries = 5\n```",
        None,
        "review",
    ),
    ("write a python function that reverses a linked list", None, "implement"),
    ("What is the capital of Australia?", None, "general"),
    ("where is the session cookie set?", "ask", "explain"),
    ("run the test suite and tell me what fails", None, "command"),
    (
        "clean up this function, same behaviour\n```python\ndef f(x):\n    if x:\n        return 1\n```",
        None,
        "refactor",
    ),
]


def test_is_a_classifier(clf: TextClassifier) -> None:
    checked: Classifier = clf
    assert checked is clf


@pytest.mark.parametrize(("text", "mode", "expected"), OBVIOUS)
def test_obvious_cases(clf: TextClassifier, text: str, mode: str | None, expected: str) -> None:
    assert _top_type(clf, _req(text, mode)) == expected


def test_probabilities_cover_all_cells_and_sum_to_one(clf: TextClassifier) -> None:
    for text, mode, _ in OBVIOUS:
        pred = clf.classify(_req(text, mode))
        assert set(pred.probs) == set(ALL_CELLS)
        assert math.isclose(sum(pred.probs.values()), 1.0, abs_tol=1e-5)
        assert all(p >= 0 for p in pred.probs.values())
        assert 0.0 <= pred.confidence <= 1.0
    empty = clf.classify(ChatRequest(model="auto", messages=[]))
    assert math.isclose(sum(empty.probs.values()), 1.0, abs_tol=1e-5)


def test_context_moves_the_distribution_as_expected(clf: TextClassifier) -> None:
    text = "the nightly import job is not doing what it should, take a look"
    base = clf.explain(_req(text))["task_type"]
    with_trace = clf.explain(_req(f"{text}\n{TRACE}"))["task_type"]
    in_plan = clf.explain(_req(text, mode="plan"))["task_type"]
    assert with_trace["debug"] > base["debug"]
    assert in_plan["plan"] > base["plan"]


def test_tool_loop_keeps_the_task_type(clf: TextClassifier) -> None:
    text = "write unit tests for the parse_config function"
    loop = [
        Message("assistant", tool_calls=[ToolCall("c1", "read_file", '{"path": "config.py"}')]),
        Message("tool", [TextPart("def parse_config(path):\n    return {}")], tool_call_id="c1"),
        Message("assistant", tool_calls=[ToolCall("c2", "read_file", '{"path": "tests/"}')]),
        Message("tool", [TextPart("conftest.py")], tool_call_id="c2"),
    ]
    assert _top_type(clf, _req(text, "code", loop)) == "tests"


LIBRARY_CODE = "".join(
    f"def handler_{i}(request, session, retries=3):\n    for attempt in range(retries):\n"
    f"        try:\n            return session.get(request.url, timeout={i})\n"
    f"        except TimeoutError:\n            continue\n    raise RuntimeError('gave up')\n\n"
    for i in range(200)
)


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("write tests for this", "tests"),
        ("explain what this code does", "explain"),
        ("add docstrings to these functions", "docs"),
        ("review this code", "review"),
    ],
)
def test_a_long_paste_does_not_decide_the_task(clf: TextClassifier, instruction: str, expected: str) -> None:
    text = f"{instruction}\n\n```python\n{LIBRARY_CODE}```"
    assert len(text) > 20_000
    assert _top_type(clf, _req(text)) == expected


def test_failing_tests_in_the_tool_loop_read_as_debug(clf: TextClassifier) -> None:
    loop = [
        Message("assistant", tool_calls=[ToolCall("c1", "execute_command", '{"command": "pytest -q"}')]),
        Message(
            "tool",
            [
                TextPart(
                    "FAILED tests/test_cart.py::test_total - assert 30 == 27\n1 failed, 12 passed in 0.3s"
                )
            ],
            tool_call_id="c1",
            is_error=True,
        ),
    ]
    assert _top_type(clf, _req("CI is red, make the suite pass again", "code", loop)) == "debug"


@pytest.mark.parametrize(
    "follow_up", ["try again", "that didn't work", "still failing", "same error", "nope, still broken"]
)
@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("fix the KeyError in the importer", "debug"),
        ("add a retry to the upload client", "implement"),
        ("write unit tests for parse_config", "tests"),
        ("run the migrations and restart the server", "command"),
    ],
)
def test_a_retry_or_still_failing_turn_keeps_the_earlier_task(
    clf: TextClassifier, task: str, expected: str, follow_up: str
) -> None:
    """The same job, not finished: read as the task it follows (route and difficulty), as "continue"
    is, not as the three words alone ("try again" read `command`, "same error" `debug` at 0.38)."""
    done = Message("assistant", [TextPart("Done: I changed the code.")])
    request = _req(task, extra=[done, Message("user", [TextPart(follow_up)])])
    assert _top_type(clf, request) == expected
    alone = clf.classify(_req(task))
    assert max(alone.probs, key=alone.probs.__getitem__) == max(
        clf.classify(request).probs, key=clf.classify(request).probs.__getitem__
    )


def _in_client_shape(client: str, conv: clients.Conversation) -> ChatRequest:
    rng = random.Random(0)
    if client == "kilo":
        return to_request(clients.kilo(conv, "code", rng))
    if client == "claude_code":
        return to_request(clients.claude_code(conv, False, rng))
    if client == "codex":
        return to_request(clients.codex(conv, rng, False))
    return to_request(clients.sdk(conv, rng))


@pytest.mark.parametrize("client", ["kilo", "claude_code", "codex", "sdk"])
def test_still_failing_keeps_the_task_in_every_client_shape(clf: TextClassifier, client: str) -> None:
    """As the clients send it (Kilo's <user_message> and environment details, Claude Code's
    reminders, Codex's context turns): before, "still failing" read `debug` 0.90 after any task and
    "try again" `command` 0.63-0.76."""
    for task, follow_up, expected in (
        ("add a retry to the upload client", "still failing", "implement"),
        ("write unit tests for parse_config", "try again", "tests"),
    ):
        conv = clients.Conversation(task, [], followup=follow_up)
        assert _top_type(clf, _in_client_shape(client, conv)) == expected, (client, follow_up)


def test_low_confidence_flag_follows_the_threshold(clf: TextClassifier) -> None:
    assert 0.0 < clf.low_confidence < 1.0
    for text, mode, _ in OBVIOUS:
        pred = clf.classify(_req(text, mode))
        assert pred.low_confidence == (pred.confidence < clf.low_confidence)
        assert pred.signals and pred.signals[0].startswith("zz")


def test_save_load_round_trip(clf: TextClassifier, tmp_path: Path) -> None:
    clf.save(tmp_path / "clf")
    again = TextClassifier.load(tmp_path / "clf")
    req = _req(TRACE)
    a, b = clf.classify(req), again.classify(req)
    assert a.probs == pytest.approx(b.probs, abs=1e-6)
    assert again.low_confidence == clf.low_confidence
    assert len(TASK_TYPES) * 3 == len(a.probs)


def test_artifact_is_small() -> None:
    from benchroute.routing.textclf import default_path

    size = sum(p.stat().st_size for p in default_path().iterdir() if p.is_file())
    assert size < 30 * 1024 * 1024
