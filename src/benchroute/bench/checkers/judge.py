"""`judge`: a judge model grades the answer 1-10 (7 or more passes). Results say `judge:<model>`.

Spec: `{"kind": "judge", "rubric": "…" (optional), "reference": "…" (optional reference answer)}`.
Judged scores are opinions, not tests: the leaderboard shows the checker so readers can tell.
"""

from __future__ import annotations

import re

from benchroute.bench.checkers.base import CheckResult, spec_str
from benchroute.bench.tasks import Task
from benchroute.providers.base import Provider, ProviderError, Target
from benchroute.wire.canonical import ChatRequest, Message, TextPart

PASS_MARK = 7

_TEMPLATE = """You are grading an AI assistant's answer to a user's request.
{rubric}
[User request]
{question}
{reference}[Assistant answer]
{answer}

Judge correctness first, then helpfulness and completeness. Reply with a short justification and
then a final line exactly of the form `SCORE: n` where n is an integer from 1 (useless) to 10 (perfect)."""


class JudgeChecker:
    kind = "judge"

    def __init__(self, provider: Provider, target: Target, model_id: str, max_tokens: int = 1024) -> None:
        self.provider = provider
        self.target = target
        self.model_id = model_id
        self.max_tokens = max_tokens

    @property
    def name(self) -> str:
        return f"judge:{self.model_id}"

    async def check(self, task: Task, answer: str) -> CheckResult:
        spec = task.checker
        question = "\n\n".join(m["content"] for m in task.messages if m["role"] == "user")
        reference = spec_str(spec, "reference")
        prompt = _TEMPLATE.format(
            rubric=spec_str(spec, "rubric"),
            question=question,
            reference=f"[Reference answer]\n{reference}\n" if reference else "",
            answer=answer,
        )
        request = ChatRequest(
            model=self.model_id,
            messages=[Message(role="user", content=[TextPart(prompt)])],
            max_tokens=self.max_tokens,
            temperature=0.0,
        )
        try:
            response = await self.provider.complete(request, self.target)
        except ProviderError as exc:
            return CheckResult.fail(self.name, f"judge call failed: {exc.kind}: {exc.message}"[:300])
        found = re.findall(r"SCORE:\s*(\d+)", response.message.text)
        if not found:
            return CheckResult.fail(self.name, "judge gave no score")
        grade = max(1, min(10, int(found[-1])))
        return CheckResult(grade / 10, grade >= PASS_MARK, f"judge grade {grade}/10", self.name)
