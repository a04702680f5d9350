"""Request shapes of the coding clients, as the gateway sees them after parsing.

Written from the clients' public prompts and docs (summarised, not copied):
- Kilo Code (and Cline/Roo, which share its shape): a long system prompt with the mode's role and
  tool rules; the user turn wrapped in <task>...</task> plus an <environment_details> block; tools
  either native (read_file, apply_diff, execute_command, ...) or in the XML protocol, where tool
  results come back as user turns "[read_file for 'x'] Result: ..."; the mode in `x-kilocode-mode`.
- Claude Code: the Anthropic messages API, a system prompt for an interactive CLI agent, tools
  Task/Bash/Glob/Grep/Read/Edit/Write/TodoWrite/...; <system-reminder> blocks inside user turns
  (plan mode is announced in one); tool results with `is_error` when a command fails.
- Codex CLI: the responses API, `instructions` for a terminal coding agent, tools shell/apply_patch/
  update_plan; AGENTS.md before the task, as an older `<user_instructions>` turn or the current
  "# AGENTS.md instructions for <dir>" + `<INSTRUCTIONS>` turn (with `<environment_context>` as its
  second part or its own turn), sometimes a `<permissions instructions>` developer message; from
  the IDE extension the person's words come after "# Context from my IDE setup: ... ## My request
  for Codex:"; plan mode is a `<collaboration_mode>` developer message; shell output is either
  structured JSON with the exit code at the end or freeform text opening with "Exit code: N".
- Plain SDK: an optional short system prompt and the user's text.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

CLIENTS = ("kilo", "claude_code", "codex", "sdk")

KILO_SYSTEM = (
    "You are Kilo Code, a highly skilled software engineer with extensive knowledge in many programming "
    "languages, frameworks, design patterns, and best practices.\n\n====\n\nTOOL USE\n\nYou have access to a "
    "set of tools that are executed upon the user's approval. You can use one tool per message.\n\n"
    "# Tools\n\n"
    "## read_file\nDescription: Request to read the contents of one or more files.\n## search_files\n"
    "## list_files\n## list_code_definition_names\n## apply_diff\n## write_to_file\n## execute_command\n"
    "## ask_followup_question\n## attempt_completion\n## switch_mode\n## new_task\n## update_todo_list\n\n"
    "====\n\nRULES\n\n- The project base directory is: /home/dev/app\n- Do not ask for more information than "
    "necessary.\n\n====\n\nMODES\n\n- code, architect, ask, debug, orchestrator\n"
)
KILO_ROLE = {
    "code": "You are in Code mode: write, modify and refactor code.",
    "architect": "You are in Architect mode: plan and design before implementation.",
    "ask": "You are in Ask mode: answer questions and explain; do not modify files.",
    "debug": "You are in Debug mode: diagnose problems systematically before fixing.",
    "orchestrator": "You are in Orchestrator mode: break work into subtasks and delegate with new_task.",
    "plan": "You are in Plan mode: build a spec and plan; do not edit code.",
}
KILO_TOOLS = (
    "read_file",
    "search_files",
    "list_files",
    "apply_diff",
    "write_to_file",
    "execute_command",
    "ask_followup_question",
    "attempt_completion",
    "switch_mode",
    "new_task",
    "update_todo_list",
)
CLAUDE_SYSTEM = (
    "You are Claude Code, Anthropic's official CLI for Claude.\nYou are an interactive CLI tool that helps "
    "users with software engineering tasks. Use the instructions below and the tools available to you to "
    "assist the user.\n\n# Tone and style\nBe concise.\n\n# Doing tasks\nUse the TodoWrite tool to plan "
    "tasks. Use search tools to understand the codebase. Verify with tests.\n\n<env>\nWorking directory: "
    "/home/dev/app\nIs directory a git repo: Yes\nPlatform: linux\n</env>"
)
CLAUDE_TOOLS = (
    "Task",
    "Bash",
    "Glob",
    "Grep",
    "LS",
    "Read",
    "Edit",
    "MultiEdit",
    "Write",
    "NotebookEdit",
    "WebFetch",
    "TodoWrite",
    "WebSearch",
    "ExitPlanMode",
)
CLAUDE_PLAN = (
    "<system-reminder>\nPlan mode is active. The user indicated that they do not want you to execute "
    "yet -- you MUST NOT make any edits or run non-readonly tools. Present your plan with "
    "ExitPlanMode.\n</system-reminder>"
)
CODEX_SYSTEM = (
    "You are a coding agent running in the Codex CLI, a terminal-based coding assistant. You are expected "
    "to be precise, safe, and helpful.\n\n## Planning\nUse the update_plan tool for non-trivial tasks.\n\n"
    "## Editing\nUse apply_patch to edit files. Prefer rg for searches.\n\n## Sandbox and approvals\n"
    "The sandbox is workspace-write; approval policy on-request."
)
CODEX_TOOLS = ("shell", "apply_patch", "update_plan", "view_image")
CODEX_AGENTS = (
    "<user_instructions>\n# AGENTS.md\n- Run `make test` before finishing.\n- Use type hints.\n"
    "</user_instructions>"
)
CODEX_ENV = (
    "<environment_context>\n  <cwd>/home/dev/app</cwd>\n  <approval_policy>on-request</approval_policy>\n"
    "  <sandbox_mode>workspace-write</sandbox_mode>\n  <network_access>restricted</network_access>\n"
    "  <shell>bash</shell>\n</environment_context>"
)
CODEX_AGENTS_NEW = (
    "# AGENTS.md instructions for /home/dev/app\n\n<INSTRUCTIONS>\n- Run `make test` before finishing.\n"
    "- Use type hints.\n</INSTRUCTIONS>"
)
CODEX_PERMISSIONS = (
    "<permissions instructions>\nFilesystem sandboxing: workspace-write. Network access is restricted. "
    "Approval policy: on-request.\n</permissions instructions>"
)
CODEX_PLAN = (
    "<collaboration_mode># Collaboration Mode: Plan\n\nYou are in Plan mode: explore and ask, then "
    "propose a plan; do not edit files.\n</collaboration_mode>"
)
SDK_SYSTEMS = ("", "You are a helpful assistant.", "You are an expert software engineer. Answer concisely.")


@dataclass(slots=True)
class ToolStep:
    """One agent step: a tool of a kind ("read", "run", "search") with its argument and result."""

    kind: str
    arg: str
    result: str
    failed: bool = False


@dataclass(slots=True)
class Conversation:
    user_text: str
    steps: list[ToolStep] = field(default_factory=list)
    earlier: tuple[str, str] | None = None  # an earlier (user, assistant) exchange
    followup: str | None = None  # a later, generic user turn ("continue")


def _env_details(mode: str, rng: random.Random) -> str:
    files = "\n".join(
        f"src/{n}.py"
        for n in rng.sample(
            ["app", "models", "views", "db", "auth", "api", "cli", "jobs", "utils", "config"], 5
        )
    )
    return (
        f"<environment_details>\n# VSCode Visible Files\nsrc/app.py\n\n# Current Time\n2026-03-04 10:12\n\n"
        f"# Current Mode\n<slug>{mode}</slug>\n\n# Current Workspace Directory (/home/dev/app) Files\n"
        f"{files}\n</environment_details>"
    )


_KILO_NAMES = {"read": "read_file", "run": "execute_command", "search": "search_files"}
_CLAUDE_NAMES = {"read": "Read", "run": "Bash", "search": "Grep"}


def kilo(conv: Conversation, mode: str, rng: random.Random) -> dict[str, Any]:
    native = rng.random() < 0.5
    msgs: list[dict[str, Any]] = [{"role": "system", "content": f"{KILO_SYSTEM}\n{KILO_ROLE[mode]}"}]
    if conv.earlier:
        msgs += [
            {"role": "user", "content": f"<task>\n{conv.earlier[0]}\n</task>"},
            {"role": "assistant", "content": conv.earlier[1]},
        ]
        first = f"<feedback>\n{conv.user_text}\n</feedback>"
    else:
        first = f"<task>\n{conv.user_text}\n</task>"
    msgs.append({"role": "user", "content": f"{first}\n{_env_details(mode, rng)}"})
    for i, step in enumerate(conv.steps):
        name = _KILO_NAMES[step.kind]
        if native:
            msgs.append(
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        {"id": f"call_{i}", "name": name, "arguments": json.dumps({"path": step.arg})}
                    ],
                }
            )
            msgs.append({"role": "tool", "tool_call_id": f"call_{i}", "content": step.result})
        else:
            msgs.append({"role": "assistant", "content": f"<{name}>\n<path>{step.arg}</path>\n</{name}>"})
            msgs.append({"role": "user", "content": f"[{name} for '{step.arg}'] Result:\n{step.result}"})
    if conv.followup:
        msgs.append({"role": "assistant", "content": "I have made the first changes. Shall I continue?"})
        msgs.append({"role": "user", "content": f"<user_message>\n{conv.followup}\n</user_message>"})
    return {"api_kind": "chat", "mode": mode, "tools": list(KILO_TOOLS) if native else [], "messages": msgs}


def claude_code(conv: Conversation, plan_mode: bool, rng: random.Random) -> dict[str, Any]:
    reminder = (
        "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n"
        "# claudeMd\nUse uv for Python. Run the linters before committing.\n</system-reminder>\n"
    )
    msgs: list[dict[str, Any]] = [{"role": "system", "content": CLAUDE_SYSTEM}]
    if conv.earlier:
        msgs += [
            {"role": "user", "content": conv.earlier[0]},
            {"role": "assistant", "content": conv.earlier[1]},
        ]
    text = f"{reminder}{conv.user_text}"
    if plan_mode:
        text = f"{text}\n{CLAUDE_PLAN}"
    msgs.append({"role": "user", "content": text})
    for i, step in enumerate(conv.steps):
        name = _CLAUDE_NAMES[step.kind]
        key = "command" if step.kind == "run" else "file_path" if step.kind == "read" else "pattern"
        msgs.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": f"toolu_{i}", "name": name, "arguments": json.dumps({key: step.arg})}],
            }
        )
        msgs.append(
            {"role": "tool", "tool_call_id": f"toolu_{i}", "content": step.result, "is_error": step.failed}
        )
    if conv.followup:
        msgs.append({"role": "assistant", "content": "Done with the first part."})
        msgs.append({"role": "user", "content": conv.followup})
    return {"api_kind": "messages", "mode": None, "tools": list(CLAUDE_TOOLS), "messages": msgs}


def _codex_ide(text: str, rng: random.Random) -> str:
    tabs = "\n".join(f"- {n}.py: src/{n}.py" for n in rng.sample(["app", "db", "api", "models", "jobs"], 2))
    return (
        f"# Context from my IDE setup:\n\n## Active file: src/app.py\n\n## Open tabs:\n{tabs}\n\n"
        f"## My request for Codex:\n{text}"
    )


def _codex_output(step: ToolStep, structured: bool) -> str:
    code = 1 if step.failed else 0
    if structured:
        return json.dumps({"output": step.result, "metadata": {"exit_code": code, "duration_seconds": 0.4}})
    return f"Exit code: {code}\nWall time: 0.4 seconds\nOutput:\n{step.result}"


def _codex_context(sub: random.Random, plan_mode: bool) -> list[dict[str, Any]]:
    """What Codex sends before the person's first words: AGENTS.md, environment, developer notes."""
    msgs: list[dict[str, Any]] = [{"role": "system", "content": CODEX_SYSTEM}]
    if sub.random() < 0.25:
        msgs.append({"role": "system", "content": CODEX_PERMISSIONS})
    if plan_mode:
        msgs.append({"role": "system", "content": CODEX_PLAN})
    if sub.random() < 0.35:
        msgs += [{"role": "user", "content": CODEX_AGENTS}, {"role": "user", "content": CODEX_ENV}]
    elif sub.random() < 0.5:
        msgs.append({"role": "user", "content": [CODEX_AGENTS_NEW, CODEX_ENV]})
    else:
        msgs += [{"role": "user", "content": CODEX_AGENTS_NEW}, {"role": "user", "content": CODEX_ENV}]
    return msgs


def codex(conv: Conversation, rng: random.Random, plan_mode: bool = False) -> dict[str, Any]:
    # The variants are drawn from the conversation's own generator, so the shared `rng` advances
    # as before and requests in the other shapes stay the same.
    sub = random.Random(f"codex:{conv.user_text}")
    msgs = _codex_context(sub, plan_mode)
    if conv.earlier:
        msgs += [
            {"role": "user", "content": conv.earlier[0]},
            {"role": "assistant", "content": conv.earlier[1]},
        ]
    ide = sub.random() < 0.3
    msgs.append({"role": "user", "content": _codex_ide(conv.user_text, sub) if ide else conv.user_text})
    structured = sub.random() < 0.5
    for i, step in enumerate(conv.steps):
        cmd = (
            step.arg
            if step.kind == "run"
            else f"sed -n '1,200p' {step.arg}"
            if step.kind == "read"
            else f"rg -n {step.arg}"
        )
        msgs.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": f"call_{i}",
                        "name": "shell",
                        "arguments": json.dumps({"command": ["bash", "-lc", cmd]}),
                    }
                ],
            }
        )
        msgs.append({"role": "tool", "tool_call_id": f"call_{i}", "content": _codex_output(step, structured)})
    if conv.followup:
        msgs.append({"role": "assistant", "content": "Next step?"})
        msgs.append({"role": "user", "content": _codex_ide(conv.followup, sub) if ide else conv.followup})
    return {"api_kind": "responses", "mode": None, "tools": list(CODEX_TOOLS), "messages": msgs}


def sdk(conv: Conversation, rng: random.Random) -> dict[str, Any]:
    system = rng.choice(SDK_SYSTEMS)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    if conv.earlier:
        msgs += [
            {"role": "user", "content": conv.earlier[0]},
            {"role": "assistant", "content": conv.earlier[1]},
        ]
    text = conv.user_text
    if conv.steps:  # a plain-SDK user pastes what the tool would have shown
        text += "\n\n" + "\n\n".join(f"```\n{s.result}\n```" for s in conv.steps[-1:])
    msgs.append({"role": "user", "content": text})
    if conv.followup:
        msgs += [
            {"role": "assistant", "content": "Here is a first version."},
            {"role": "user", "content": conv.followup},
        ]
    return {"api_kind": "chat", "mode": None, "tools": [], "messages": msgs}


# Kilo mode given the route: people mostly pick the matching mode, not always.
KILO_MODES: dict[str, tuple[tuple[str, float], ...]] = {
    "plan": (("architect", 0.4), ("plan", 0.25), ("code", 0.2), ("orchestrator", 0.1), ("ask", 0.05)),
    "debug": (("debug", 0.45), ("code", 0.45), ("ask", 0.1)),
    "explain": (("ask", 0.55), ("code", 0.35), ("architect", 0.1)),
    "general": (("ask", 0.5), ("code", 0.5)),
    "implement": (("code", 0.75), ("orchestrator", 0.15), ("architect", 0.05), ("debug", 0.05)),
}
KILO_DEFAULT = (("code", 0.85), ("orchestrator", 0.05), ("ask", 0.05), ("debug", 0.05))


def _pick(table: tuple[tuple[str, float], ...], rng: random.Random) -> str:
    u, acc = rng.random(), 0.0
    for value, p in table:
        acc += p
        if u < acc:
            return value
    return table[-1][0]


def shape(conv: Conversation, route: str, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """Wrap a conversation in one client's shape, chosen at random."""
    client = rng.choice(CLIENTS)
    if client == "kilo":
        return client, kilo(conv, _pick(KILO_MODES.get(route, KILO_DEFAULT), rng), rng)
    if client == "claude_code":
        plan = (route == "plan" and rng.random() < 0.4) or rng.random() < 0.03
        return client, claude_code(conv, plan, rng)
    if client == "codex":
        plan = random.Random(f"codex-plan:{conv.user_text}").random() < (0.3 if route == "plan" else 0.02)
        return client, codex(conv, rng, plan)
    return client, sdk(conv, rng)
