"""What a request carries besides its words: instruction vs paste, follow-ups, modes, tool results."""

from __future__ import annotations

from benchroute.routing.features import extract
from benchroute.routing.lexicon import CUE_NAMES, cues
from benchroute.routing.signals import is_generic, split_instruction
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall

CODE = "def total(rows):\n    s = 0\n    for r in rows:\n        s += r['amount']\n    return s\n"


def _req(*messages: Message, mode: str | None = None) -> ChatRequest:
    return ChatRequest(model="auto", messages=list(messages), context=RequestContext(mode=mode))


def _user(text: str) -> Message:
    return Message("user", [TextPart(text)])


def test_a_long_fenced_paste_is_not_the_instruction() -> None:
    text = "write unit tests for this\n\n```python\n" + CODE * 400 + "```"
    instruction, paste = split_instruction(text)
    assert instruction == "write unit tests for this"
    assert paste.code_blocks == 1
    assert paste.paste_chars > 8000


def test_unfenced_code_diff_and_traceback_lines_are_paste() -> None:
    text = (
        "why does this crash?\n" + CODE + "Traceback (most recent call last):\n"
        "  File \"a.py\", line 4, in total\nKeyError: 'amount'\n"
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n-    s = 0\n+    s = 0.0\n"
        "and please keep it short"
    )
    instruction, paste = split_instruction(text)
    assert instruction == "why does this crash?\nand please keep it short"
    assert paste.trace and paste.diff
    assert paste.code_lines >= 8


def test_markdown_bullets_in_an_instruction_stay() -> None:
    instruction, _ = split_instruction("Plan the migration:\n- the schema\n- the backfill\n- the cutover")
    assert "- the backfill" in instruction


def test_generic_follow_up_defers_to_the_task_turn() -> None:
    assert is_generic("ok, go ahead") and is_generic("continue")
    assert not is_generic("write unit tests for this")
    req = _req(
        _user("add a retry to the upload client"),
        Message("assistant", [TextPart("Shall I go on?")]),
        _user("yes, do it"),
    )
    feats = extract(req)
    # the task alone: the follow-up's own words would move the labels ("yes" is not a task)
    assert feats.instruction == "add a retry to the upload client"
    assert "zzfollowup" in feats.markers
    alone = extract(_req(_user("add a retry to the upload client")))
    assert feats.text.split("\n")[0] == alone.text.split("\n")[0]


FOLLOW_UPS = ("try again", "that didn't work", "still failing", "same error", "nope, still broken")


def test_retry_and_still_failing_turns_read_with_the_earlier_task() -> None:
    for text in FOLLOW_UPS:
        assert is_generic(text), text
        req = _req(
            _user("fix the KeyError in the importer"),
            Message("assistant", [TextPart("Fixed: the row now defaults to 0.")]),
            _user(text),
        )
        feats = extract(req)
        assert feats.instruction == "fix the KeyError in the importer"
        assert "zzfollowup" in feats.markers and "zzcuedebug" in feats.markers
    # A failure report that names something new is a task of its own.
    assert not is_generic("the login test is still failing")
    assert not is_generic("still failing, add a retry around the upload")


def test_a_new_task_in_the_latest_turn_wins() -> None:
    req = _req(
        _user("add a retry to the upload client"),
        Message("assistant", [TextPart("Done.")]),
        _user("now write tests for it"),
    )
    assert extract(req).instruction == "now write tests for it"


def test_claude_code_plan_mode_reminder_reads_as_plan_mode() -> None:
    text = "add SSO\n<system-reminder>\nPlan mode is active. Do not edit.\n</system-reminder>"
    feats = extract(_req(_user(text)))
    assert feats.mode == "plan"
    assert feats.instruction == "add SSO"
    assert extract(_req(_user(text), mode="code")).mode == "code"  # a header wins


def test_codex_context_turns_are_not_the_task() -> None:
    req = _req(
        _user("<user_instructions>\n# AGENTS.md\nrun make test\n</user_instructions>"),
        _user("<environment_context>\n  <cwd>/app</cwd>\n</environment_context>"),
        _user("fix the flaky test"),
    )
    feats = extract(req)
    assert feats.instruction == "fix the flaky test"
    assert feats.named()["user_turns"] == 0.0


def test_tool_results_failing_tests_compile_errors_and_exit_codes() -> None:
    def loop(result: str, is_error: bool = False) -> ChatRequest:
        return _req(
            _user("make CI green"),
            Message("assistant", tool_calls=[ToolCall("c1", "shell", "{}")]),
            Message("tool", [TextPart(result)], tool_call_id="c1", is_error=is_error),
        )

    failing = extract(
        loop("FAILED tests/test_a.py::test_x - assert 1 == 2\n1 failed, 3 passed in 0.1s")
    ).named()
    assert failing["tool_failing_tests"] == 1.0 and failing["tool_passing"] == 0.0
    compiled = extract(loop("error[E0308]: mismatched types\n --> src/main.rs:4:5")).named()
    assert compiled["tool_compile_error"] == 1.0 and compiled["tool_error"] == 1.0
    exited = extract(loop('{"output": "boom", "metadata": {"exit_code": 2}}')).named()
    assert exited["tool_exit_nonzero"] == 1.0
    passing = extract(loop("collected 4 items\n\n....\n\n4 passed in 0.2s")).named()
    assert passing["tool_passing"] == 1.0 and passing["tool_error"] == 0.0


def test_cues_count_route_words() -> None:
    counts = dict(zip(CUE_NAMES, cues("the app segfaults, please fix the crash"), strict=True))
    assert counts["debug"] >= 2
    assert counts["docs"] == 0
