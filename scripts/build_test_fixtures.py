"""Build tests/data: small slices of ../shared/data for the tests that run on a plain clone.

Each fixture is copied (or cut) from the public data with its folder's SOURCE.txt, and
tests/data/PROVENANCE.json records, per file, the source path, the source's and the fixture's
SHA-256 and how it was derived. Only data whose license allows redistribution is used (Apache-2.0
for Aider's leaderboards). Rerun after the public data changes:

    python scripts/build_test_fixtures.py [--data ../shared/data] [--out tests/data]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# fixture path (relative to --out) -> (source path relative to --data, how it is derived)
FILES: dict[str, tuple[str, str]] = {
    "aider_leaderboards/polyglot_leaderboard.yml": ("aider_leaderboards/polyglot_leaderboard.yml", "copy"),
    "aider_leaderboards/polyglot_leaderboard.csv": ("aider_leaderboards/polyglot_leaderboard.csv", "copy"),
    "aider_leaderboards/refactor_leaderboard.csv": ("aider_leaderboards/refactor_leaderboard.csv", "copy"),
    "aider_leaderboards/SOURCE.txt": ("aider_leaderboards/SOURCE.txt", "copy"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(data: Path, out: Path) -> dict[str, dict[str, str]]:
    records: dict[str, dict[str, str]] = {}
    for target, (source, how) in FILES.items():
        src, dst = data / source, out / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        records[target] = {
            "source": source,
            "derived": how,
            "source_sha256": sha256(src),
            "sha256": sha256(dst),
        }
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data")
    args = parser.parse_args(argv)
    records = build(args.data, args.out)
    provenance = {
        "built_by": "scripts/build_test_fixtures.py",
        "from": "../shared/data (each folder's SOURCE.txt names the upstream and its license)",
        "files": records,
    }
    (args.out / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")
    print(f"{len(records)} fixture files in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
