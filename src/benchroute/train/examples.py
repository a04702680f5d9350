"""A labelled training example, and how labels become a held-out split."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart

# Share of models that solve a prompt -> difficulty. Chosen once from the llmrouter_ulab
# distribution (docs/classifier.md) and used for every outcome matrix.
EASY_SHARE = 0.6
HARD_SHARE = 0.3

TEST_SHARE = 0.2  # of groups, held out for the reported metrics
CALIB_SHARE = 0.15  # of the remaining groups, for temperature scaling


@dataclass(slots=True)
class Example:
    """One labelled request.

    `kind` says how the label was obtained: "dataset" (the benchmark's own task), "rule" (a
    keyword rule on a real prompt), "template" (generated from a template over real code) or
    "templated-benchmark" (HumanEvalPack's fixed instructions). `group` ties together examples
    built from the same underlying item so a split never separates them.
    """

    text: str
    task_type: str
    difficulty: str | None
    source: str
    group: str
    kind: str = "dataset"
    request: ChatRequest | None = None  # set by augmentation; default: one user turn
    meta: dict[str, str] = field(default_factory=dict)

    def to_request(self) -> ChatRequest:
        if self.request is not None:
            return self.request
        return ChatRequest(
            model="auto",
            messages=[Message(role="user", content=[TextPart(self.text)])],
            context=RequestContext(),
        )


def difficulty_from_share(share: float) -> str:
    if share >= EASY_SHARE:
        return "easy"
    if share < HARD_SHARE:
        return "hard"
    return "medium"


def difficulty_from_exercism(level: int) -> str:
    if level <= 3:
        return "easy"
    if level <= 6:
        return "medium"
    return "hard"


_NORM = re.compile(r"[^a-z0-9]+")


def text_key(text: str) -> str:
    """A normalised key for deduplication and grouping of real prompts."""
    return _NORM.sub(" ", text.lower()).strip()[:300]


def stable_unit(key: str, salt: str = "") -> float:
    """A deterministic number in [0, 1) from a string (not Python's randomised hash)."""
    return zlib.crc32((salt + key).encode("utf-8")) / 2**32


def split_of(group: str, seed: int = 0) -> str:
    """ "test", "calib" or "fit": by group, so the same item never lands on both sides."""
    u = stable_unit(group, f"split{seed}:")
    if u < TEST_SHARE:
        return "test"
    if u < TEST_SHARE + CALIB_SHARE:
        return "calib"
    return "fit"
