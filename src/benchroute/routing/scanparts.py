"""The tool-result and paste patterns of `routing.signals`, alternative by alternative.

`signals` asks only whether a pattern (an alternation: a traceback, a compiler error, failing or
passing tests) matches somewhere. A regex search tries the whole alternation at every character
(~20 ns each); alone, each alternative has a literal prefix and is found by a fast prefix scan, and
most are skipped by a substring test first. A pattern matches somewhere iff one of its
alternatives does, so `any_part(text, PARTS)` is `PATTERN.search(text) is not None` (checked
against the patterns in tests/routing_classifier/test_classifier_fast_paths.py).
"""

from __future__ import annotations

import re

__all__ = [
    "AFTER_NUMBER",
    "ANYWHERE",
    "COMPILE_PARTS",
    "FAILING_PARTS",
    "LINE_START",
    "PASSING_PARTS",
    "TRACE_PARTS",
    "Part",
    "any_part",
    "parts",
]

# (a literal every match holds, the alternative's regex or None for the literal alone, where it is
# tried: ANYWHERE, LINE_START (anchored "^"), or AFTER_NUMBER (a regex r"\b\d+" + literal + ...:
# matched from the start of the digits before each occurrence of the literal))
Part = tuple[str, re.Pattern[str] | None, int]
ANYWHERE, LINE_START, AFTER_NUMBER = 0, 1, 2
_NUMBER = r"\b\d+"


def parts(*specs: tuple[str, str | None] | str) -> tuple[Part, ...]:
    """A literal alone, or (literal, regex); a regex starting "^" is anchored at a line start, one
    starting r"\b\\d+" and then the literal is tried where the literal follows a number."""
    out: list[Part] = []
    for spec in specs:
        lit, rx = (spec, None) if isinstance(spec, str) else spec
        if rx is None:
            out.append((lit, None, ANYWHERE))
        elif rx.startswith("^"):
            out.append((lit, re.compile("\n" + rx[1:]), LINE_START))
        elif rx.startswith(_NUMBER + lit) and re.escape(lit).replace("\\ ", " ") == lit:
            out.append((lit, re.compile(rx), AFTER_NUMBER))
        else:
            out.append((lit, re.compile(rx), ANYWHERE))
    return tuple(out)


def _after_number(text: str, lit: str, rx: re.Pattern[str]) -> bool:
    """`rx.search(text) is not None` for rx = r"\b\\d+" + lit + ...: a match's digits are a whole
    run (\b fails between two digits) right before an occurrence of `lit`, so `rx.match` from the
    start of each such run decides (`match(text, pos)` reads the character before pos for \b).
    A literal scan and a few characters each, not the regex tried at every character (~8 ns)."""
    at = text.find(lit)
    while at >= 0:
        start = at
        while start and text[start - 1].isdecimal():  # \d: a Unicode decimal digit
            start -= 1
        if start < at and rx.match(text, start) is not None:
            return True
        at = text.find(lit, at + 1)
    return False


def any_part(text: str, alternatives: tuple[Part, ...]) -> bool:
    """Whether one part matches (an anchored one as "\n" + itself in "\n" + text: a line start)."""
    for lit, rx, where in alternatives:
        if lit not in text:
            continue
        if rx is None:
            return True
        if where == AFTER_NUMBER:
            if _after_number(text, lit, rx):
                return True
        elif rx.search("\n" + text if where == LINE_START else text) is not None:
            return True
    return False


TRACE_PARTS = parts(
    "Traceback (most recent call last)",
    ("at ", r"\n\s+at [\w$.<>]+ ?\([^)\n]{0,200}:\d+"),
    "Exception in thread",
    "Error: ",
    "Exception: ",
    "panicked at",
    ("error[E", r"error\[E\d{4}\]"),
    "Segmentation fault",
    "SIGSEGV",
    ('File "', r"File \"[^\"\n]{1,200}\", line \d+"),
    ("panic: ", r"^panic: "),
)
COMPILE_PARTS = parts(
    ("error", r"error(?:\[E\d+\])?: "),
    ("error TS", r"error TS\d+"),
    "cannot find symbol",
    ": undefined: ",
    "BUILD FAILURE",
    "SyntaxError",
    "compilation terminated",
    "could not compile",
    "No such file or directory",
    "command not found",
    "ERR!",
)
FAILING_PARTS = parts(
    (" failed", r"\b\d+ failed\b"),
    ("FAILED ", r"^FAILED "),
    "--- FAIL",
    ("FAIL", r"^FAIL\b"),
    ("Tests:", r"Tests:\s+\d+ failed"),
    ("Failures: ", r"Failures: [1-9]"),
    "test result: FAILED",
    "[  FAILED  ]",
    "AssertionError",
    "assertion `left == right` failed",
)
PASSING_PARTS = parts(
    (" passed", r"\b\d+ passed\b"),
    "BUILD SUCCESS",
    "test result: ok",
    ("ok", r"^ok\s+\S+"),
    "[  PASSED  ]",
)
