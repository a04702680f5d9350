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

__all__ = ["COMPILE_PARTS", "FAILING_PARTS", "PASSING_PARTS", "TRACE_PARTS", "Part", "any_part", "parts"]

# (a literal every match holds, the alternative's regex or None for the literal alone, whether it
# is anchored at a line start)
Part = tuple[str, re.Pattern[str] | None, bool]


def parts(*specs: tuple[str, str | None] | str) -> tuple[Part, ...]:
    """A literal alone, or (literal, regex); a regex starting "^" is anchored at a line start."""
    out: list[Part] = []
    for spec in specs:
        lit, rx = (spec, None) if isinstance(spec, str) else spec
        anchored = rx is not None and rx.startswith("^")
        out.append((lit, None if rx is None else re.compile("\n" + rx[1:] if anchored else rx), anchored))
    return tuple(out)


def any_part(text: str, alternatives: tuple[Part, ...]) -> bool:
    """Whether one part matches (an anchored one as "\n" + itself in "\n" + text: a line start)."""
    for lit, rx, anchored in alternatives:
        if lit in text and (rx is None or rx.search("\n" + text if anchored else text) is not None):
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
