"""Feature extraction and the text vectoriser."""

from __future__ import annotations

import numpy as np

from benchroute.routing.features import HEAD_CHARS, STRUCT_FEATURES, TAIL_CHARS, TextVectorizer, extract
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall


def _req(*messages: Message, mode: str | None = None) -> ChatRequest:
    return ChatRequest(model="auto", messages=list(messages), context=RequestContext(mode=mode))


def _user(text: str) -> Message:
    return Message("user", [TextPart(text)])


def test_struct_vector_has_a_value_per_named_feature() -> None:
    feats = extract(_req(_user("hello")))
    assert feats.struct.shape == (len(STRUCT_FEATURES),)
    assert feats.named()["mode=none"] == 1.0


def test_signals_for_traceback_diff_mode_and_files() -> None:
    text = (
        "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nKeyError: 'x'\n"
        "diff --git a/app.py b/app.py\n@@ -1,2 +1,2 @@\n-a\n+b\n see src/app.py and lib/util.ts"
    )
    named = extract(_req(_user(text), mode="Debug")).named()
    assert named["traceback_in_user"] == 1.0
    assert named["diff_in_user"] == 1.0
    assert named["mode=debug"] == 1.0
    assert named["files_named"] > 0
    plain = extract(_req(_user("write a haiku"), mode="weird-mode")).named()
    assert plain["traceback_in_user"] == 0.0 and plain["diff_in_user"] == 0.0
    assert plain["mode=other"] == 1.0


def test_last_user_turn_is_the_text_through_a_tool_loop() -> None:
    req = _req(
        Message("system", [TextPart("You are a coding agent")]),
        _user(
            "<task>\nrename foo to bar\n</task>\n<environment_details>\nfiles: a.py\n</environment_details>"
        ),
        Message("assistant", tool_calls=[ToolCall("c1", "read_file", "{}")]),
        Message(
            "tool",
            [TextPart("Traceback (most recent call last):\nValueError: x")],
            tool_call_id="c1",
            is_error=True,
        ),
    )
    feats = extract(req)
    assert feats.instruction == "rename foo to bar"
    assert feats.text.startswith("rename foo to bar\n")
    assert "zztoolerror" in feats.markers
    named = feats.named()
    assert named["last_is_tool"] == 1.0
    assert named["tool_error"] == 1.0
    assert named["traceback_in_tool"] == 1.0
    assert named["traceback_in_user"] == 0.0
    assert named["has_system"] == 1.0


def test_text_is_bounded_for_long_prompts() -> None:
    long = "word " * 40_000
    feats = extract(_req(_user(long)))
    markers = " ".join(feats.markers)
    assert len(feats.text) <= HEAD_CHARS + TAIL_CHARS + 2 + len(markers)


def test_empty_request_gives_empty_text() -> None:
    feats = extract(_req())
    assert feats.instruction == ""
    assert feats.markers == ("zznomode",)
    assert feats.named()["user_turns"] == 0.0


def test_vectorizer_fit_transform_empty_and_8k_token_inputs() -> None:
    texts = ["def foo(): return 1", "rename foo to bar", "what is the capital of France", "foo bar baz"] * 2
    vec = TextVectorizer(max_features=100, min_df=2).fit(texts)
    assert vec.size > 0
    huge = "def foo(x):\n    return x + 1\n" * 2000  # ~8k+ tokens
    out = vec.transform(["", huge, "rename foo to bar"])
    assert out.shape == (3, vec.size)
    assert out.dtype == np.float32
    assert not out[0].any()  # empty text -> zero row
    np.testing.assert_allclose(np.linalg.norm(out[1:], axis=1), 1.0, rtol=1e-5)


def test_vectorizer_is_deterministic_and_round_trips() -> None:
    texts = [f"task {i % 7} about foo {i % 3}" for i in range(50)]
    a = TextVectorizer(max_features=20).fit(texts)
    b = TextVectorizer(max_features=20).fit(list(reversed(texts)))
    assert a.vocab == b.vocab
    np.testing.assert_array_equal(a.idf, b.idf)
    c = TextVectorizer.from_dict(a.to_dict(), a.idf)
    np.testing.assert_array_equal(a.transform(texts), c.transform(texts))


def test_xml_tool_results_in_user_role_are_tool_results_not_the_task() -> None:
    req = _req(
        _user("<task>\nwrite tests for the parser\n</task>"),
        Message("assistant", [TextPart("<read_file><path>parser.py</path></read_file>")]),
        _user(
            "[read_file for 'parser.py'] Result:\ndef parse(s):\n    return s\n"
            "<environment_details>x</environment_details>"
        ),
        Message("assistant", [TextPart("<execute_command><command>pytest</command></execute_command>")]),
        _user("[execute_command for 'pytest'] Result:\nTraceback (most recent call last):\nValueError: boom"),
    )
    feats = extract(req)
    assert feats.instruction == "write tests for the parser"
    named = feats.named()
    assert named["user_turns"] == 0.0  # one real user turn -> log1p(0)
    assert named["traceback_in_tool"] == 1.0
    assert named["tool_results"] > 0
