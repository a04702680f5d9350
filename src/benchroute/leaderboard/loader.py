"""Where leaderboard snapshots come from: the shipped default, or a file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from benchroute.leaderboard.snapshot import Snapshot

DEFAULT_RESOURCE = "leaderboard.json"


def load_snapshot(path: str | Path) -> Snapshot:
    """A snapshot from a `benchroute-leaderboard/1` JSON file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"leaderboard snapshot not found: {path}")
    return Snapshot.load(path)


def load_default_snapshot() -> Snapshot:
    """The leaderboard shipped in the package (built by scripts/build_leaderboard.py)."""
    data = resources.files("benchroute").joinpath("data", DEFAULT_RESOURCE).read_bytes()
    return Snapshot.from_json(data)
