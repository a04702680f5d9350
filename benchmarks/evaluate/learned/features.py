"""Prompt text -> dense vectors with numpy only: TF-IDF over words and word bigrams, then LSA.

Fit on TRAIN prompts: keep the `max_features` most frequent terms seen in at least two prompts,
sublinear TF x smoothed IDF, L2-normalised rows, then a randomized truncated SVD (Halko et al.)
to `dims` components, rows L2-normalised again (cosine geometry). Long prompts are cut to their
first `max_tokens` tokens and last `tail_tokens` tokens, which keeps featurising linear and fast.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

CHUNK = 1024
SVD_ROWS = 3000

_TOKEN = re.compile(r"[a-z_][a-z0-9_]*|\d+|[^\sa-z0-9_]")


def tokenize(text: str, max_tokens: int = 3000, tail_tokens: int = 500) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) > max_tokens + tail_tokens:
        tokens = tokens[:max_tokens] + tokens[-tail_tokens:]
    return ["<num>" if t.isdigit() and len(t) > 2 else t for t in tokens]


def terms(tokens: Sequence[str]) -> Counter[str]:
    bag: Counter[str] = Counter(tokens)
    bag.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return bag


def token_count(text: str) -> int:
    """A cheap estimate of the prompt length in model tokens (about 4 characters a token)."""
    return max(1, math.ceil(len(text) / 4))


def _l2_rows(x: FloatArray) -> FloatArray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x / np.maximum(norms, 1e-12), dtype=np.float64)


def randomized_svd_basis(x: FloatArray, k: int, rng: np.random.Generator, n_iter: int = 4) -> FloatArray:
    """Top-k right singular vectors of x (columns of the returned matrix), randomized range finder."""
    n, d = x.shape
    k = max(1, min(k, n, d))
    p = min(d, k + 10)
    q, _ = np.linalg.qr(x @ rng.standard_normal((d, p)))
    for _ in range(n_iter):
        q, _ = np.linalg.qr(x.T @ q)
        q, _ = np.linalg.qr(x @ q)
    _, _, vt = np.linalg.svd(q.T @ x, full_matrices=False)
    return np.asarray(vt[:k].T, dtype=np.float64)


@dataclass
class TextFeaturizer:
    """fit(texts) on TRAIN, then transform(texts) -> (n, dims) unit rows."""

    max_features: int = 8192
    dims: int = 96
    min_df: int = 2
    seed: int = 0
    vocab: dict[str, int] = field(default_factory=dict)
    idf: FloatArray = field(default_factory=lambda: np.zeros(0))
    basis: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))

    def _bags(self, texts: Sequence[str]) -> list[Counter[str]]:
        return [terms(tokenize(t)) for t in texts]

    def _tfidf(self, bags: Sequence[Counter[str]]) -> FloatArray:
        x = np.zeros((len(bags), len(self.vocab)))
        for i, bag in enumerate(bags):
            for term, count in bag.items():
                j = self.vocab.get(term)
                if j is not None:
                    x[i, j] = 1.0 + math.log(count)
        return _l2_rows(x * self.idf[None, :])

    def _project(self, bags: Sequence[Counter[str]]) -> FloatArray:
        """TF-IDF rows projected on the basis, CHUNK rows at a time (memory stays bounded)."""
        parts = [self._tfidf(bags[i : i + CHUNK]) @ self.basis for i in range(0, len(bags), CHUNK)]
        return _l2_rows(np.vstack(parts) if parts else np.zeros((0, self.basis.shape[1])))

    def fit_transform(self, texts: Sequence[str]) -> FloatArray:
        bags = self._bags(texts)
        df: Counter[str] = Counter()
        for bag in bags:
            df.update(bag.keys())
        min_df = self.min_df if len(texts) >= 20 else 1
        kept = [t for t, c in df.most_common() if c >= min_df][: self.max_features]
        if not kept:
            kept = [t for t, _ in df.most_common(self.max_features)] or ["<empty>"]
        self.vocab = {t: j for j, t in enumerate(kept)}
        n = len(texts)
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept])
        rng = np.random.default_rng(self.seed)
        # The basis comes from at most SVD_ROWS prompts: plenty for 96 directions, bounded memory.
        rows = np.sort(rng.permutation(n)[:SVD_ROWS]) if n > SVD_ROWS else np.arange(n)
        self.basis = randomized_svd_basis(self._tfidf([bags[i] for i in rows]), self.dims, rng)
        return self._project(bags)

    def transform(self, texts: Sequence[str]) -> FloatArray:
        if not self.vocab:
            raise RuntimeError("TextFeaturizer.transform before fit_transform")
        return self._project(self._bags(texts))
