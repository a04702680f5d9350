"""The difficulty head's fit: an ordinal direction plus a shrunk multinomial residual.

Difficulty is ordered (easy < medium < hard), and what moves a request along it (scope, risk,
steps, size) pushes the same way at every step. The head is an adjacent-category logit model,
one direction `w` for how big the job is, `z_k = k * (x @ w) + b_k`, plus a free multinomial
residual `V` under a stronger L2 penalty for what is not ordered (`z_k += x @ V[:, k]`). The sum
is an ordinary linear softmax head with columns `[V_0, w + V_1, 2w + V_2]`, so the artifact and
the request path are unchanged. Fitted by L-BFGS from zero (deterministic); needs scipy (the
`train` extra) at train time only.

On the request set's train + dev templates (5-fold cross-validation by template, test never read)
it beat the plain multinomial head in accuracy, log-loss and easy<->hard confusions (docs/classifier.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

RESIDUAL_SHARE = 0.25  # the residual's C is this share of the ordinal direction's C

F64 = npt.NDArray[np.float64]


def fit_ordinal(
    x: Any, y: npt.NDArray[np.int64], n_labels: int, c: float, max_iter: int, weights: F64 | None = None
) -> tuple[F64, F64]:
    """(coef [labels x features], bias [labels]) of the ordinal + residual head, penalties 1/c,
    each request's log-loss weighed by `weights` (None: all 1)."""
    from scipy.optimize import minimize

    n, d = x.shape
    steps = np.arange(n_labels, dtype=np.float64)
    onehot = np.zeros((n, n_labels))
    onehot[np.arange(n), y] = 1.0
    c_res = c * RESIDUAL_SHARE
    sw = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)

    def unpack(p: F64) -> tuple[F64, F64, F64]:
        w, v = p[:d], p[d : d * (1 + n_labels)].reshape(d, n_labels)
        return w, v, np.concatenate([[0.0], p[d * (1 + n_labels) :]])

    def objective(p: F64) -> tuple[float, F64]:
        w, v, b = unpack(p)
        z = np.asarray(x @ w).ravel()[:, None] * steps + np.asarray(x @ v) + b
        z -= z.max(axis=1, keepdims=True)
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        loss = -np.sum(sw * np.log(prob[np.arange(n), y] + 1e-12)) + 0.5 * (w @ w / c + np.sum(v * v) / c_res)
        g = (prob - onehot) * sw[:, None]
        grad_w = np.asarray(x.T @ (g @ steps)).ravel() + w / c
        grad_v = np.asarray(x.T @ g) + v / c_res
        return float(loss), np.concatenate([grad_w, grad_v.ravel(), g.sum(axis=0)[1:]])

    start = np.zeros(d * (1 + n_labels) + n_labels - 1)
    result = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    w, v, b = unpack(np.asarray(result.x))
    coef = (v + w[:, None] * steps).T
    return np.ascontiguousarray(coef), b
