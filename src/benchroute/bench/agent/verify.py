"""Check an agent task is sound: its starting repository fails the grader and its reference end
state passes it (used when building the suites and in the tests)."""

from __future__ import annotations

from dataclasses import dataclass

from benchroute.bench.agent.graders import Grade, grade
from benchroute.bench.agent.spec import agent_spec, write_tree
from benchroute.bench.agent.workspace import Workspace
from benchroute.bench.tasks import Task


@dataclass(frozen=True, slots=True)
class Verdict:
    task_id: str
    start: Grade
    reference: Grade

    @property
    def sound(self) -> bool:
        return not self.start.passed and self.reference.passed


async def verify_task(task: Task) -> Verdict:
    spec = agent_spec(task)
    async with Workspace(spec) as ws:
        start = await grade(spec, ws, "ANSWER: (no answer)")
    async with Workspace(spec) as ws:
        write_tree(ws.root, spec.reference_files())
        answer = spec.reference_answer()
        reference = await grade(spec, ws, f"Done.\nANSWER: {answer}" if answer else "Done.")
    return Verdict(task.id, start, reference)
