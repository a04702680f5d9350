"""Token counts when an upstream reports none: tiktoken's o200k_base from the file the package ships
(no download, no bpe-openai), else the documented estimate."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from benchroute.gateway import tokens
from benchroute.gateway.tokens import TokenCounter


async def test_the_shipped_bpe_file_seeds_tiktokens_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    counter = TokenCounter()
    await counter.ensure_loaded()
    assert counter.method == "tiktoken"
    seeded = tmp_path / hashlib.sha1(tokens._BLOB_URL.encode()).hexdigest()
    assert hashlib.sha256(seeded.read_bytes()).hexdigest() == tokens._SHA256
    assert counter.count_text("hello world") == 2
    assert "bpe_openai" not in sys.modules


async def test_without_the_file_counts_fall_back_to_the_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tokens, "_ENCODING", "no_such_encoding")
    counter = TokenCounter()
    await counter.ensure_loaded()
    assert counter.method == "estimate"
    assert counter.count_text("x" * 9) == 3  # 4 characters a token, rounded up


async def test_long_texts_are_counted_once_and_the_memo_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tokens, "MEMO_CHARS", 5_000)
    counter, fresh = TokenCounter(), TokenCounter()
    await counter.ensure_loaded()
    await fresh.ensure_loaded()
    texts = [f"def f{i}(x):\n    return x * {i}  # a line of code\n" * (10 + i) for i in range(12)]
    encode_calls = 0
    encode = counter._encoding.encode

    def counting(text: str, **kw: object) -> list[int]:
        nonlocal encode_calls
        encode_calls += 1
        return list(encode(text, **kw))

    monkeypatch.setattr(counter._encoding, "encode", counting)
    first = [counter.count_text(t) for t in texts[:3]]
    assert encode_calls == 3
    copies = ["".join([t[:5], t[5:]]) for t in texts[:3]]  # equal texts, other objects
    assert all(c == t and c is not t for c, t in zip(copies, texts, strict=False))
    assert [counter.count_text(c) for c in copies] == first  # remembered
    assert encode_calls == 3
    assert [counter.count_text(t) for t in texts] == [fresh.count_text(t) for t in texts]
    assert counter._memo_chars <= 5_000 and sum(map(len, counter._memo)) == counter._memo_chars
