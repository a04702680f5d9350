#!/usr/bin/env python3
"""~40 realistic coding-assistant requests through `Router.default()` with every provider keyed.

Kilo Code (agent system prompt, tools, tool results, every mode), Claude Code (messages API),
Codex (responses API) and plain chat requests: renames, tracebacks, pytest requests, design
questions, reviews, docs, shell work, and a few that are not about code. Prints, per request, the
classified route and the model at dial 0 / 0.5 / 1, then the shares of `no_evidence` and
`low_confidence`, how often dial 0 and 1 differ, the widest interval of a chosen model, and
whether any tool request went to a model without tool support.

    PYTHONPATH=src python benchmarks/policy/realistic.py
"""

from __future__ import annotations

from collections import Counter

from benchroute.routing.base import RouteContext
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, Settings
from benchroute.wire.canonical import ApiKind, ChatRequest, Message, RequestContext, TextPart, Tool, ToolCall

KILO = (
    "You are Kilo Code, a highly skilled software engineer with extensive knowledge in many languages. " * 6
)
CLAUDE = "You are Claude Code, Anthropic's official CLI for Claude. Use the tools to help the user. " * 6
CODEX = "You are Codex, a coding agent running in the user's terminal. Follow AGENTS.md. " * 6
TOOLS = [
    Tool("read_file", "Read a file from the workspace"),
    Tool("write_to_file", "Write a file"),
    Tool("execute_command", "Run a shell command"),
    Tool("search_files", "Regex search over files"),
]
TRACEBACK = """Traceback (most recent call last):
  File "app/api.py", line 88, in create_user
    user = User(**payload)
TypeError: User.__init__() got an unexpected keyword argument 'email_address'"""
CODE = """def merge(a, b):
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i]); i += 1
        else:
            out.append(b[j]); j += 1
    return out + a[i:] + b[j:]
"""

# (label, client, mode, text, agent: tools and a tool loop)
CASES: list[tuple[str, str, str | None, str, bool]] = [
    ("rename", "kilo", "code", "Rename the function `getUser` to `fetch_user` across the repo.", True),
    ("traceback", "kilo", "debug", f"Fix this error:\n{TRACEBACK}", True),
    ("pytest", "kilo", "code", f"Write pytest tests for this function:\n{CODE}", True),
    (
        "design",
        "kilo",
        "architect",
        "Design the migration from our monolith's session auth to OAuth2 with PKCE.",
        False,
    ),
    ("review", "kilo", "ask", f"Review this code for bugs and style issues:\n{CODE}", False),
    (
        "explain",
        "kilo",
        "ask",
        "Where is the retry logic for failed webhooks defined, and how does it back off?",
        True,
    ),
    ("docs", "kilo", "code", f"Add Google-style docstrings to this function:\n{CODE}", True),
    (
        "shell",
        "kilo",
        "code",
        "Run the test suite with coverage and tell me which modules are under 80%.",
        True,
    ),
    ("orchestrate", "kilo", "orchestrator", "Break down adding multi-tenant billing into subtasks.", True),
    ("refactor", "kilo", "code", "Extract the payment validation in checkout.py into its own module.", True),
    (
        "rust",
        "kilo",
        "code",
        "Implement a suffix automaton in Rust with longest common substring queries.",
        True,
    ),
    (
        "segfault",
        "kilo",
        "debug",
        "My C++ program segfaults when the vector is resized inside the loop. Why?",
        True,
    ),
    (
        "fastapi",
        "kilo",
        "code",
        "Add a FastAPI endpoint POST /orders that validates with pydantic and stores to Postgres.",
        True,
    ),
    (
        "lifetime",
        "kilo",
        "ask",
        "Why does Rust complain that `x` does not live long enough in my closure?",
        False,
    ),
    (
        "commit",
        "kilo",
        "code",
        "Write a commit message for the staged changes that rename the config loader.",
        True,
    ),
    (
        "ci",
        "kilo",
        "debug",
        "The GitHub Actions build fails with `npm ERR! code ERESOLVE`. Fix the workflow.",
        True,
    ),
    ("perf", "kilo", "code", "This pandas groupby takes 40s on 10M rows; make it faster.", True),
    ("migration", "kilo", "architect", "Plan the move from SQLAlchemy 1.4 to 2.0 across 60 modules.", False),
    ("typo", "kilo", "code", "Fix the typo 'recieve' in the README.", True),
    (
        "k8s",
        "kilo",
        "code",
        "Write a Kubernetes deployment and service for the API with health checks.",
        True,
    ),
    (
        "cc-bug",
        "claude",
        None,
        f"The signup endpoint returns 500.\n{TRACEBACK}\nFind the root cause and fix it.",
        True,
    ),
    (
        "cc-tests",
        "claude",
        None,
        "Add unit tests for the rate limiter in limits/memory.py, including edge cases.",
        True,
    ),
    (
        "cc-refactor",
        "claude",
        None,
        "Split the 900-line gateway/pipeline.py into pipeline, relay and records.",
        True,
    ),
    ("cc-explain", "claude", None, "Explain how the session store decides when to evict entries.", True),
    ("cc-feature", "claude", None, "Add a --json flag to the `usage` CLI command.", True),
    ("cc-review", "claude", None, "Review the diff in the last commit and point out risky changes.", True),
    (
        "cc-docs",
        "claude",
        None,
        "Update the README's configuration section for the new [limits] table.",
        True,
    ),
    ("cc-shell", "claude", None, "Set up a Python virtualenv, install the dev extras and run ruff.", True),
    (
        "codex-fix",
        "codex",
        None,
        "Tests in tests/test_parser.py fail after the tokenizer change; fix them.",
        True,
    ),
    ("codex-impl", "codex", None, "Implement LRU caching for the price lookup with a TTL.", True),
    ("codex-plan", "codex", None, "Propose a plan to add OpenTelemetry tracing to every request path.", True),
    ("codex-cmd", "codex", None, "Find which process listens on port 8080 and restart the service.", True),
    ("chat-regex", "chat", None, "Write a regex that matches ISO 8601 dates with optional time.", False),
    ("chat-sql", "chat", None, "Why is this SQL slow: SELECT * FROM orders WHERE lower(email) = $1?", False),
    ("chat-algo", "chat", None, "Implement Dijkstra's algorithm in TypeScript with a binary heap.", False),
    ("chat-tests", "chat", None, f"Write property-based tests with hypothesis for:\n{CODE}", False),
    ("chat-explain", "chat", None, f"Explain what this code does:\n{CODE}", False),
    ("not-code-1", "chat", None, "What's a good name for a golden retriever puppy?", False),
    (
        "not-code-2",
        "chat",
        None,
        "Summarise the causes of the French Revolution in three bullet points.",
        False,
    ),
    ("not-code-3", "chat", None, "Translate 'see you tomorrow' into Spanish and German.", False),
]
CLIENTS: dict[str, tuple[str, ApiKind]] = {
    "kilo": (KILO, "chat"),
    "claude": (CLAUDE, "messages"),
    "codex": (CODEX, "responses"),
    "chat": ("", "chat"),
}


def build(client: str, mode: str | None, text: str, agent: bool) -> ChatRequest:
    system, api = CLIENTS[client]
    messages = [Message(role="system", content=[TextPart(system)])] if system else []
    messages.append(Message(role="user", content=[TextPart(text)]))
    if agent:  # one round of the tool loop: the model looked around, the tool answered
        call = ToolCall(id="c1", name="search_files", arguments='{"regex": "def ", "path": "."}')
        messages.append(Message(role="assistant", content=[TextPart("Let me look.")], tool_calls=[call]))
        messages.append(
            Message(role="tool", content=[TextPart("app/api.py:88: def create_user")], tool_call_id="c1")
        )
    return ChatRequest(
        model="auto/efficient",
        messages=messages,
        tools=list(TOOLS) if agent else [],
        context=RequestContext(api_kind=api, mode=mode),
    )


def main() -> None:
    router = Router.default(Settings())  # the whole catalog: as if every provider were keyed
    reasons: Counter[str] = Counter()
    differ = tool_violations = wide = 0
    widest = 0.0
    limit = router.params.max_width
    print(f"{'request':13} {'route':17} {'dial 0':38} {'dial 0.5':38} {'dial 1':38} reason")
    for label, client, mode, text, agent in CASES:
        req = build(client, mode, text, agent)
        ds = [
            router.route(req, ProjectSettings(dial=d), RouteContext(session_key=label))
            for d in (0.0, 0.5, 1.0)
        ]
        reasons[ds[1].reason] += 1
        differ += ds[0].model != ds[2].model
        for d in ds:
            info = router.catalog.get(d.model)
            if agent and (info is None or not info.tools):
                tool_violations += 1
            chosen = next((c for c in d.candidates if c.model.split("@")[0] == d.model and c.eligible), None)
            if chosen is not None and chosen.low is not None and chosen.high is not None:
                widest = max(widest, chosen.high - chosen.low)
                wide += chosen.high - chosen.low > limit + 1e-9
        top = max(ds[1].cells.items(), key=lambda kv: kv[1])[0] if ds[1].cells else "-"
        print(f"{label:13} {top:17} {ds[0].model:38} {ds[1].model:38} {ds[2].model:38} {ds[1].reason}")
    n = len(CASES)
    print(
        f"\n{n} requests at dial 0.5: "
        + ", ".join(f"{r} {c} ({c / n:.0%})" for r, c in reasons.most_common())
    )
    print(f"no_evidence {reasons['no_evidence'] / n:.0%}, low_confidence {reasons['low_confidence'] / n:.0%}")
    print(f"dial 0 and dial 1 pick different models on {differ} of {n}")
    print(f"widest interval of a chosen model: {widest:.3f} (limit {limit}); over the limit: {wide}")
    print(f"tool requests sent to a model without tool support: {tool_violations}")


if __name__ == "__main__":
    main()
