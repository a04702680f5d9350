"""Store files on disk are owner-only: they hold key hashes, usage and prompts' metadata."""

from __future__ import annotations

import os
from pathlib import Path


def private_file(path: Path) -> None:
    """Create the SQLite file owner-only (0600; SQLite gives its -wal and -shm files the same mode),
    or make an existing one so: it holds key hashes and usage."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
