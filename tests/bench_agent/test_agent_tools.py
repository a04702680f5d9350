"""The built-in agent's tools on a real workspace: file operations stay inside it, unified diffs
apply (also with stale line numbers) or fail whole, and malformed calls are classified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agent_harness import pick

from benchroute.bench.agent.diffs import DiffError, patch_text
from benchroute.bench.agent.graders import grade
from benchroute.bench.agent.spec import agent_spec
from benchroute.bench.agent.tools import dispatch
from benchroute.bench.agent.workspace import Workspace, WorkspaceError
from benchroute.bench.tasks import Task


async def test_read_write_list_search_stay_in_the_workspace(agent_suite: list[Task]) -> None:
    spec = agent_spec(pick(agent_suite, "agent/debug/py/medium/"))
    async with Workspace(spec) as ws:
        listed = (await dispatch(ws, "list_files", "{}")).text.splitlines()
        assert sorted(listed) == sorted(spec.files)
        first = sorted(spec.files)[0]
        assert (await dispatch(ws, "read_file", json.dumps({"path": first}))).text == spec.files[first]
        wrote = await dispatch(ws, "write_file", json.dumps({"path": "notes/a.txt", "content": "x = 1\n"}))
        assert not wrote.is_error and (ws.root / "notes" / "a.txt").read_text() == "x = 1\n"
        hits = (await dispatch(ws, "search", json.dumps({"pattern": r"^x = 1$"}))).text
        assert hits == "notes/a.txt:1: x = 1"
        for escape in ("../outside.txt", "/etc/passwd", "notes/../../x"):
            outcome = await dispatch(ws, "read_file", json.dumps({"path": escape}))
            assert outcome.is_error and "outside the workspace" in outcome.text, escape
        with pytest.raises(WorkspaceError):
            ws.resolve("../../etc/passwd")


async def test_apply_diff_with_stale_line_numbers_and_all_or_nothing(agent_suite: list[Task]) -> None:
    spec = agent_spec(pick(agent_suite, "agent/command/py/easy/"))
    async with Workspace(spec) as ws:
        ws.write("m.py", "a = 1\nb = 2\nc = 3\n")
        diff = "--- a/m.py\n+++ b/m.py\n@@ -40,3 +40,3 @@\n a = 1\n-b = 2\n+b = 20\n c = 3\n"
        applied = await dispatch(ws, "apply_diff", json.dumps({"diff": diff}))
        assert not applied.is_error, applied.text
        assert (ws.root / "m.py").read_text() == "a = 1\nb = 20\nc = 3\n"
        stale = await dispatch(ws, "apply_diff", json.dumps({"diff": diff}))  # `b = 2` is gone now
        assert stale.is_error and "does not match" in stale.text
        assert (ws.root / "m.py").read_text() == "a = 1\nb = 20\nc = 3\n"
        new_file = "--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1,2 @@\n+def f():\n+    return 1\n"
        assert not (await dispatch(ws, "apply_diff", json.dumps({"diff": new_file}))).is_error
        assert (ws.root / "pkg" / "new.py").read_text() == "def f():\n    return 1\n"
    with pytest.raises(DiffError):
        patch_text("x\n", [(1, [" y", "-z"])])


@pytest.mark.parametrize(
    ("name", "arguments", "kind"),
    [
        ("read_file", '{"path": "a.py"', "bad_json"),
        ("read_file", '["a.py"]', "bad_json"),
        ("write_file", '{"path": "a.py"}', "bad_args"),
        ("run_command", '{"command": 3}', "bad_args"),
        ("edit_file", '{"path": "a.py"}', "unknown_tool"),
    ],
)
async def test_malformed_calls_are_classified(
    agent_suite: list[Task], name: str, arguments: str, kind: str
) -> None:
    async with Workspace(agent_spec(pick(agent_suite, "agent/command/py/easy/"))) as ws:
        outcome = await dispatch(ws, name, arguments)
    assert outcome.is_error and outcome.malformed == kind


async def test_grading_replaces_symlinks_the_agent_planted(agent_suite: list[Task], tmp_path: Path) -> None:
    task = pick(agent_suite, "agent/debug/py/easy/")
    spec = agent_spec(task)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    [hidden] = spec.hidden
    async with Workspace(spec) as ws:
        planted = await dispatch(
            ws, "run_command", json.dumps({"command": f"mkdir -p .grade && ln -s {victim} {hidden}"})
        )
        assert not planted.is_error, planted.text
        (ws.root / ".benchroute" / "bin" / "python").unlink()
        (ws.root / ".benchroute" / "bin" / "python").symlink_to("/bin/true")  # a grader that always passes
        result = await grade(spec, ws, "")
        assert (ws.root / hidden).is_file() and not (ws.root / hidden).is_symlink()
    assert victim.read_text() == "precious\n"
    assert not result.passed and result.reason.startswith("hidden tests")
