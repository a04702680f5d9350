"""What kind of turn a canonical message is: a tool result, a turn a client injected in the user
role (Codex's AGENTS.md, environment, permissions...), or one of the person's own.

Used by routing (`routing.signals`, which reads the person's words) and by the session key recipe
(`wire.context.conversation_hash`, which keys a conversation on its first own turn).
"""

from __future__ import annotations

import re

from benchroute.wire.canonical import Message, TextPart

MARKER_HEAD = 400  # characters of a message's first text part that say what kind of turn it is

# Turns a client injects in the user role that carry no request of the person's: Codex's AGENTS.md
# (old `<user_instructions>` and new "# AGENTS.md instructions for <dir>"), environment,
# permissions, collaboration mode, skills, an aborted turn, a `!command` the person ran themselves.
_ONLY_CONTEXT = re.compile(
    r"\s*(?:<(?:user_instructions|environment_context|permissions instructions|collaboration_mode|"
    r"skills_instructions|apps_instructions|plugins_instructions|recommended_plugins|turn_aborted|"
    r"user_shell_command|subagent_notification)\b|# AGENTS\.md instructions\b)"
)
_XML_TOOL_RESULT = re.compile(r"\s*\[[\w-]+(?: for [^\]\n]{0,300})?\] Result:")


def head_text(msg: Message) -> str:
    """The first MARKER_HEAD characters of a message's text, without joining all its parts."""
    for part in msg.content:
        if isinstance(part, TextPart) and part.text:
            return part.text[:MARKER_HEAD]
    return ""


def is_tool_result(msg: Message) -> bool:
    """A tool result: a `tool` message, or a user message in the XML tool protocol of Cline/Kilo
    ("[read_file for 'a.py'] Result: ..."), which carries tool output in the user role."""
    if msg.role == "tool":
        return True
    return msg.role == "user" and _XML_TOOL_RESULT.match(head_text(msg)) is not None


def is_context_only(msg: Message) -> bool:
    """A user-role turn a client injected (AGENTS.md, environment, ...), not the person's words."""
    return _ONLY_CONTEXT.match(head_text(msg)) is not None


def is_own_turn(msg: Message) -> bool:
    """One of the person's own turns: a user message with content that is neither a tool result
    nor a context-only turn."""
    if msg.role != "user" or not msg.content:
        return False
    head = head_text(msg)  # (once: `is_tool_result` and `is_context_only` each read it)
    return _XML_TOOL_RESULT.match(head) is None and _ONLY_CONTEXT.match(head) is None
