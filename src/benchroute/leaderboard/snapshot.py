"""The leaderboard snapshot: defined in `benchroute.routing.evidence` (the router reads it)."""

from benchroute.routing.evidence import CellStats, Snapshot, split_variant

__all__ = ["CellStats", "Snapshot", "split_variant"]
