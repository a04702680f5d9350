"""Where leaderboard snapshots come from: the shipped default, or a file (in `routing.evidence`)."""

from benchroute.routing.evidence import DEFAULT_RESOURCE, load_default_snapshot, load_snapshot

__all__ = ["DEFAULT_RESOURCE", "load_default_snapshot", "load_snapshot"]
