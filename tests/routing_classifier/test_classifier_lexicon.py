"""The cue lexicon read by token lookup: phrases, prefixes, line-start anchors, verb + object intents."""

from __future__ import annotations

from benchroute.routing.features import extract
from benchroute.routing.lexicon import CUE_NAMES, cues
from benchroute.routing.signals import split_instruction, strip_fences
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall


def _counts(text: str) -> dict[str, int]:
    return dict(zip(CUE_NAMES, cues(text), strict=True))


def test_a_phrase_holding_a_cue_word_counts_once() -> None:
    assert _counts("Critique this change. Would you approve it?")["review"] == 2  # critique + phrase
    assert _counts("make it more readable")["refactor"] == 1
    assert _counts("a multi-region setup")["scope_hard"] == 1


def test_prefixes_stop_at_hyphens_unless_the_cue_ends_in_one() -> None:
    assert _counts("it segfaults and crashed")["debug"] == 2
    assert _counts("add failure-mode tests")["debug"] == 0
    assert _counts("a cross-service change")["scope_hard"] == 1


def test_anchored_phrases_match_at_a_line_start_only() -> None:
    assert _counts("get the api running locally")["intent_command"] == 1
    assert _counts("please get the api running")["intent_command"] == 0
    assert _counts("notes\nwhat does this do")["intent_explain"] == 1
    assert _counts("tell me what this does")["intent_explain"] == 0


def test_intents_count_verb_and_object_without_overlap() -> None:
    assert _counts("Write unit tests for the parser")["intent_tests"] == 1
    assert _counts("We have no tests for it. Write an integration test suite")["intent_tests"] == 2
    assert _counts("write it. Tests are elsewhere")["intent_tests"] == 0  # the object is past the stop
    assert _counts("document this and update the readme")["intent_docs"] == 2


def test_phrases_do_not_match_across_punctuation_or_inside_words() -> None:
    assert _counts("root, cause")["debug"] == 0
    assert _counts("the root cause")["debug"] == 1
    assert _counts("une prémisse")["review"] == 0  # "pr" inside a word is not a pull request
    assert _counts("C++ and c# code")["code"] == 3


def test_fences_are_found_by_substring_search() -> None:
    text = "a\n```py\nx = 1\ny = 2\n```\nb\n~~~\nz\n~~~\nc\n```\nunclosed"
    prose, blocks, lines = strip_fences(text)
    assert blocks == 3 and lines == 3
    assert "x = 1" not in prose and "unclosed" not in prose and "c" in prose
    instruction, paste = split_instruction("explain this\n```\n" + "x = 1\n" * 5000 + "```")
    assert instruction == "explain this" and paste.code_blocks == 1


def test_a_long_conversation_is_read_from_its_end() -> None:
    messages = [Message("system", [TextPart("agent")]), Message("user", [TextPart("write docs for the cli")])]
    for i in range(150):
        messages.append(Message("assistant", tool_calls=[ToolCall(f"c{i}", "bash", "{}")]))
        messages.append(Message("tool", [TextPart("ok")], tool_call_id=f"c{i}"))
    messages.append(Message("user", [TextPart("now fix the failing test in test_cli.py")]))
    messages.append(Message("assistant", tool_calls=[ToolCall("last", "bash", "{}")]))
    result = TextPart("FAILED test_cli.py::test_help\n1 failed")
    messages.append(Message("tool", [result], tool_call_id="last"))
    features = extract(ChatRequest(model="auto", messages=messages, context=RequestContext()))
    assert features.instruction == "now fix the failing test in test_cli.py"
    named = features.named()
    assert named["tool_failing_tests"] == 1.0 and named["last_is_tool"] == 1.0
    assert named["tool_results"] > 3.0  # log1p of the loop depth within the window read


def test_tests_set_up_with_infrastructure_words_count_as_tests() -> None:
    counts = _counts("set up end to end tests that spin up postgres in docker")
    assert counts["intent_tests"] == 1 and counts["tests"] == 2  # "end to end" + "tests"
    assert _counts("the parser is untested")["tests"] == 1


def test_symptoms_and_casual_spellings() -> None:
    assert _counts("npm start throws an error")["debug"] == 2  # throws + error
    assert _counts("the --version flag prints nothing")["debug"] == 1
    assert _counts("the tests pass but the binary crashes")["debug"] == 2  # pass but + crash*
    assert _counts("whats the point of a .dockerignore")["intent_explain"] == 1  # typed without "'"
    assert _counts("is it bad to commit the lockfile")["explain"] == 1


def test_reviews_asked_in_passing() -> None:
    assert _counts("mind eyeballing this before it lands?")["review"] == 2
    assert _counts("give it a once-over, then a second opinion")["review"] == 2
    assert _counts("quick sanity check, did i break anything obvious")["review"] == 2
    assert _counts("ok to merge?")["review"] == 1
