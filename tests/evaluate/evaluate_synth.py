"""A synthetic outcome set with a known right answer, shared by the evaluate tests."""

from __future__ import annotations

import random

from benchroute.evaluate.outcomes import Outcome, OutcomeRecord

CHEAP = "vendor/cheap model"  # spaces and slashes on purpose
STRONG = "other vendor/strong-1"
MID = "mid"

SQL_WORDS = "select join table index query where group order column schema row primary key".split()
POEM_WORDS = "write poem rhyme sonnet verse moon love autumn stanza metaphor lyric ballad".split()


def family_prompt(family: str, rng: random.Random, words: int = 12) -> str:
    vocab = SQL_WORDS if family == "sql" else POEM_WORDS
    return " ".join(rng.choice(vocab) for _ in range(words))


def make_records(n: int, seed: int, *, prefix: str = "x", words: int = 12) -> list[OutcomeRecord]:
    """Three in four prompts are sql (CHEAP always right), the rest poems (only STRONG right).

    MID is right half the time, at random."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        family = "poem" if i % 4 == 3 else "sql"
        text = family_prompt(family, rng, words)
        outcomes = {
            CHEAP: Outcome(1.0 if family == "sql" else 0.0, 0.001),
            STRONG: Outcome(1.0, 0.010),
            MID: Outcome(float(rng.random() < 0.5), 0.004),
        }
        out.append(OutcomeRecord(id=f"{prefix}{i}", text=text, outcomes=outcomes))
    return out


def strip(records: list[OutcomeRecord]) -> list[OutcomeRecord]:
    return [OutcomeRecord(id=r.id, text=r.text) for r in records]
