"""wire.turns: which user-role turns are the person's own."""

from __future__ import annotations

import pytest

from benchroute.wire.canonical import Message, TextPart
from benchroute.wire.turns import is_context_only, is_own_turn, is_tool_result


@pytest.mark.parametrize(
    ("message", "own"),
    [
        (Message("user", [TextPart("fix the failing test in a.py")]), True),
        (Message("user", [TextPart("<environment_context>cwd: /r</environment_context>")]), False),
        (Message("user", [TextPart("# AGENTS.md instructions for /r\n...")]), False),
        (Message("user", [TextPart("[read_file for 'a.py'] Result: ...")]), False),
        (Message("user", []), False),
        (Message("assistant", [TextPart("fix the failing test")]), False),
        (Message("tool", [TextPart("ok")], tool_call_id="c1"), False),
    ],
)
def test_own_turn_is_a_user_turn_neither_tool_result_nor_context(message: Message, own: bool) -> None:
    assert is_own_turn(message) is own
    expected = message.role == "user" and bool(message.content)
    expected = expected and not is_tool_result(message) and not is_context_only(message)
    assert own is expected
