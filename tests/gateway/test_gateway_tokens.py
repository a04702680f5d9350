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
