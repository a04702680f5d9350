"""Training: deterministic on a tiny slice; the shipped artifact is calibrated on the held-out split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchroute.routing.features import extract
from benchroute.routing.taxonomy import DIFFICULTIES, TASK_TYPES
from benchroute.routing.textclf import TextClassifier, load_default
from benchroute.train import dataset, fit
from benchroute.train.examples import difficulty_from_exercism, difficulty_from_share, split_of
from benchroute.train.rules import commit_label, rule_label

# Measured on the shipped artifact (docs/classifier.md): task ECE 0.03, difficulty ECE 0.04.
# The bounds leave room for retraining noise, not for a broken calibration step.
TASK_ECE_BOUND = 0.06
DIFFICULTY_ECE_BOUND = 0.08


def test_difficulty_thresholds() -> None:
    assert difficulty_from_share(1.0) == "easy"
    assert difficulty_from_share(5 / 9) == "medium"
    assert difficulty_from_share(2 / 9) == "hard"
    assert [difficulty_from_exercism(n) for n in (1, 3, 4, 6, 7, 10)] == ["easy"] * 2 + ["medium"] * 2 + [
        "hard"
    ] * 2


def test_split_is_by_group_and_stable() -> None:
    assert split_of("humaneval/3") == split_of("humaneval/3")
    shares = [split_of(f"g{i}") for i in range(4000)]
    assert 0.15 < shares.count("test") / 4000 < 0.25


def test_rules() -> None:
    assert rule_label("Can you write unit tests for my Python class?") == "tests"
    assert rule_label("Please refactor this code to be more readable:\n```python\nx=1\n```") == "refactor"
    assert rule_label("Why is the sky blue?") == "general"
    assert rule_label("I get an exception in my java code", coding=True) == "debug"
    assert commit_label("Fix off-by-one in pager\nimport os\nx = 1") == "debug"
    assert commit_label("Add timeout option\nimport os\nx = 1") == "edit"
    assert commit_label("What is this?\nimport os") is None


def _weights(clf: TextClassifier) -> list[np.ndarray]:
    return [clf.task_head.w, clf.task_head.s, clf.task_head.b, clf.difficulty_head.w, clf.difficulty_head.b]


def test_training_on_a_tiny_slice_is_deterministic(shared_data: Path, tmp_path: Path) -> None:
    cfg = fit.TrainConfig(max_features=2000, max_iter=100)
    ds = dataset.build(shared_data, seed=3, limit=500)
    again = dataset.build(shared_data, seed=3, limit=500)
    assert [(e.text, e.task_type, e.difficulty) for e in ds.examples] == [
        (e.text, e.task_type, e.difficulty) for e in again.examples
    ]
    runs = [fit.train(ds, cfg) for _ in range(2)]
    (a, ma), (b, mb) = runs
    assert a.vectorizer.vocab == b.vectorizer.vocab
    for wa, wb in zip(_weights(a), _weights(b), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert ma["task_accuracy"] == mb["task_accuracy"]
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    assert (tmp_path / "a" / "model.npz").read_bytes() == (tmp_path / "b" / "model.npz").read_bytes()


@pytest.fixture(scope="module")
def held_out(shared_data: Path) -> list[dataset.Example]:
    return dataset.build(shared_data, seed=0).split("test")


def test_shipped_artifact_is_calibrated_on_the_held_out_split(held_out: list[dataset.Example]) -> None:
    clf = load_default()
    assert clf.meta["seed"] == 0
    typed = [e for e in held_out if not e.meta.get("difficulty_only")]
    preds = [clf.predict_features(extract(e.to_request())) for e in typed]
    p_task = np.stack([p for p, _ in preds])
    y_task = np.asarray([TASK_TYPES.index(e.task_type) for e in typed])
    task_ece = fit.expected_calibration_error(p_task, y_task)
    assert task_ece < TASK_ECE_BOUND
    assert (p_task.argmax(axis=1) == y_task).mean() > 0.75

    rated = [e for e in held_out if e.difficulty is not None]
    p_diff = np.stack([clf.predict_features(extract(e.to_request()))[1] for e in rated])
    y_diff = np.asarray([DIFFICULTIES.index(e.difficulty or "") for e in rated])
    assert fit.expected_calibration_error(p_diff, y_diff) < DIFFICULTY_ECE_BOUND
