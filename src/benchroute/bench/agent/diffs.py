"""Apply a unified diff (as `diff -u` / `git diff` write it) to files in a workspace.

Hunks are placed by their old lines (context and removals), searched first at the line the hunk
header names and then anywhere in the file, so a diff with stale line numbers still applies; a
hunk whose old lines are not in the file is an error and nothing of that file is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


class DiffError(ValueError):
    """The diff is malformed or does not apply."""


@dataclass
class FilePatch:
    old: str | None  # None: a new file
    new: str | None  # None: the file is deleted
    hunks: list[tuple[int, list[str]]] = field(default_factory=list)  # (old start line, body lines)


def _strip(name: str) -> str | None:
    name = name.split("\t")[0].strip()
    if name == "/dev/null":
        return None
    return name[2:] if name.startswith(("a/", "b/")) else name


def parse(diff: str) -> list[FilePatch]:
    patches: list[FilePatch] = []
    lines = diff.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            patches.append(FilePatch(_strip(line[4:]), _strip(lines[i + 1][4:])))
            i += 2
            continue
        match = HUNK.match(line)
        if match:
            if not patches:
                raise DiffError("a hunk comes before any '--- file' / '+++ file' header")
            body: list[str] = []
            i += 1
            while i < len(lines) and not HUNK.match(lines[i]) and not lines[i].startswith("--- "):
                if lines[i][:1] in (" ", "+", "-") or lines[i] == "":
                    body.append(lines[i] if lines[i] else " ")
                i += 1
            patches[-1].hunks.append((int(match.group(1)), body))
            continue
        i += 1
    if not patches:
        raise DiffError("no '--- file' / '+++ file' headers found: send a unified diff")
    return patches


def _place(text_lines: list[str], old: list[str], hint: int) -> int:
    if not old:
        return min(max(hint, 0), len(text_lines))
    size = len(old)
    candidates: list[int] = [hint, *range(len(text_lines) - size + 1)]
    for start in candidates:
        if 0 <= start <= len(text_lines) - size and text_lines[start : start + size] == old:
            return start
    raise DiffError("a hunk does not match the file (its context and '-' lines must be exact)")


def patch_text(text: str, hunks: list[tuple[int, list[str]]]) -> str:
    lines = text.splitlines()
    offset = 0
    for start, body in hunks:
        old = [ln[1:] for ln in body if ln[:1] in (" ", "-")]
        new = [ln[1:] for ln in body if ln[:1] in (" ", "+")]
        at = _place(lines, old, start - 1 + offset)
        lines[at : at + len(old)] = new
        offset = at + len(new) - (start - 1)
    return "\n".join(lines) + "\n" if lines else ""


def apply(
    diff: str,
    read: Callable[[str], str | None],
    write: Callable[[str, str], None],
    delete: Callable[[str], None],
) -> list[str]:
    """Apply every file's hunks (all-or-nothing per file) and return the paths changed."""
    changed: list[str] = []
    results: list[tuple[str, str | None]] = []
    for patch in parse(diff):
        path = patch.new or patch.old
        if path is None:
            raise DiffError("a file patch names no file")
        if patch.new is None:
            results.append((path, None))
            continue
        current = read(patch.old) if patch.old is not None else ""
        if current is None:
            raise DiffError(f"{patch.old} does not exist")
        results.append((path, patch_text(current, patch.hunks)))
    for path, text in results:
        if text is None:
            delete(path)
        else:
            write(path, text)
        changed.append(path)
    return changed
