"""Transparent keyword rules that label real prompts with task types no dataset labels.

Applied to the OpenAssistant prompts and to Arena-Hard's "coding" prompts. The first rule that
matches wins; a prompt no rule matches is dropped (or, for Arena-Hard coding, kept as implement).
Every rule is listed in docs/classifier.md; the rules are deliberately narrow, trading recall for
precision.
"""

from __future__ import annotations

import re

_F = re.I | re.M

CODE_HINT = re.compile(
    r"```|\b(python|javascript|typescript|java|c\+\+|c#|golang|rust|ruby|php|kotlin|swift|sql|bash|"
    r"html|css|react|django|flask|node(\.js)?|regex|function|method|class|variable|script|program|"
    r"code|compile[rd]?|api|json|array|string|integer|list|dict(ionary)?|loop|git|docker|database)\b",
    _F,
)


def _any(*alternatives: str) -> re.Pattern[str]:
    """A case-insensitive word-bounded pattern matching any of `alternatives`."""
    return re.compile(r"\b(" + "|".join(alternatives) + r")\b", _F)


# (task type, pattern, needs a code hint). Order matters: more specific intents first.
RULES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    (
        "tests",
        _any(
            r"(write|add|create|generate) (some |more )?(unit |integration )?tests?( cases)?( for)?",
            r"pytest|unittest|jest|mocha|junit",
        ),
        True,
    ),
    (
        "docs",
        _any(
            r"docstrings?|readme|jsdoc|javadoc|commit message|add comments",
            r"document (this|the|my) (code|function|class|api)",
        ),
        True,
    ),
    (
        "review",
        _any(
            r"code review|review (my|this|the) (code|function|pr|pull request|changes?|implementation)",
            r"(feedback|critique) on (my|this) code|is (this|my) code (good|correct|ok|fine)",
        ),
        True,
    ),
    (
        "refactor",
        _any(
            r"refactor\w*|clean ?up (this|my|the) code|more (readable|pythonic|idiomatic|maintainable)",
            r"simplify (this|my|the) (code|function|condition)",
        ),
        True,
    ),
    (
        "edit",
        _any(r"rename|change the (name|type|default|return)|replace (all )?(occurrences|calls|uses) of"),
        True,
    ),
    (
        "debug",
        _any(
            r"traceback|stack ?trace|exception|segfault|(doesn'?t|does not|isn'?t|not) (work|compile|run)\w*",
            r"(fix|find) (the |this |my )?(bug|error|issue)s?|i get (an? |this )?error|throws?",
            r"crash(es|ing)?|undefined (reference|variable|is not)",
        ),
        True,
    ),
    (
        "plan",
        _any(
            r"software architecture|architecture (for|of)|migrat(e|ion) (from|to)|tech(nology)? stack",
            r"how (should|would) i (structure|architect|design|organi[sz]e)|roadmap|system design",
        ),
        True,
    ),
    (
        "explain",
        re.compile(
            r"^\s*(explain|what (is|are|does)|why (is|does|do)|how (does|do)|what'?s the difference"
            r"|can you explain)\b",
            _F,
        ),
        True,
    ),
    (
        "implement",
        re.compile(
            r"\b(write|create|implement|build|make|generate|develop|code)\b.{0,60}"
            r"\b(program|function|script|class|app(lication)?|code|method|api|bot|website|game|tool|query|regex)\b",
            _F,
        ),
        True,
    ),
    ("implement", re.compile(r"^\s*(given|write|implement|create|design an algorithm)\b", _F), True),
)


_COMMIT_BODY = re.compile(r"^(import|from|package|#|//|/\*|using|def |class |<\?|\{|\s*\w+\s*=)", re.M)
COMMIT_VERBS: dict[str, str] = {
    **dict.fromkeys(("fix", "fixed", "correct", "handle"), "debug"),
    **dict.fromkeys(("refactor", "clean", "move", "convert", "improve", "simplify", "extract"), "refactor"),
    **dict.fromkeys(("test", "tests"), "tests"),
    **dict.fromkeys(("document", "docs", "doc"), "docs"),
}


def commit_label(text: str) -> str | None:
    """CommitPack-style prompts: a one-line commit message, then the file before the change.

    The message's first verb decides (fix -> debug, refactor/move/clean -> refactor, ...); other
    imperative messages (add, use, remove, change, rename, update, ...) are small edits.
    """
    first, _, rest = text.partition("\n")
    words = first.split()
    if not words or len(first) >= 100 or "?" in first or not _COMMIT_BODY.search(rest.strip()):
        return None
    specific = rule_label(first, coding=True)
    if specific in ("tests", "docs", "refactor"):
        return specific
    return COMMIT_VERBS.get(words[0].lower(), "edit")


def rule_label(text: str, coding: bool = False) -> str | None:
    """The task type a rule assigns to `text`, "general" for prompts with no code at all, or None.

    `coding=True` means the source is known to be about code (no code hint needed).
    """
    has_code = coding or bool(CODE_HINT.search(text))
    for task, pattern, needs_code in RULES:
        if needs_code and not has_code:
            continue
        if pattern.search(text):
            return task
    if not has_code:
        return "general"
    return None
