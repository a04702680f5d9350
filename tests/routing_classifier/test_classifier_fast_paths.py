"""Each cheaper path of feature extraction against the plain version it replaced, on the stored
requests and on random texts built to hit the edge cases (tags, fences, digits, line ends)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from benchroute.routing import signals
from benchroute.train.reqset.records import read_jsonl, to_request

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "data" / "requests" / "requests.jsonl"

_PIECES = (
    "<environment_details>",
    "</environment_details>",
    "<system-reminder>x</system-reminder>",
    "<task>",
    "</task>",
    "<image src=a>",
    "image",
    "task>",
    "<feedback>",
    "<INSTRUCTIONS>",
    "<div>",
    "a < b",
    "## My request for Codex:",
    "fix the bug ",
    "def f(x):\n",
    "    return x;\n",
    "\n\n",
    " 12 ",
    "It's 3.5. Done. ",
    "write tests for it.\n",
)


def _random_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def _stored_turns(limit: int = 1500) -> list[str]:
    rows = read_jsonl(REQUESTS)
    rng = random.Random(3)
    out = []
    for rec in rng.sample(rows, min(limit, len(rows))):
        out.extend(m.text for m in to_request(rec["request"]).messages if m.role == "user")
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _stored_turns() + _random_texts(3000)


def _clean_reference(text: str) -> str:
    """clean_user_text as it was: one substring test per tag before each substitution."""
    at = text.find(signals.CODEX_REQUEST)
    if at >= 0:
        text = text[at + len(signals.CODEX_REQUEST) :]
    if "<" in text:
        if any(n in text for n in signals._NEED_BOILERPLATE):
            text = signals._BOILERPLATE.sub(" ", text)
        if any(n in text for n in signals._NEED_TAGS):
            text = signals._TAGS.sub(" ", text)
    return text.strip()


def test_clean_user_text_matches_the_plain_version(texts: list[str]) -> None:
    assert len(texts) > 3000
    for text in texts:
        assert signals.clean_user_text(text) == _clean_reference(text)
