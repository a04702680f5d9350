"""The built-in agent's tools (OpenAI function tools) and their dispatch on a workspace.

Every call is classified: a call whose arguments are not a JSON object is `bad_json`, one whose
arguments miss or mistype a required field is `bad_args`, one naming no known tool is
`unknown_tool`. Malformed calls are answered with an error the model can act on, and counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from benchroute.bench.agent.diffs import DiffError, apply
from benchroute.bench.agent.workspace import Workspace, WorkspaceError
from benchroute.wire.canonical import Tool

MAX_OUTPUT = 8_000  # characters of a command's output shown to the model


def _tool(name: str, description: str, **props: tuple[str, str, bool]) -> Tool:
    properties = {key: {"type": kind, "description": text} for key, (kind, text, _) in props.items()}
    required = [key for key, (_, _, needed) in props.items() if needed]
    return Tool(name, description, {"type": "object", "properties": properties, "required": required})


TOOLS: tuple[Tool, ...] = (
    _tool(
        "read_file",
        "Read a file of the repository.",
        path=("string", "Path relative to the repository root.", True),
    ),
    _tool(
        "write_file",
        "Create or overwrite a file with the given content.",
        path=("string", "Path relative to the repository root.", True),
        content=("string", "The whole new content of the file.", True),
    ),
    _tool(
        "apply_diff",
        "Apply a unified diff (--- a/path, +++ b/path, @@ hunks) to files of the repository.",
        diff=("string", "The unified diff.", True),
    ),
    _tool(
        "list_files",
        "List the files under a directory.",
        path=("string", "Directory (default: the root).", False),
    ),
    _tool(
        "search",
        "Search the repository's files for a regular expression; returns file:line: text.",
        pattern=("string", "A Python regular expression.", True),
        path=("string", "Directory to search (default: the root).", False),
    ),
    _tool(
        "run_command",
        "Run a shell command in the repository root (no network; time and memory limited).",
        command=("string", "The bash command line.", True),
    ),
)
TOOL_NAMES = frozenset(t.name for t in TOOLS)


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str
    is_error: bool = False
    malformed: str | None = None  # "bad_json" | "bad_args" | "unknown_tool"


def parse_arguments(name: str, raw: str) -> dict[str, Any] | Outcome:
    """The call's arguments, or the malformed-call outcome to answer it with."""
    if name not in TOOL_NAMES:
        return Outcome(
            f"unknown tool {name!r}; the tools are: {', '.join(sorted(TOOL_NAMES))}", True, "unknown_tool"
        )
    try:
        args = json.loads(raw or "{}")
    except ValueError as exc:
        return Outcome(f"the arguments are not valid JSON ({exc}); send a JSON object", True, "bad_json")
    if not isinstance(args, dict):
        return Outcome("the arguments must be a JSON object", True, "bad_json")
    tool = next(t for t in TOOLS if t.name == name)
    for key in tool.parameters["required"]:
        if not isinstance(args.get(key), str):
            return Outcome(f"{name} needs the string argument {key!r}", True, "bad_args")
    return args


async def dispatch(ws: Workspace, name: str, raw: str) -> Outcome:
    args = parse_arguments(name, raw)
    if isinstance(args, Outcome):
        return args
    try:
        return await _run(ws, name, args)
    except (WorkspaceError, DiffError, OSError, UnicodeError) as exc:
        return Outcome(f"error: {exc}", True)


async def _run(ws: Workspace, name: str, args: dict[str, Any]) -> Outcome:
    if name == "read_file":
        return Outcome(ws.read(args["path"]))
    if name == "write_file":
        ws.write(args["path"], args["content"])
        return Outcome(f"wrote {args['path']} ({len(args['content'])} characters)")
    if name == "apply_diff":
        changed = apply(args["diff"], _reader(ws), ws.write, lambda p: ws.resolve(p).unlink())
        return Outcome("patched " + ", ".join(changed))
    if name == "list_files":
        found = ws.files(str(args.get("path") or "."))
        return Outcome("\n".join(found[:400]) or "(no files)")
    if name == "search":
        hits = ws.search(args["pattern"], str(args.get("path") or "."))
        return Outcome("\n".join(hits) or "(no matches)")
    result = await ws.run(args["command"])
    output = (result.stdout + ("\n" + result.stderr if result.stderr else ""))[-MAX_OUTPUT:]
    status = "timed out" if result.timed_out else f"exit status {result.returncode}"
    return Outcome(f"[{status}]\n{output}", not result.ok)


def _reader(ws: Workspace) -> Any:
    def read(path: str) -> str | None:
        target = ws.resolve(path)
        return target.read_text(encoding="utf-8") if target.is_file() else None

    return read
