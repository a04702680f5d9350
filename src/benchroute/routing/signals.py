"""What a request says besides its words: the instruction apart from pasted material, the turns,
and what the latest tool results report.

`split_instruction(text)` separates a user turn's instruction from what was pasted into it (fenced
blocks, diffs, tracebacks, logs, unfenced code lines), so a 20k-character paste does not outvote a
one-line instruction. Everything is bounded: a head and tail of the latest turn, the last
LOOKBACK messages of a conversation, the tails of the last two tool results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from benchroute.routing.scanparts import (
    COMPILE_PARTS,
    FAILING_PARTS,
    PASSING_PARTS,
    TRACE_PARTS,
    Part,
    any_part,
)
from benchroute.wire.canonical import Message
from benchroute.wire.turns import head_text, is_own_turn, is_tool_result

SCAN_HEAD = 2000  # characters of a user turn read from its head ...
SCAN_TAIL = 1000  # ... and from its tail (8k tokens is ~32k characters), cut at line ends
LOOKBACK = 64  # messages read from the end of a conversation (turn and tool-loop counts saturate)
TOOL_TAIL = 800  # characters of each of the last two tool results
TOOL_HEAD = 120  # characters of their head read for an exit-status line (Codex's freeform output)
ERROR_ONLY_WORDS = 3  # a turn of pasted error output with at most this many words of its own
GENERIC_WORDS = 6  # a latest turn this short ("continue", "yes do it") defers to the first turn

_BOILERPLATE = re.compile(
    r"<(environment_details|system-reminder|environment_context|user_instructions|INSTRUCTIONS)>"
    r".*?(?:</\1>|$)",
    re.S,
)
_TAGS = re.compile(r"</?(?:task|feedback|user_message|answer)>|</?image\b[^>\n]{0,300}>")
# What a match of _BOILERPLATE / _TAGS begins with: one scan each (a failing search for "<" and
# then a name reads a 25k-character turn in ~8 µs; a substring test per name took ~45 for five).
_BOILERPLATE_NAMES = (
    "environment_details",
    "system-reminder",
    "environment_context",
    "user_instructions",
    "INSTRUCTIONS",
)
_TAG_STARTS = ("task>", "feedback>", "user_message>", "answer>", "image")
_NEED_BOILERPLATE_AT = re.compile(f"<(?:{'|'.join(_BOILERPLATE_NAMES)})>")
_NEED_TAGS_AT = re.compile(f"</?(?:{'|'.join(_TAG_STARTS)})")
# _BOILERPLATE or _TAGS needs one of these right after a "<": one scan for a turn without either.
_CLEAN_STARTS = "|".join((*(name + ">" for name in _BOILERPLATE_NAMES), f"/?(?:{'|'.join(_TAG_STARTS)})"))
_NEED_CLEAN = re.compile(f"<(?:{_CLEAN_STARTS})")
_PLAN_REMINDER = re.compile(r"Plan mode is active", re.I)
_PLAN_PHRASE = "plan mode is active"
# The characters IGNORECASE matches to a letter of the phrase that do not lower to it: "İ" and
# "ı" (to "i"), "ſ" (to "s").
_FOLDS_TO_PHRASE = ("\u0130", "\u0131", "\u017f")
# Codex's IDE extension and desktop app put the active file, open tabs and mentioned files above the
# person's words, which follow this heading (`USER_MESSAGE_BEGIN` in the Codex protocol).
CODEX_REQUEST = "## My request for Codex:"
# Codex's plan mode: a developer message `<collaboration_mode># Collaboration Mode: Plan ...`.
_CODEX_PLAN = re.compile(r"<collaboration_mode>\s*#?\s*Collaboration Mode:\s*Plan\b", re.I)
_DIFF = re.compile(r"^(?:diff --git |@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@|\+\+\+ [ab/]|--- [ab/])", re.M)
_LOG = re.compile(r"^\S*\d{4}-\d\d-\d\d[T ]\d\d:\d\d\S*\s+\[?(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE)\b", re.M)
# A line that is pasted material, not prose: indented, ending like code, a code keyword opening a
# line that has code punctuation, a diff/trace/log/listing marker, or only brackets.
_PASTE_LINE = re.compile(
    r"^(?:[ \t]+\S.*|.*[;{}]\s*|[ \t]*[)\]}>]+.*|"
    r"(?:def|class|import|from|#include|#define|fn|func|pub|public|private|package|using|let|const|var|"
    r"return|struct|impl|use|@\w+)\b.*[(:;={]\s*.*|"
    r"(?:@@|\+\+\+|---|diff --git|index [0-9a-f]{6}|[+-](?:[^\s+-]| {2,}|\t)).*|"
    r"(?:Traceback|File \"|\w*(?:Error|Exception)\b:?|panic|thread '|error(?:\[\w+\])?:|warning:|"
    r"note:|FAILED|[\w./\\-]+:\d+(?::\d+)?: (?:fatal )?(?:error|warning|note)\b|"
    r"\d+ errors? generated|make(?:\[\d+\])?: \*\*\*|"
    r"FAIL|PASS|ok  |=====|_____|\[(?:ERROR|INFO)\]|npm (?:ERR!|error|WARN)).*|"
    r"\S*\d{4}-\d\d-\d\d[T ]\d.*|\s*\d+ ?[|:] .*)$",
    re.M,
)
_BLANKS = re.compile(r"\n\s*\n+")
_EXIT_NONZERO = re.compile(r"\"exit_code\":\s*[1-9]|exit (?:code|status):? ?[1-9]|Error \d+$", re.M)
_EXIT_HEAD = re.compile(r"^(?:Exit code:?|Process exited with code) ?(-?\d+)", re.M)


@dataclass(frozen=True, slots=True)
class PasteStats:
    """What was pasted into a user turn, besides the instruction."""

    code_blocks: int = 0
    diff: bool = False
    trace: bool = False
    log: bool = False
    code_lines: int = 0
    paste_chars: int = 0
    error_only: bool = False  # the turn is pasted error output (trace, compiler errors) and almost no words


@dataclass(frozen=True, slots=True)
class ToolSignals:
    results: int = 0
    calls: int = 0
    failing_tests: bool = False
    compile_error: bool = False
    trace: bool = False
    exit_nonzero: bool = False
    passing: bool = False
    flagged_error: bool = False
    last_is_tool: bool = False


def bounded(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return text
    return text[:head] + "\n" + text[-tail:]


def bounded_lines(text: str, head: int, tail: int) -> str:
    """`bounded`, but cut at line ends, so no half line of a paste reads as prose."""
    if len(text) <= head + tail:
        return text
    cut = text.rfind("\n", 0, head)
    start = text.find("\n", len(text) - tail)
    return text[: cut if cut > 0 else head] + "\n" + text[start + 1 if start >= 0 else len(text) - tail :]


def clean_user_text(text: str) -> str:
    """Drop client boilerplate (environment details, system reminders, task tags, Codex's IDE
    context above "## My request for Codex:") from a user turn."""
    at = text.find(CODEX_REQUEST) if "#" in text else -1  # memchr first: ~10x cheaper than the find
    if at >= 0:
        text = text[at + len(CODEX_REQUEST) :]
    if "<" in text and (first := _NEED_CLEAN.search(text)) is not None:
        # Each substitution only where its pattern can match (the same text as substituting always).
        if _NEED_BOILERPLATE_AT.search(text, first.start()) is not None:
            text = _BOILERPLATE.sub(" ", text)
        if _NEED_TAGS_AT.search(text) is not None:
            text = _TAGS.sub(" ", text)
    return text.strip()


def plan_reminder(text: str) -> bool:
    """Claude Code announces its plan mode in a <system-reminder> inside the user turn.

    `_PLAN_REMINDER` (case-insensitive) searched as a substring of the lowered text: sre's
    IGNORECASE search has no literal to skip to and reads a 25k-character turn at ~6 ns a
    character; `lower()` and `in` take ~1. The same answer: a character that matches a letter of
    the phrase under IGNORECASE lowers to that letter, except the three in `_FOLDS_TO_PHRASE`
    (then the regex decides); `lower()` maps each other character alone (only "İ" grows, to "i"
    and a combining dot the phrase never holds)."""
    if "<" not in text or "<system-reminder>" not in text:  # memchr first: ~20x cheaper
        return False
    if _PLAN_PHRASE in text.lower():
        return True
    if text.isascii() or not any(map(text.__contains__, _FOLDS_TO_PHRASE)):
        return False
    return _PLAN_REMINDER.search(text) is not None


def codex_plan_mode(messages: Sequence[Message]) -> bool:
    """Codex announces its collaboration mode in a developer (here: system) message; the latest one
    among the last LOOKBACK messages decides."""
    for msg in reversed(messages[-LOOKBACK:]):
        if msg.role == "system":
            head = head_text(msg)
            if "<collaboration_mode>" in head:
                return _CODEX_PLAN.search(head) is not None
    return False


def user_turns(messages: Sequence[Message]) -> list[Message]:
    """The user's own turns among the last LOOKBACK messages: not tool results, not context-only
    turns (AGENTS.md, environment)."""
    return [m for m in messages[-LOOKBACK:] if is_own_turn(m)]


def split_instruction(text: str) -> tuple[str, PasteStats]:
    """(instruction, what was pasted) of a cleaned user turn, reading a bounded head and tail."""
    scan = bounded_lines(text, SCAN_HEAD, SCAN_TAIL)
    prose, blocks, block_lines = strip_fences(scan)
    diff = _has_any(scan, "-+") and _found(_DIFF, scan, _NEED_DIFF)
    trace = _found_parts(TRACE_PARTS, scan, _NEED_TRACE)
    log = "-" in scan and _has_any(scan, "EN") and _found(_LOG, scan, _NEED_LOG)
    kept, pasted_lines = _PASTE_LINE.subn("", prose)
    instruction = _BLANKS.sub("\n", kept).strip()
    paste_chars = max(len(text) - len(instruction), 0)
    error_only = paste_chars > 0 and _few_words(instruction) and _is_error_output(scan, trace)
    stats = PasteStats(blocks, diff, trace, log, pasted_lines + block_lines, paste_chars, error_only)
    return instruction, stats


def _few_words(instruction: str) -> bool:
    return len(instruction) <= 40 and len(_WORDS.findall(instruction.lower())) <= ERROR_ONLY_WORDS


def _is_error_output(scan: str, trace: bool) -> bool:
    """A traceback, or compiler / build error lines, somewhere in the scanned turn."""
    return trace or _found_parts(COMPILE_PARTS, scan, _NEED_COMPILE)


def strip_fences(text: str) -> tuple[str, int, int]:
    """(text without its fenced blocks, how many blocks, how many lines they held), by substring
    search: a fence runs from a line with ``` or ~~~ to the next same fence (or the end)."""
    ticks, tildes = "```" in text, "~~~" in text
    if not ticks and not tildes:
        return text, 0, 0
    if not tildes:  # the common case: one kind of fence, one search per fence
        return _strip_ticks(text)
    return _strip_any(text)


def _strip_any(text: str) -> tuple[str, int, int]:
    """`strip_fences` for both kinds of fence (``` and ~~~), whichever comes first each time."""
    ticks, tildes = "```" in text, "~~~" in text
    pieces: list[str] = []
    blocks = lines = pos = 0
    while ticks or tildes:
        tick = text.find("```", pos) if ticks else -1
        tilde = text.find("~~~", pos) if tildes else -1
        if tick < 0 and tilde < 0:
            break
        start = tick if tilde < 0 or 0 <= tick < tilde else tilde
        fence = text[start : start + 3]
        body = text.find("\n", start)
        close = -1 if body < 0 else text.find(fence, body)
        end = len(text) if close < 0 else close + 3
        pieces.append(text[pos:start])
        blocks += 1
        lines += text.count("\n", start, end) - 1 if body >= 0 else 0
        pos = end
    pieces.append(text[pos:])
    return "\n".join(pieces), blocks, max(lines, 0)


def _strip_ticks(text: str) -> tuple[str, int, int]:
    """`strip_fences` of a text with ``` fences and no ~~~ ones (the same pieces and counts)."""
    pieces: list[str] = []
    find, count = text.find, text.count
    blocks = lines = pos = 0
    while (start := find("```", pos)) >= 0:
        body = find("\n", start)
        if body < 0:  # a fence on the last line: it runs to the end and holds no line
            pieces.append(text[pos:start])
            blocks += 1
            pos = len(text)
            break
        close = find("```", body)
        end = len(text) if close < 0 else close + 3
        pieces.append(text[pos:start])
        blocks += 1
        lines += count("\n", start, end) - 1
        pos = end
    pieces.append(text[pos:])
    return "\n".join(pieces), blocks, max(lines, 0)


def _found(pattern: re.Pattern[str], text: str, needles: tuple[str, ...]) -> bool:
    """`pattern.search(text)`, skipped when no literal the pattern needs is in the text (a C-speed
    substring test is ~50x cheaper than a failing alternation scan)."""
    return any(map(text.__contains__, needles)) and pattern.search(text) is not None


def _found_parts(parts: tuple[Part, ...], text: str, needles: tuple[str, ...]) -> bool:
    """`_found(pattern, text, needles)`, the pattern given by its parts (routing.scanparts)."""
    return any(map(text.__contains__, needles)) and any_part(text, parts)


def _has_any(text: str, chars: str) -> bool:
    """Whether one of these characters is in the text (memchr: ~30x cheaper than a needle scan).
    Every needle of _NEED_DIFF holds a "-" or "+", every one of _NEED_LOG an "E" or "N" (INFO,
    WARN / ERROR, DEBUG, TRACE): without them, `_found` is False without scanning for each. A
    _LOG match also holds a "-" (its date), which split_instruction tests first the same way."""
    return any(map(text.__contains__, chars))


_NEED_FAILING = ("FAIL", "fail", "Failures", "AssertionError")
_NEED_COMPILE = (
    "rror",
    "cannot find symbol",
    "undefined: ",
    "FAILURE",
    "compil",
    "No such file",
    "not found",
    "ERR!",
)
_NEED_EXIT = ("exit", "Error ")
_NEED_PASSING = ("passed", "SUCCESS", "ok", "PASSED")
_NEED_DIFF = ("diff --git ", "@@ -", "+++ ", "--- ")
_NEED_TRACE = (
    "Traceback",
    " at ",
    "\tat ",
    "Exception",
    "Error: ",
    "panic",
    "error[E",
    "Segmentation",
    "SIGSEGV",
    'File "',
)
_NEED_LOG = ("INFO", "WARN", "ERROR", "DEBUG", "TRACE")


def _tool_tail(text: str) -> str:
    """The last TOOL_TAIL characters of a tool result, with JSON string escapes undone (Codex's
    structured shell output is `{"output": "...\\n...", "metadata": {"exit_code": 1}}`, where
    line-anchored patterns would not see a line start)."""
    tail = text[-TOOL_TAIL:]
    if tail.startswith('{"output":'):  # the output's first line starts a line
        tail = tail[10:].lstrip(' "')
    if "\\n" in tail:
        tail = tail.replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"')
    return tail


def _head_exit_nonzero(text: str) -> bool:
    """Codex's freeform shell output opens with "Exit code: N" (exec_command: "Process exited with
    code N"), which a long output pushes out of the tail."""
    match = _EXIT_HEAD.search(text[:TOOL_HEAD])
    return match is not None and match.group(1) != "0"


def tool_signals(messages: Sequence[Message]) -> ToolSignals:
    window = messages[-LOOKBACK:]
    recent = [m for m in window[-12:] if is_tool_result(m)]
    texts = [m.text for m in recent[-2:]]
    last_two = "\n".join(map(_tool_tail, texts))
    calls = sum([len(m.tool_calls) for m in window])
    failing = _found_parts(FAILING_PARTS, last_two, _NEED_FAILING)
    return ToolSignals(
        results=sum(map(is_tool_result, window)),
        calls=calls,
        failing_tests=failing,
        compile_error=_found_parts(COMPILE_PARTS, last_two, _NEED_COMPILE),
        trace=_found_parts(TRACE_PARTS, last_two, _NEED_TRACE),
        exit_nonzero=_found(_EXIT_NONZERO, last_two, _NEED_EXIT) or any(map(_head_exit_nonzero, texts)),
        passing=not failing and _found_parts(PASSING_PARTS, last_two, _NEED_PASSING),
        flagged_error=any(m.is_error for m in recent[-2:]),
        last_is_tool=bool(messages) and is_tool_result(messages[-1]),
    )


_AFFIRM = frozenset(
    "continue go ahead yes yep yeah ok okay proceed do it keep going looks good great sure please next "
    "that thats fine perfect thanks carry on approved same again sounds right now on".split()
)
# "try again", "that didn't work", "still failing", "same error", "nope, still broken": the same job,
# not finished. They read with the earlier task like "continue" (its route and difficulty): the
# request set labels a follow-up by the task it continues, and the failing run the agent saw, when
# it is in the loop, is read from the tool results. ("didn't" tokenises as "didn" + "t".)
_RETRY_OR_FAILED = frozenset(
    "try retry redo one more time another go shot attempt round no nope still not didn didnt doesn "
    "doesnt isn isnt t s is work works worked working fail fails failing failed error errors broken "
    "crash crashes crashing crashed issue problem thing".split()
)
_FOLLOWUP_WORDS = _AFFIRM | _RETRY_OR_FAILED
_WORDS = re.compile(r"[a-z]+")


def is_generic(instruction: str) -> bool:
    """A follow-up that carries no task of its own ("continue", "ok, go ahead", "yes do it",
    "try again", "still failing", "that didn't work")."""
    if len(instruction) > 60:
        return False
    words = _WORDS.findall(instruction.lower())
    return len(words) <= GENERIC_WORDS and all(w in _FOLLOWUP_WORDS for w in words)
