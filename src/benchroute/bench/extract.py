"""Pull code, JSON and final answers out of free-form model replies."""

from __future__ import annotations

import re

_FENCE = re.compile(
    r"(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+#.-]*)[^\n]*\n(?P<body>.*?)(?:\n(?P=fence)|\Z)", re.S
)
_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.S)

LANGUAGE_ALIASES: dict[str, frozenset[str]] = {
    "python": frozenset({"python", "py", "python3"}),
    "js": frozenset({"js", "javascript", "node", "jsx", "mjs"}),
    "cpp": frozenset({"cpp", "c++", "cc", "cxx", "c"}),
    "rust": frozenset({"rust", "rs"}),
    "go": frozenset({"go", "golang"}),
    "java": frozenset({"java"}),
}


def strip_reasoning(text: str) -> str:
    """Drop `<think>…</think>` sections some reasoning models put in the content."""
    return _THINK.sub("", text)


def code_blocks(text: str) -> list[tuple[str, str]]:
    """All fenced blocks as (language tag, body), in order."""
    return [(m.group("lang").lower(), m.group("body")) for m in _FENCE.finditer(strip_reasoning(text))]


def extract_code(text: str, language: str = "python") -> str:
    """The code in a reply: the fenced blocks tagged with the language (joined), else the longest
    untagged block, else the reply itself with any leading prose lines removed."""
    aliases = LANGUAGE_ALIASES.get(language, frozenset({language}))
    blocks = code_blocks(text)
    tagged = [body for lang, body in blocks if lang in aliases]
    if tagged:
        return "\n\n".join(tagged).strip("\n") + "\n"
    untagged = [body for lang, body in blocks if not lang]
    if untagged:
        return max(untagged, key=len).strip("\n") + "\n"
    if blocks:
        return max((body for _, body in blocks), key=len).strip("\n") + "\n"
    return _bare_code(strip_reasoning(text), language)


_CODE_START = {
    "python": re.compile(r"^(def |class |import |from |@|async def |if |for |while |[A-Za-z_]\w* ?=)"),
    "js": re.compile(r"^(const |let |var |function |class |module\.|export |import |//|/\*)"),
    "cpp": re.compile(
        r"^(#include|using |int |long |bool |float |double |string |vector|std::|void |auto |template|//)"
    ),
    "rust": re.compile(r"^(fn |use |pub |struct |impl |enum |//|#\[)"),
}


def _bare_code(text: str, language: str) -> str:
    lines = text.strip("\n").splitlines()
    pattern = _CODE_START.get(language)
    if pattern is not None:
        for i, line in enumerate(lines):
            if pattern.match(line):
                return "\n".join(lines[i:]).rstrip() + "\n"
    return "\n".join(lines).rstrip() + "\n"


def extract_json_text(text: str) -> str | None:
    """The JSON document in a reply: a ```json block, any block that parses, else the outermost
    `{…}` or `[…]` span."""
    import orjson

    text = strip_reasoning(text)
    candidates = [body for lang, body in code_blocks(text) if lang in ("json", "")] + [
        body for _, body in code_blocks(text)
    ]
    for span in (_outer(text, "{", "}"), _outer(text, "[", "]")):
        if span:
            candidates.append(span)
    for candidate in candidates:
        try:
            orjson.loads(candidate)
        except orjson.JSONDecodeError:
            continue
        return candidate
    return None


def _outer(text: str, open_: str, close: str) -> str | None:
    start, end = text.find(open_), text.rfind(close)
    return text[start : end + 1] if 0 <= start < end else None


_NUMBER = re.compile(r"-?\$?\d[\d,]*(?:\.\d+)?")


def final_number(text: str) -> str | None:
    """The final numeric answer: after `####` or `answer is`/`ANSWER:` when present, else the last
    number in the reply. Thousands separators and `$` are removed; `18.00` becomes `18`."""
    text = strip_reasoning(text)
    for marker in (r"####", r"(?i)answer\s*(?:is|:)", r"(?i)\\boxed\{"):
        parts = re.split(marker, text)
        if len(parts) > 1:
            found = _NUMBER.findall(parts[-1])
            if found:
                return normalize_number(found[0])
    found = _NUMBER.findall(text)
    return normalize_number(found[-1]) if found else None


def normalize_number(raw: str) -> str:
    value = raw.replace(",", "").replace("$", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    if value in ("-0", ""):
        value = "0"
    return value


_LETTER_PATTERNS = (
    re.compile(r"(?i)answer\s*(?:is|:)?\s*\(?\**([A-J])\b"),
    re.compile(r"^\s*\(?([A-J])[).:]?\s*$", re.M),
    re.compile(r"\(([A-J])\)"),
    re.compile(r"\b([A-J])\b"),
)


def final_letter(text: str, choices: str = "ABCD") -> str | None:
    """The chosen option letter of a multiple-choice reply."""
    text = strip_reasoning(text)
    for pattern in _LETTER_PATTERNS:
        found = [m for m in pattern.findall(text) if m.upper() in choices]
        if found:
            return str(found[-1]).upper()
    return None


def tagged_answer(text: str, tag: str = "ANSWER") -> str | None:
    """The value after the last `TAG:` in a reply (rest of that line, stripped of backticks)."""
    matches = re.findall(rf"(?im)^\W*{re.escape(tag)}\s*:\s*(.+?)\s*$", strip_reasoning(text))
    if not matches:
        return None
    return str(matches[-1]).strip().strip("`").strip()
