"""The shipped benchmark suites, one builder per suite; `scripts/build_suites.py` runs them.

Layout: `common` (reading a source, normalising prompts and difficulties, making a task), one module
per data source or generated suite, then `smoke`, `verify` and `output` for the steps after building.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .agent import agent_tasks
from .arena_hard import arena_hard_tasks
from .common import Builder
from .docstrings import docstring_tasks
from .edits import edit_tasks
from .gsm8k import gsm8k_tasks
from .hep_bugs import bug_catch_tasks, review_tasks
from .hep_code import hepack_fix, hepack_synthesize
from .hep_explain import hepack_explain
from .humaneval import humaneval
from .mmlu import mmlu_tasks
from .plan import plan_tasks
from .refactor import refactor_tasks

BUILDERS: Mapping[str, Builder] = MappingProxyType(
    {
        "humaneval": humaneval,
        "humanevalpack_synthesize": hepack_synthesize,
        "humanevalpack_fix": hepack_fix,
        "humanevalpack_explain": hepack_explain,
        "refactor": refactor_tasks,
        "edits": edit_tasks,
        "docstrings": docstring_tasks,
        "tests": bug_catch_tasks,
        "review": review_tasks,
        "plan": plan_tasks,
        "gsm8k": gsm8k_tasks,
        "mmlu": mmlu_tasks,
        "arena_hard": arena_hard_tasks,
        "agent": agent_tasks,
    }
)
"""Suite name -> builder, in build order (the order of the script's output lines)."""

__all__ = ["BUILDERS", "Builder"]
