"""Checkers, one module per kind; `default_checkers()` maps each kind to an instance."""

from __future__ import annotations

from benchroute.bench.checkers.ast_check import AstChecker
from benchroute.bench.checkers.base import Checker, CheckResult, run_check
from benchroute.bench.checkers.bug_catch import BugCatchChecker
from benchroute.bench.checkers.exact import ExactChecker
from benchroute.bench.checkers.json_schema import JsonSchemaChecker
from benchroute.bench.checkers.regex import RegexChecker
from benchroute.bench.checkers.unit_tests import UnitTestChecker

__all__ = ["CheckResult", "Checker", "default_checkers", "run_check"]


def default_checkers(judge: Checker | None = None) -> dict[str, Checker]:
    """Every automatic checker; the judge only when a judge model is given."""
    checkers: dict[str, Checker] = {
        "unit_tests": UnitTestChecker(),
        "exact": ExactChecker(),
        "regex": RegexChecker(),
        "json_schema": JsonSchemaChecker(),
        "ast": AstChecker(),
        "bug_catch": BugCatchChecker(),
    }
    if judge is not None:
        checkers["judge"] = judge
    return checkers
