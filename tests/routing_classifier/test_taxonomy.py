"""The route taxonomy agreed in route-spec: ten routes, three difficulties, legacy names mapped."""

from __future__ import annotations

import pytest

from benchroute.routing.taxonomy import (
    ALL_CELLS,
    CODING_ROUTES,
    DIFFICULTIES,
    LEGACY_TASK_TYPES,
    SUBTYPES,
    TASK_TYPES,
    normalize_task_type,
    split_cell,
)


def test_routes_and_cells() -> None:
    assert TASK_TYPES == (
        "implement",
        "debug",
        "refactor",
        "tests",
        "plan",
        "explain",
        "review",
        "docs",
        "command",
        "general",
    )
    assert DIFFICULTIES == ("easy", "medium", "hard")
    assert len(ALL_CELLS) == 30 and ALL_CELLS[0] == "implement:easy"
    assert split_cell("command:hard") == ("command", "hard")
    assert CODING_ROUTES == TASK_TYPES[:-1]
    assert set(SUBTYPES) == set(TASK_TYPES) and SUBTYPES["general"] == ()


def test_normalize_task_type() -> None:
    assert LEGACY_TASK_TYPES == {"edit": "implement", "math": "general"}
    assert normalize_task_type("edit") == "implement"
    assert normalize_task_type("math") == "general"
    for name in TASK_TYPES:
        assert normalize_task_type(name) == name
    with pytest.raises(ValueError, match="unknown task type"):
        normalize_task_type("poetry")
