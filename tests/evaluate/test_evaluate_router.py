"""Outcome parsing and the AUC definition (the fitted-router tests left with the learned study)."""

from __future__ import annotations

from benchroute.evaluate.curve import auc, envelope
from benchroute.evaluate.outcomes import parse_record


def test_auc_envelope_definition() -> None:
    # Two singles: mixing them gives the chord; quality 0.5 -> 1.0 over the whole normalised range.
    assert abs(auc([(0.0, 0.5), (1.0, 1.0)], 0.0, 1.0) - 0.75) < 1e-6
    # A dominated point changes nothing; a point above the chord raises the area.
    assert abs(auc([(0.0, 0.5), (0.5, 0.6), (1.0, 1.0)], 0.0, 1.0) - 0.75) < 1e-6
    assert auc([(0.0, 0.5), (0.5, 1.0), (1.0, 1.0)], 0.0, 1.0) > 0.8
    # Nothing is reachable below the cheapest point; quality stays flat past the best.
    assert abs(auc([(0.5, 1.0)], 0.0, 1.0) - 0.5) < 1e-3
    assert envelope([(0.0, 0.2), (0.3, 0.9), (0.6, 0.8)]) == [(0.0, 0.2), (0.3, 0.9)]


def test_null_and_nan_outcomes_count_as_missing() -> None:
    rec = parse_record(
        {
            "id": 1,
            "prompt": "p",
            "outcomes": {"a": None, "b": {"score": None}, "c": {"score": float("nan")}, "d": {"score": 1}},
        }
    )
    assert list(rec.outcomes) == ["d"] and rec.outcomes["d"].cost is None
