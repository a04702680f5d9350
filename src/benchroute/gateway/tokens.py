"""Token counts for upstreams that report no usage.

tiktoken's `o200k_base` is loaded from the copy shipped in `benchroute/data/tokenizer` (seeded into
tiktoken's cache directory so tiktoken never downloads it; data/tokenizer/NOTICE says where it
comes from). When tiktoken is not installed or the file cannot be read, a documented estimate is
used instead: 4 characters a token (rounded up, at least 1 for non-empty text) plus 4 tokens a
message, and the usage record's token method says "estimate".

A conversation is sent again, whole, on every turn, so the counts of long texts are remembered
(keyed by the text itself: an exact hit or a fresh count): a turn tokenises only what is new.
Bounded by the characters it holds (`MEMO_CHARS`); cleared when full.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import importlib.resources
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from benchroute.wire.canonical import ChatRequest, Message

log = logging.getLogger(__name__)

_ENCODING = "o200k_base"
_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
_PER_MESSAGE = 4  # role and separators, as OpenAI counts chat messages
MEMO_MIN_CHARS = 256  # shorter texts are counted each time (cheaper than remembering them)
MEMO_CHARS = 8_000_000  # characters of remembered texts, at most (~8 MB)

Method = Literal["tiktoken", "estimate"]


def _seed_cache() -> None:
    """Put the bundled BPE file where tiktoken looks for its download, verified by hash."""
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if not cache_dir:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    target = Path(cache_dir) / hashlib.sha1(_BLOB_URL.encode()).hexdigest()
    if target.is_file():
        return
    source = importlib.resources.files("benchroute").joinpath("data", "tokenizer", f"{_ENCODING}.tiktoken.gz")
    data = gzip.decompress(source.read_bytes())
    if hashlib.sha256(data).hexdigest() != _SHA256:
        raise ValueError("bundled o200k_base does not match tiktoken's expected hash")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


class TokenCounter:
    """Counts tokens of requests and completions; loads the encoding on first use, off the loop."""

    def __init__(self) -> None:
        self._encoding: Any = None
        self._loaded = False
        self._lock = asyncio.Lock()
        self.method: Method = "estimate"
        self._memo: dict[str, int] = {}  # long text -> its token count
        self._memo_chars = 0

    def _load(self) -> Any:
        try:
            _seed_cache()
            import tiktoken

            return tiktoken.get_encoding(_ENCODING)
        except Exception as exc:  # no bundled file, no tiktoken, no network: estimate instead
            log.warning("token counting falls back to a 4-characters-a-token estimate: %s", exc)
            return None

    async def ensure_loaded(self) -> None:
        if self._loaded:
            return
        async with self._lock:
            if not self._loaded:
                self._encoding = await asyncio.to_thread(self._load)
                self.method = "tiktoken" if self._encoding is not None else "estimate"
                self._loaded = True

    def count_text(self, text: str) -> int:
        if not text:
            return 0
        if self._encoding is None:
            return max(1, (len(text) + 3) // 4)
        if len(text) < MEMO_MIN_CHARS:
            return len(self._encoding.encode(text, disallowed_special=()))
        n = self._memo.get(text)
        if n is None:
            n = len(self._encoding.encode(text, disallowed_special=()))
            if self._memo_chars + len(text) > MEMO_CHARS:
                self._memo.clear()
                self._memo_chars = 0
            self._memo[text] = n
            self._memo_chars += len(text)
        return n

    def count_completion(self, message: Message) -> int:
        """Tokens the model generated: its text and tool calls."""
        n = self.count_text(message.text)
        for call in message.tool_calls:
            n += self.count_text(call.name) + self.count_text(call.arguments)
        return n

    def count_message(self, message: Message) -> int:
        return _PER_MESSAGE + self.count_completion(message)

    def count_prompt(self, request: ChatRequest) -> int:
        n = sum(self.count_message(m) for m in request.messages) + 3
        for tool in request.tools:
            n += self.count_text(tool.name) + self.count_text(tool.description)
            n += self.count_text(str(tool.parameters))
        return n
