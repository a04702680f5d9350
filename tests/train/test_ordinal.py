"""The difficulty head's ordinal fit, and which templates get the canned scope relabelling."""

from __future__ import annotations

import random

import numpy as np
from scipy import sparse

from benchroute.routing.textclf import softmax
from benchroute.train.ordinal import fit_ordinal
from benchroute.train.reqset import build
from benchroute.train.reqset.templates import Template


def _ordinal_data(n: int, seed: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    score = x @ np.asarray([2.0, -1.0, 0.0, 0.5, 0.0]) + rng.normal(scale=0.3, size=n)
    y = np.digitize(score, [-1.0, 1.0]).astype(np.int64)  # 0 easy, 1 medium, 2 hard
    return sparse.csr_matrix(x), y


def test_the_ordinal_head_learns_an_ordered_label_and_is_deterministic() -> None:
    x, y = _ordinal_data(600, 0)
    coef, bias = fit_ordinal(x, y, 3, c=4.0, max_iter=500)
    again, _ = fit_ordinal(x, y, 3, c=4.0, max_iter=500)
    np.testing.assert_array_equal(coef, again)
    x_new, y_new = _ordinal_data(400, 1)
    pred = softmax(np.asarray(x_new @ coef.T + bias, dtype=np.float32)).argmax(axis=1)
    assert (pred == y_new).mean() > 0.85
    assert (np.abs(pred - y_new) == 2).mean() < 0.01
    # Along the learned direction the predicted label only goes up: easy, then medium, then hard.
    direction = coef[2] - coef[0]
    line = np.outer(np.linspace(-3, 3, 61), direction / np.linalg.norm(direction))
    along = softmax(np.asarray(line @ coef.T + bias, dtype=np.float32)).argmax(axis=1)
    assert list(along) == sorted(along) and set(along) == {0, 1, 2}


def test_only_the_first_batch_of_templates_gets_canned_scope_sentences() -> None:
    tpl = Template("x.1", "implement", "feature", "medium", ("none",), "add pagination to the orders API")
    canned = (*build.HARD_SCOPE, *build.EASY_SCOPE)
    first = [build._difficulty(tpl, tpl.text, random.Random(k), True) for k in range(200)]
    later = [build._difficulty(tpl, tpl.text, random.Random(k), False) for k in range(200)]
    assert any(text.endswith(canned) and label != "medium" for text, label in first)
    assert all(text == tpl.text and label == "medium" for text, label in later)


def test_a_weight_of_two_is_the_same_fit_as_the_request_twice() -> None:
    x, y = _ordinal_data(300, 2)
    weights = np.ones(300)
    weights[:100] = 2.0
    weighted, w_bias = fit_ordinal(x, y, 3, c=4.0, max_iter=500, weights=weights)
    twice, t_bias = fit_ordinal(
        sparse.vstack([x, x[:100]]), np.concatenate([y, y[:100]]), 3, c=4.0, max_iter=500
    )
    np.testing.assert_allclose(weighted, twice, atol=1e-4)
    np.testing.assert_allclose(w_bias, t_bias, atol=1e-4)
    plain, _ = fit_ordinal(x, y, 3, c=4.0, max_iter=500)
    assert np.abs(weighted - plain).max() > 1e-3  # the weights did move the fit
