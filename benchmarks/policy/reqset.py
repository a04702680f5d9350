"""Issue 16's checks on the classifier's labelled request set: `Router.default()` (the whole catalog,
as if every provider were keyed) routes one split at dial 0, 0.5 and 1 and prints the share of each
reason code, the widest interval of a chosen model, and tool-using requests sent to a model without
tool support.

    PYTHONPATH=src python benchmarks/policy/reqset.py [--split test]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
from pathlib import Path

from benchroute.catalog.loader import load_catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, Settings
from benchroute.train.reqset.records import to_request

REQUESTS = Path(__file__).resolve().parents[2] / "data" / "requests" / "requests.jsonl"
PROVEN = ("cheapest_above_bar", "best_accuracy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    router, catalog = Router.default(), load_catalog(Settings())
    rows = [json.loads(line) for line in REQUESTS.read_text().splitlines() if line.strip()]
    picked = [r for r in rows if r["split"] == args.split]
    requests = [dataclasses.replace(to_request(r["request"]), model="auto") for r in picked]
    for dial in (0.0, 0.5, 1.0):
        reasons: collections.Counter[str] = collections.Counter()
        widths, misses = [0.0], 0
        for req in requests:
            d = router.route(req, ProjectSettings(dial=dial), RouteContext())
            reasons[d.reason] += 1
            chosen = next((c for c in d.candidates if c.model.split("@")[0] == d.model), None)
            if chosen is not None and d.reason in PROVEN:
                widths.append(chosen.high - chosen.low)
            info = catalog.get(d.model)
            uses_tools = bool(req.tools) or any(m.role == "tool" for m in req.messages)
            misses += uses_tools and info is not None and not info.tools
        n = len(requests)
        shares = ", ".join(f"{k} {v / n:.1%}" for k, v in reasons.most_common())
        print(f"dial {dial}: {n} requests; {shares}; widest chosen interval {max(widths):.3f}; "
              f"tool requests to a model without tools: {misses}")  # fmt: skip


if __name__ == "__main__":
    main()
