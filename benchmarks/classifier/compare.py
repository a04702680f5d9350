"""The shipped design against simpler alternatives, on the same request set and splits.

    PYTHONPATH=src python benchmarks/classifier/compare.py

Variants (same heads, same C as the shipped artifact, temperatures and threshold on dev):
- shipped: the instruction apart from the paste + signal markers + cue counts (rules + TF-IDF mix);
- no cues: the same without the hand-written cue lexicon (TF-IDF over instruction and signals);
- whole turn: TF-IDF over the bounded whole user turn (paste included), the previous design.
Prints test-split figures; nothing is tuned on test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from benchroute.routing.features import HEAD_CHARS, STRUCT_FEATURES, TAIL_CHARS, RequestFeatures, extract
from benchroute.routing.signals import bounded, clean_user_text, user_turns
from benchroute.routing.textclf import load_default
from benchroute.train import data, fit
from benchroute.wire.canonical import ChatRequest

CUE_COLUMNS = [i for i, name in enumerate(STRUCT_FEATURES) if name.startswith("cue=")]


def no_cues(request: ChatRequest) -> RequestFeatures:
    f = extract(request)
    struct = f.struct.copy()
    struct[CUE_COLUMNS] = 0.0
    markers = tuple(m for m in f.markers if not m.startswith("zzcue"))
    text = f"{bounded(f.instruction, HEAD_CHARS, TAIL_CHARS)}\n{' '.join(markers)}"
    return dataclasses.replace(f, text=text, struct=struct, markers=markers)


def whole_turn(request: ChatRequest) -> RequestFeatures:
    f = extract(request)
    turns = user_turns(request.messages)
    latest = clean_user_text(turns[-1].text) if turns else ""
    struct = f.struct.copy()
    struct[CUE_COLUMNS] = 0.0
    return dataclasses.replace(f, text=bounded(latest, HEAD_CHARS, TAIL_CHARS), struct=struct, markers=())


def main() -> None:
    shipped = load_default().meta["metrics"]["config"]
    cfg = fit.TrainConfig(c_task=shipped["c_task"], c_difficulty=shipped["c_difficulty"])
    variants: dict[str, Callable[[ChatRequest], RequestFeatures]] = {
        "shipped": extract,
        "no cues": no_cues,
        "whole turn": whole_turn,
    }
    print(f"{'variant':>12} {'task acc':>9} {'task ECE':>9} {'diff acc':>9} {'fires':>7} {'acc above':>10}")
    for name, extractor in variants.items():
        splits = data.load(Path(data.DEFAULT_REQUESTS), extractor)
        _, report = fit.train(splits, cfg)
        t = report["test"]
        print(
            f"{name:>12} {t['task_accuracy']:9.3f} {t['task_ece']:9.3f} {t['difficulty_accuracy']:9.3f}"
            f" {t['low_confidence_fires']:7.3f} {t['accuracy_above_threshold']:10.3f}"
        )


if __name__ == "__main__":
    main()
