#!/usr/bin/env python3
"""Session-aware vs per-request routing over multi-turn sessions built from public data.

    python benchmarks/sessions/run.py [--data ../shared/data] [--per-family 164] [--switch-saving 0.5]
                                      [--json out.json]

Sessions (see README.md for how each is built):
- MT-Bench: 80 two-turn questions (routellm_evals/mt_bench_question.jsonl).
- HumanEvalPack: per problem, write the function, two tool-loop requests (file written, tests run),
  then "fix this buggy version", then "explain it" (Python and JavaScript).
- Aider polyglot: an easy exercise (difficulty <= 3) with a tool loop, then a hard one (>= 7) in
  the same language with a tool loop, then a failing-test follow-up: a difficulty change midway.

Each session is replayed through the shipped Router (shipped catalog, leaderboard and classifier;
built with `only_keyed=False` because this machine has no provider keys, so every catalog model is
routable) twice: per request (each request routed alone) and with the session layer
(`SessionRouter` over the in-memory store). For every request both modes are scored on the same
Decision candidates: switches per 100 requests, mean A(m) of the chosen model, summed expected cost.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchroute.routing.base import RouteContext
from benchroute.routing.decision import Decision
from benchroute.routing.router import Router
from benchroute.sessions.memory import MemorySessionStore
from benchroute.sessions.rules import PROVEN_REASONS, in_tool_loop
from benchroute.sessions.service import SessionRouter
from benchroute.settings import ProjectSettings, Settings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SYSTEM = "You are an expert software engineer working in the user's repository. Use the tools."


@dataclass
class Session:
    family: str
    id: str
    requests: list[list[Message]] = field(default_factory=list)  # the messages of each request


class Conversation:
    """Builds the growing message list of one session; `send()` snapshots it as a request."""

    def __init__(self, family: str, sid: str) -> None:
        self.session = Session(family, sid)
        self.messages: list[Message] = [Message("system", [TextPart(SYSTEM)])]
        self.calls = 0

    def user(self, text: str) -> Conversation:
        self.messages.append(Message("user", [TextPart(text)]))
        return self

    def assistant(self, text: str) -> Conversation:
        self.messages.append(Message("assistant", [TextPart(text)]))
        return self

    def tool(self, name: str, arguments: dict[str, Any], result: str) -> Conversation:
        """The assistant calls a tool and its result comes back (the next request is a tool loop)."""
        self.calls += 1
        call = ToolCall(f"call_{self.calls}", name, json.dumps(arguments))
        self.messages.append(Message("assistant", tool_calls=[call]))
        self.messages.append(Message("tool", [TextPart(result)], tool_call_id=call.id))
        return self

    def send(self) -> Conversation:
        self.session.requests.append(list(self.messages))
        return self


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def mt_bench(data: Path) -> list[Session]:
    out = []
    for q in jsonl(data / "routellm_evals" / "mt_bench_question.jsonl"):
        c = Conversation("mt_bench", f"mt{q['question_id']}")
        c.user(q["turns"][0]).send()
        c.assistant("Here is my answer to the first question. " * 8)
        c.user(q["turns"][1]).send()
        out.append(c.session)
    return out


def humanevalpack(data: Path, per_language: int) -> list[Session]:
    out = []
    for lang in ("python", "js"):
        rows = list(jsonl(data / "humanevalpack_octopack" / f"humanevalpack_{lang}.jsonl"))[:per_language]
        for r in rows:
            c = Conversation("humanevalpack", r["task_id"])
            c.user(r["instruction"]).send()
            c.tool(
                "write_file",
                {"path": "solution", "content": r["declaration"] + r["canonical_solution"]},
                "ok",
            )
            c.send()
            c.tool("run_tests", {"cmd": "test"}, "1 failed: AssertionError in check()\n" + r["test"][:400])
            c.send()
            c.assistant("The tests pass now.")
            c.user(
                "Here is another version of the function. It has a bug; fix it and keep the signature.\n\n"
                + r["declaration"]
                + r["buggy_solution"]
                + "\n\nTests:\n"
                + r["test"]
            ).send()
            c.assistant("Fixed: " + r["canonical_solution"][:300])
            c.user(f"Explain what `{r['entry_point']}` does, step by step, to a junior developer.").send()
            out.append(c.session)
    return out


def polyglot(data: Path, limit: int) -> list[Session]:
    rows = list(jsonl(data / "aider_polyglot_exercises" / "exercises.jsonl"))
    out: list[Session] = []
    by_lang: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for r in rows:
        d = int(r["exercism_difficulty"])
        easy, hard = by_lang.setdefault(r["language"], ([], []))
        if d <= 3:
            easy.append(r)
        elif d >= 7:
            hard.append(r)
    pairs = [(e, h) for easy, hard in by_lang.values() for e, h in zip(easy, hard, strict=False)]
    for first, second in pairs[:limit]:
        c = Conversation("polyglot", f"{first['language']}/{first['slug']}+{second['slug']}")
        for i, ex in enumerate((first, second)):
            names = ex["solution_files"]
            files = ", ".join(json.loads(names) if isinstance(names, str) else names)
            ask = f"Implement the exercise in {ex['language']} ({files}).\n\n{ex['instructions']}"
            c.user(ask if i == 0 else "Tests pass. Next task.\n\n" + ask).send()
            c.tool("edit_file", {"path": files.split(", ")[0] if files else "main"}, "applied edit")
            c.send()
            c.tool("run_tests", {}, "2 passed, 1 failed: expected 42, got 41")
            c.send()
            c.assistant("Done: all tests pass.")
        c.user("The CI run fails on the edge case with an empty input: fix it.").send()
        out.append(c.session)
    return out


@dataclass
class Tally:
    requests: int = 0
    switches: int = 0
    switches_in_tool_loops: int = 0
    accuracy_sum: float = 0.0
    accuracy_n: int = 0
    cost: float = 0.0
    proven_sum: float = 0.0  # mean A over requests where the policy's choice is evidence-backed
    proven_n: int = 0
    unproven_stays: int = 0  # kept on a model with no evidence for the request's cells
    actions: dict[str, int] = field(default_factory=dict)

    def add(self, decision: Decision, policy: Decision, previous: str | None, tool_loop: bool) -> None:
        self.requests += 1
        if previous is not None and previous != decision.model:
            self.switches += 1
            self.switches_in_tool_loops += tool_loop
        cand = next((c for c in policy.candidates if c.model == decision.model), None)
        if cand is not None and cand.expected_accuracy is not None:
            self.accuracy_sum += cand.expected_accuracy
            self.accuracy_n += 1
            if policy.reason in PROVEN_REASONS:
                self.proven_sum += cand.expected_accuracy
                self.proven_n += 1
        if decision.session_action == "stay" and cand is not None and cand.note == "no_evidence":
            self.unproven_stays += 1
        cost = cand.expected_cost if cand is not None else decision.expected_cost
        self.cost += cost or 0.0
        self.actions[decision.session_action] = self.actions.get(decision.session_action, 0) + 1

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "switches": self.switches,
            "switches_per_100": round(100 * self.switches / max(1, self.requests), 2),
            "switches_in_tool_loops": self.switches_in_tool_loops,
            "mean_accuracy": round(self.accuracy_sum / max(1, self.accuracy_n), 4),
            "scored": self.accuracy_n,
            "mean_accuracy_proven": round(self.proven_sum / max(1, self.proven_n), 4),
            "proven_requests": self.proven_n,
            "unproven_stays": self.unproven_stays,
            "cost_usd": round(self.cost, 6),
            "actions": dict(sorted(self.actions.items())),
        }


async def replay(router: Router, sessions: list[Session], project: ProjectSettings) -> dict[str, Any]:
    layer = SessionRouter(MemorySessionStore(), catalog=router.catalog)
    per_request: dict[str, Tally] = {}
    aware: dict[str, Tally] = {}
    timing = {"route": 0.0, "session": 0.0}
    for s in sessions:
        prev_p: str | None = None
        prev_s: str | None = None
        for i, messages in enumerate(s.requests):
            ctx = RequestContext(task_id=f"{s.family}:{s.id}", key_id="bench")
            request = ChatRequest(model="auto", messages=messages, context=ctx)
            loop = in_tool_loop(request)
            t0 = time.perf_counter()
            policy = router.route(request, project, RouteContext(session_key=ctx.task_id))
            t1 = time.perf_counter()
            routed = await layer.route(router, request, "default", project, decision_id=f"{s.id}#{i}")
            timing["route"] += t1 - t0
            timing["session"] += time.perf_counter() - t1
            for fam in (s.family, "all"):
                per_request.setdefault(fam, Tally()).add(policy, policy, prev_p, loop)
                aware.setdefault(fam, Tally()).add(routed.decision, policy, prev_s, loop)
            prev_p, prev_s = policy.model, routed.decision.model
    out: dict[str, Any] = {}
    for fam in per_request:
        p, a = per_request[fam].summary(), aware[fam].summary()
        out[fam] = {
            "per_request": p,
            "session_aware": a,
            "switch_reduction": round(1 - a["switches"] / p["switches"], 4) if p["switches"] else None,
            "accuracy_delta_points": round(100 * (a["mean_accuracy"] - p["mean_accuracy"]), 2),
            "accuracy_delta_points_proven": round(
                100 * (a["mean_accuracy_proven"] - p["mean_accuracy_proven"]), 2
            ),
            "cost_ratio": round(a["cost_usd"] / p["cost_usd"], 4) if p["cost_usd"] else None,
        }
    n = per_request["all"].requests if "all" in per_request else 0
    if n:
        out["timing_us_per_request"] = {
            "route_alone": round(1e6 * timing["route"] / n, 1),
            "route_with_session_layer": round(1e6 * timing["session"] / n, 1),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--per-family", type=int, default=164, help="HumanEvalPack problems per language")
    ap.add_argument("--switch-saving", type=float, default=0.5)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    t0 = time.perf_counter()
    router = Router.from_settings(Settings.load(), only_keyed=False)
    load_s = time.perf_counter() - t0
    sessions = [
        *mt_bench(args.data),
        *humanevalpack(args.data, args.per_family),
        *polyglot(args.data, args.per_family),
    ]
    project = ProjectSettings(switch_saving=args.switch_saving)
    t1 = time.perf_counter()
    results = asyncio.run(replay(router, sessions, project))
    run_s = time.perf_counter() - t1
    n = sum(len(s.requests) for s in sessions)
    print(f"router loaded in {load_s:.1f}s; {len(sessions)} sessions, {n} requests replayed in {run_s:.1f}s")
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def report(results: dict[str, Any]) -> None:
    timing = results.pop("timing_us_per_request", None)
    print(
        f"{'family':<14}{'mode':<15}{'req':>6}{'sw/100':>8}{'sw in loops':>12}{'mean A':>8}"
        f"{'A proven':>10}{'cost $':>10}"
    )
    for fam, r in results.items():
        for mode in ("per_request", "session_aware"):
            m = r[mode]
            print(
                f"{fam:<14}{mode:<15}{m['requests']:>6}{m['switches_per_100']:>8}"
                f"{m['switches_in_tool_loops']:>12}{m['mean_accuracy']:>8.4f}"
                f"{m['mean_accuracy_proven']:>10.4f}{m['cost_usd']:>10.4f}"
            )
        red = r["switch_reduction"]
        print(
            f"{'':<14}-> switches {'-' if red is None else f'{-100 * red:+.1f}%'}, "
            f"accuracy {r['accuracy_delta_points']:+.2f} points "
            f"({r['accuracy_delta_points_proven']:+.2f} on the {r['per_request']['proven_requests']} "
            f"requests with an evidence-backed policy choice), cost x{r['cost_ratio']}; "
            f"session actions {r['session_aware']['actions']}, "
            f"stays on a model without evidence for the cells: {r['session_aware']['unproven_stays']}"
        )
    if timing:
        print(
            f"per request: Router.route {timing['route_alone']} us; with the session layer (in-memory "
            f"store, Router.route included) {timing['route_with_session_layer']} us"
        )
    results["timing_us_per_request"] = timing


if __name__ == "__main__":
    main()
