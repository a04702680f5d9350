"""Codex CLI requests end to end: a Responses body shaped as the CLI sends it (instructions, the
AGENTS.md / environment / permissions turns, the IDE extension's context heading, the plan
collaboration mode, both shell output formats) goes through the gateway's body parser, and the
features read the person's own words and the tool loop's state."""

from __future__ import annotations

import json
from typing import Any

from benchroute.routing.features import extract
from benchroute.routing.signals import split_instruction
from benchroute.wire import responses_request
from benchroute.wire.canonical import ChatRequest, RequestContext

INSTRUCTIONS = "You are a coding agent running in the Codex CLI, a terminal-based coding assistant."
AGENTS = "# AGENTS.md instructions for /home/dev/app\n\n<INSTRUCTIONS>\n- run make test\n</INSTRUCTIONS>"
ENV = "<environment_context>\n  <cwd>/home/dev/app</cwd>\n  <shell>zsh</shell>\n</environment_context>"
IDE = (
    "# Context from my IDE setup:\n\n## Active file: src/billing/invoice.py\n\n## Open tabs:\n"
    "- invoice.py: src/billing/invoice.py\n- models.py: src/billing/models.py\n\n## My request for Codex:\n"
)


def _text(text: str) -> list[dict[str, str]]:
    return [{"type": "input_text", "text": text}]


def _user(*texts: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [p for t in texts for p in _text(t)]}


def _developer(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "developer", "content": _text(text)}


def _shell(call_id: str, cmd: str, output: str) -> list[dict[str, Any]]:
    args = json.dumps({"command": ["bash", "-lc", cmd]})
    return [
        {"type": "function_call", "call_id": call_id, "name": "shell", "arguments": args},
        {"type": "function_call_output", "call_id": call_id, "output": output},
    ]


def _codex(*items: dict[str, Any]) -> ChatRequest:
    body = {"model": "auto", "instructions": INSTRUCTIONS, "input": list(items), "stream": True}
    return responses_request.parse_request(
        body, RequestContext(api_kind="responses", client_name="codex_cli_rs")
    )


def test_the_agents_md_and_environment_turn_is_not_the_task() -> None:
    feats = extract(_codex(_user(AGENTS, ENV), _user("why does the invoice total ignore the coupon?")))
    assert feats.instruction == "why does the invoice total ignore the coupon?"
    assert feats.named()["user_turns"] == 0.0  # the AGENTS.md turn is not a turn of the person's


def test_a_follow_up_defers_to_the_task_not_to_agents_md() -> None:
    feats = extract(
        _codex(
            _user(AGENTS),
            _user(ENV),
            _user("add a --json flag to the status command"),
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Go on?"}]},
            _user("yes, go ahead"),
        )
    )
    assert feats.instruction == "add a --json flag to the status command"


def test_the_ide_context_heading_leaves_the_persons_words() -> None:
    feats = extract(_codex(_user(AGENTS, ENV), _user(IDE + "write tests for the coupon rounding")))
    assert feats.instruction == "write tests for the coupon rounding"
    assert "Open tabs" not in feats.text and "Active file" not in feats.text


def test_permissions_aborted_turns_and_shell_commands_are_context() -> None:
    feats = extract(
        _codex(
            _developer("<permissions instructions>\nsandbox: workspace-write\n</permissions instructions>"),
            _user(AGENTS, ENV),
            _user("explain how the retry queue works"),
            _user("<turn_aborted>\nThe user interrupted the turn.\n</turn_aborted>"),
            _user(
                "<user_shell_command>\n<command>ls</command>\n<result>\nsrc\n</result>\n</user_shell_command>"
            ),
        )
    )
    assert feats.instruction == "explain how the retry queue works"


def test_plan_collaboration_mode_reads_as_plan_mode() -> None:
    plan = "<collaboration_mode># Collaboration Mode: Plan\n\nYou are in Plan mode.\n</collaboration_mode>"
    default = "<collaboration_mode># Collaboration Mode: Default\n\nDefault mode.</collaboration_mode>"
    ask = _user("move the config from yaml files to env vars")
    assert extract(_codex(_developer(plan), _user(AGENTS, ENV), ask)).mode == "plan"
    assert extract(_codex(_developer(default), _user(AGENTS, ENV), ask)).mode is None
    # the latest collaboration mode decides
    assert extract(_codex(_developer(plan), _user(AGENTS, ENV), ask, _developer(default), ask)).mode is None


def test_freeform_shell_output_exit_code_is_read_from_its_head() -> None:
    output = "Exit code: 2\nWall time: 3.1 seconds\nOutput:\n" + "compiling module ...\n" * 200
    named = extract(_codex(_user(AGENTS, ENV), _user("fix the build"), *_shell("c1", "make", output))).named()
    assert named["tool_exit_nonzero"] == 1.0
    ok = "Exit code: 0\nWall time: 0.2 seconds\nOutput:\n" + "done\n" * 300
    assert extract(_codex(_user("run it"), *_shell("c1", "make", ok))).named()["tool_exit_nonzero"] == 0.0


def test_structured_shell_output_lines_are_read_as_lines() -> None:
    pytest_out = "....F\nFAILED tests/test_cart.py::test_discount - assert 10.0 == 9.0\n"
    structured = json.dumps({"output": pytest_out, "metadata": {"exit_code": 1, "duration_seconds": 0.4}})
    failing = extract(_codex(_user("make it pass"), *_shell("c1", "pytest -q", structured))).named()
    assert failing["tool_failing_tests"] == 1.0 and failing["tool_exit_nonzero"] == 1.0
    go_ok = json.dumps({"output": "ok  \tgithub.com/acme/app/queue\t0.2s\n", "metadata": {"exit_code": 0}})
    passing = extract(_codex(_user("run the tests"), *_shell("c1", "go test ./...", go_ok))).named()
    assert passing["tool_passing"] == 1.0 and passing["tool_exit_nonzero"] == 0.0


def test_npm_error_lines_are_paste_not_instruction() -> None:
    text = (
        "npm install just fails with this\n"
        "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\n"
        'npm ERR! peer react@"^17.0.0" from react-beautiful-dnd@13.1.1'
    )
    instruction, paste = split_instruction(text)
    assert instruction == "npm install just fails with this"
    assert paste.code_lines == 3
