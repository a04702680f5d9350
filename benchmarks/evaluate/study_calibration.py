"""Fourth-pass study: what the GSM8K loss to kNN comes from, and post-hoc fixes for it.

    OPENBLAS_NUM_THREADS=1 python benchmarks/evaluate/study_calibration.py [--seeds 6] [--only D,...]

On the splits of run.py/study.py, the shipped blend (cells + logistic + shrunk kNN) against:
- a diagnostic: the predicted costs replaced by the true ones (TRAIN's for the dial, TEST's for the
  choices), for the blend and for the kNN baseline. Not a router (it reads TEST costs); it shows
  whether the loss is in the cost estimate or in how it combines with the accuracy estimate;
- the cost estimate shrunk toward each model's mean cost in log space (w = 0.5), and flat (w = 0);
- stacking: blend weights on the simplex (step 0.1) over cells, logistic, shrunk kNN and kNN k=20,
  chosen by out-of-fold Brier score on TRAIN (a smoother criterion than out-of-fold AUC);
- calibration on the out-of-fold predictions, per model: Platt (logistic on the logit); Platt with the
  standardised log predicted cost as a second input; the logit kept as an offset with only an intercept
  and a cost slope learnt (ridge 10).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
from learned.estimators import logistic_fit
from study import BASELINE, Split, best_knn_k, common_args, prepare, report, score_knn, score_with, selected
from threadpoolctl import threadpool_limits

Array = np.ndarray
SHIPPED = ("cells", "logistic", "sknn")
STACKED = ("cells", "logistic", "sknn", "knn20")


def _logit(p: Array) -> Array:
    q = np.clip(p, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(q / (1 - q)))


def _sigmoid(x: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))))


def shrink_cost(pred: Array, train_costs: Array, w: float) -> Array:
    """Geometric blend of the per-prompt estimate with the model's mean TRAIN cost (w = 1: unchanged)."""
    mean = np.nanmean(train_costs, axis=0)
    logs = w * np.log(np.maximum(pred, 1e-15)) + (1 - w) * np.log(np.maximum(mean, 1e-15))[None, :]
    return np.asarray(np.exp(logs))


def simplex(k: int, step: float) -> Iterator[Array]:
    n = round(1 / step)
    for head in itertools.product(range(n + 1), repeat=k - 1):
        if sum(head) <= n:
            yield np.array([*head, n - sum(head)], dtype=float) / n


def stack(sp: Split, parts: tuple[str, ...]) -> tuple[Array, Array]:
    """Out-of-fold and TEST predictions of the Brier-best convex combination of `parts`."""
    y = np.where(sp.truth.mask, sp.truth.scores, 0.0)
    best: tuple[float, Array] | None = None
    for w in simplex(len(parts), 0.1):
        p = sum(wi * sp.oof[k] for wi, k in zip(w, parts, strict=True))
        brier = float((((p - y) ** 2) * sp.truth.mask).sum())
        if best is None or brier < best[0]:
            best = (brier, w)
    assert best is not None
    w = best[1]
    oof = sum(wi * sp.oof[k] for wi, k in zip(w, parts, strict=True))
    pred = sum(wi * sp.pred[k] for wi, k in zip(w, parts, strict=True))
    return np.asarray(oof), np.asarray(pred)


Map = Callable[[Array, Array], Array]  # (accuracy estimate, predicted cost) -> calibrated estimate
Calibrator = Callable[[Array, Array, Array], Map]  # fitted on (observed scores, estimates, costs)


def _cost_scaler(c_fit: Array) -> Callable[[Array], Array]:
    logs = np.log(np.maximum(c_fit, 1e-15))
    mu, sd = float(logs.mean()), float(logs.std()) + 1e-9
    return lambda c: np.asarray((np.log(np.maximum(c, 1e-15)) - mu) / sd)


def platt(y: Array, p: Array, c: Array) -> Map:
    w = logistic_fit(np.column_stack([np.ones(len(y)), _logit(p)]), y, 1e-3)
    return lambda q, _c: _sigmoid(w[0] + w[1] * _logit(q))


def platt_cost(y: Array, p: Array, c: Array) -> Map:
    scale = _cost_scaler(c)
    w = logistic_fit(np.column_stack([np.ones(len(y)), _logit(p), scale(c)]), y, 1e-2)
    return lambda q, cq: _sigmoid(w[0] + w[1] * _logit(q) + w[2] * scale(cq))


def offset_cost(y: Array, p: Array, c: Array, lam: float = 10.0, z_min: float = 0.0) -> Map:
    """Intercept and cost slope on top of the estimate's logit; with z_min > 0, identity unless the
    slope's Wald statistic (unpenalised fit) reaches z_min."""
    scale = _cost_scaler(c)
    x, off, w = np.column_stack([np.ones(len(y)), scale(c)]), _logit(p), np.zeros(2)
    for _ in range(10):  # Newton steps of a ridge logistic regression with the logit as a fixed offset
        prob = _sigmoid(off + x @ w)
        grad = x.T @ (prob - y) + lam * w
        hess = (x * (prob * (1 - prob))[:, None]).T @ x + lam * np.eye(2)
        w = w - np.linalg.solve(hess, grad)
    if z_min > 0:
        prob = _sigmoid(off + x @ w)
        info = (x * (prob * (1 - prob))[:, None]).T @ x
        wald = abs(w[1]) / float(np.sqrt(np.linalg.inv(info + 1e-9 * np.eye(2))[1, 1]))
        if wald < z_min:
            return lambda q, cq: q
    return lambda q, cq: _sigmoid(_logit(q) + w[0] + w[1] * scale(cq))


def calibrate(sp: Split, acc_oof: Array, acc: Array, fit: Calibrator) -> tuple[Array, Array]:
    """Per model, a calibration map fitted on the out-of-fold predictions of its observed prompts."""
    out_oof, out = acc_oof.copy(), acc.copy()
    for j in range(acc.shape[1]):
        rows = sp.truth.mask[:, j]
        if rows.sum() < 10:
            continue
        m = fit(np.clip(sp.truth.scores[rows, j], 0.0, 1.0), acc_oof[rows, j], sp.oof_cost[rows, j])
        out_oof[:, j], out[:, j] = m(acc_oof[:, j], sp.oof_cost[:, j]), m(acc[:, j], sp.test_cost[:, j])
    return out_oof, out


def variants(sp: Split) -> dict[str, tuple[float, float, float]]:
    acc_oof = np.mean([sp.oof[k] for k in SHIPPED], axis=0)
    acc = np.mean([sp.pred[k] for k in SHIPPED], axis=0)
    true_oof, true_test = np.nan_to_num(sp.truth.costs), np.nan_to_num(sp.test.costs)
    best_k = best_knn_k(sp)
    out = {
        BASELINE: score_knn(sp),
        "shipped blend": score_with(sp, acc_oof, acc),
        "diagnostic: shipped blend with TRUE costs": score_with(sp, acc_oof, acc, true_oof, true_test),
        "diagnostic: kNN baseline with TRUE costs": score_with(
            sp, sp.knn_oof[best_k], sp.knn_pred[best_k], true_oof, true_test, singles=False
        ),
    }
    for w in (0.5, 0.0):
        co, ct = shrink_cost(sp.oof_cost, sp.truth.costs, w), shrink_cost(sp.test_cost, sp.truth.costs, w)
        out[f"cost shrunk to the model mean, w={w}"] = score_with(sp, acc_oof, acc, co, ct)
    out["stacked by OOF Brier (cells, logistic, sknn, knn20)"] = score_with(sp, *stack(sp, STACKED))
    fns: list[tuple[str, Calibrator]] = [
        ("Platt", platt),
        ("Platt + log cost", platt_cost),
        ("offset + log cost", offset_cost),
        ("offset + log cost, where |Wald z| >= 3", lambda y, p, c: offset_cost(y, p, c, 1e-6, 3.0)),
        ("offset + log cost, where |Wald z| >= 2", lambda y, p, c: offset_cost(y, p, c, 1e-6, 2.0)),
    ]
    for label, fn in fns:
        out[f"calibrated: {label}"] = score_with(sp, *calibrate(sp, acc_oof, acc, fn))
    return out


def gap_cost_correlation(sp: Split) -> tuple[float, float] | None:
    """Two-model matrices: corr(estimated accuracy gap, log true cost of the pricier model) on TEST,
    for the shipped blend and for the kNN baseline (its out-of-fold-chosen k)."""
    if sp.test.costs.shape[1] != 2:
        return None
    dear = int(np.argmax(np.nanmean(sp.truth.costs, axis=0)))
    cheap = 1 - dear
    log_cost = np.log(np.maximum(np.nan_to_num(sp.test.costs[:, dear]), 1e-15))
    acc = np.mean([sp.pred[k] for k in SHIPPED], axis=0)
    knn = sp.knn_pred[best_knn_k(sp)]
    return (
        float(np.corrcoef(acc[:, dear] - acc[:, cheap], log_cost)[0, 1]),
        float(np.corrcoef(knn[:, dear] - knn[:, cheap], log_cost)[0, 1]),
    )


def main() -> None:
    args = common_args(6).parse_args()
    with threadpool_limits(limits=1):
        for name in selected(args):
            results: dict[str, list[tuple[float, ...]]] = {}
            corr = []
            for seed in range(args.seeds):
                sp = prepare(name, seed, args)
                for key, value in variants(sp).items():
                    results.setdefault(key, []).append(value)
                pair = gap_cost_correlation(sp)
                if pair is not None:
                    corr.append(pair)
            report(name, args.seeds, results)
            if corr:
                blend, knn = np.nanmean(np.array(corr), axis=0)
                print(f"  corr(gap estimate, log true cost of dearer model): blend {blend:.3f} kNN {knn:.3f}")


if __name__ == "__main__":
    main()
