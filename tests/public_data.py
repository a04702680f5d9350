"""Where the public data is: the full set beside the repo, and the committed slices in tests/data."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get("BENCHROUTE_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
FIXTURE_DATA = Path(__file__).resolve().parent / "data"
