"""Rebuild the shipped benchmark suites (`src/benchroute/data/suites/*.jsonl`) from public data.

    python scripts/build_suites.py [--data ../shared/data] [--verify]

Every task records its source and license; NOTICE beside the suites carries the attributions.
`--verify` scores each task's reference answer (kept in `meta.reference`) with the real checkers
in the sandbox and drops tasks whose reference does not pass (e.g. a Rust task needing a crate).
The selection is deterministic: the same data gives the same files.

The builders live in `scripts/suites/`, one module per data source or generated suite.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from suites import BUILDERS, Builder  # noqa: E402
from suites.output import read_suite, write_notice, write_suite  # noqa: E402
from suites.smoke import smoke_suite  # noqa: E402
from suites.verify import verify  # noqa: E402

from benchroute.bench.tasks import Task  # noqa: E402

OUT = ROOT / "src" / "benchroute" / "data" / "suites"
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: --data, --out, --verify, --only."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--verify", action="store_true", help="drop tasks whose reference answer fails")
    parser.add_argument("--only", nargs="*", help="rebuild only these suites")
    return parser.parse_args(argv)


def build_suite(name: str, build: Builder, data: Path, check: bool) -> list[Task]:
    """One suite's tasks; with `check`, only those whose reference answer passes its checker."""
    tasks = build(data)
    if check:
        before = len(tasks)
        tasks = asyncio.run(verify(tasks))
        print(f"{name}: {len(tasks)}/{before} tasks verified", file=sys.stderr)
    return tasks


def shown(path: Path) -> str:
    """`path` relative to the repository when it is inside it."""
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def main() -> None:
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    suites: dict[str, list[Task]] = {}
    for name, build in BUILDERS.items():
        if args.only and name not in args.only:
            previous = read_suite(args.out, name)  # still feeds the smoke suite
            if previous is not None:
                suites[name] = previous
            continue
        suites[name] = build_suite(name, build, args.data, args.verify)
        path = write_suite(args.out, name, suites[name])
        print(f"{name}: {len(suites[name])} tasks -> {shown(path)}")
    smoke = smoke_suite(suites)
    write_suite(args.out, "smoke", smoke)
    print(f"smoke: {len(smoke)} tasks")
    write_notice(args.out)


if __name__ == "__main__":
    main()
