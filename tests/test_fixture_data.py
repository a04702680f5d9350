"""tests/data: every committed slice is the one PROVENANCE.json describes, and still matches the
public data it was cut from when that data is beside the repo."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from public_data import FIXTURE_DATA, SHARED_DATA


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fixtures_match_their_provenance() -> None:
    files = json.loads((FIXTURE_DATA / "PROVENANCE.json").read_text())["files"]
    on_disk = {str(p.relative_to(FIXTURE_DATA)) for p in FIXTURE_DATA.rglob("*") if p.is_file()}
    assert on_disk == {*files, "PROVENANCE.json"}
    for name, record in files.items():
        assert _sha(FIXTURE_DATA / name) == record["sha256"], name
        source = SHARED_DATA / record["source"]
        if SHARED_DATA.is_dir():  # else the summary's "not run" section already says the data is absent
            assert _sha(source) == record["source_sha256"], (
                f"{record['source']} changed since tests/data was built: run scripts/build_test_fixtures.py"
            )
    folders = {Path(name).parts[0] for name in files}
    assert all(f"{folder}/SOURCE.txt" in files for folder in folders)  # every slice keeps its license
