"""`quick_init`: the same instances as the dataclass's own `__init__`, still frozen."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from typing import Any

import pytest

from benchroute.gateway.auth import Caller
from benchroute.gateway.failover import Served
from benchroute.providers.base import Target
from benchroute.quickinit import quick_init, quick_replace
from benchroute.routing.base import RouteContext
from benchroute.routing.capabilities import Needs
from benchroute.routing.decision import Decision
from benchroute.sessions.base import HistoryEntry, SessionState
from benchroute.sessions.service import Routed
from benchroute.store.base import DecisionRecord


@dataclass(frozen=True, slots=True)
class Plain:
    name: str
    count: int = 3
    tags: dict[str, int] = field(default_factory=dict)
    items: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    name: str
    count: int = 3
    tags: dict[str, int] = field(default_factory=dict)
    items: tuple[str, ...] = ()


def values(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("a",), {}), (("a", 5), {}), (("a",), {"tags": {"x": 1}}), ((), {"name": "b", "items": ("i",)})],
)
def test_builds_what_the_dataclass_init_builds(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    quick = Quick(*args, **kwargs)
    assert type(quick) is Quick
    assert values(quick) == values(Plain(*args, **kwargs))


def test_default_factories_run_per_instance() -> None:
    first, second = Quick("a"), Quick("b")
    assert first.tags == {} and first.tags is not second.tags


def test_still_frozen_and_a_value() -> None:
    quick = Quick("a", tags={"x": 1})
    with pytest.raises(FrozenInstanceError):
        quick.name = "b"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del quick.count
    assert quick == Quick("a", tags={"x": 1}) and quick != Quick("b")
    assert hash(Quick("a", items=("i",), tags=None)) == hash(Quick("a", items=("i",), tags=None))  # type: ignore[arg-type]
    assert repr(quick) == "Quick(name='a', count=3, tags={'x': 1}, items=())"
    assert replace(quick, count=9) == Quick("a", 9, {"x": 1})
    assert pickle.loads(pickle.dumps(quick)) == quick
    assert copy.deepcopy(quick) == quick


def test_arguments_are_checked_as_by_the_dataclass() -> None:
    with pytest.raises(TypeError):
        Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", nope=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", name="b")  # type: ignore[misc]


def test_a_subclass_is_built_by_the_dataclass_init() -> None:
    @dataclass(frozen=True)
    class Sub(Quick):
        extra: int = 1

    sub = Sub("a", extra=2)
    assert type(sub) is Sub and (sub.name, sub.count, sub.tags, sub.extra) == ("a", 3, {}, 2)


def test_refuses_what_it_does_not_reproduce() -> None:
    @dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        a: int

    @dataclass(frozen=True, slots=True)
    class NotInInit:
        a: int
        b: int = field(default=0, init=False)

    for cls in (NotFrozen, NoSlots, PostInit, KeywordOnly, NotInInit):
        with pytest.raises(TypeError):
            quick_init(cls)


@pytest.mark.parametrize(
    "instance",
    [
        Decision(
            model="m", tier="auto/efficient", reason="best_accuracy", cells={"c": 1.0}, fallbacks=("f",)
        ),
        SessionState(key="k", project="p", model="m", history=(HistoryEntry("d", "m", "new"),)),
        RouteContext(unavailable=frozenset({"x"}), session_key="k"),
        Caller(project="p", key_id="k"),
        Target(upstream_model="u", api_key="secret"),
        Needs(tools=True, tokens=5),
        DecisionRecord(id="d", time=None, project="p", session_key=None, decision={"a": 1}),  # type: ignore[arg-type]
        Routed(Decision("m", "manual", "manual"), SessionState("k", "p")),
        Served(None, None),  # type: ignore[arg-type]
    ],
)
def test_the_request_path_classes(instance: Any) -> None:
    """The classes the request path builds use it, and build the same values as before."""
    cls = type(instance)
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
    assert "_set_class" in cls.__init__.__code__.co_names  # quick_init's
    assert quick_replace(instance) == instance and "__replace__" in cls.__dict__
    assert values(cls(**values(instance))) == values(instance)
    with pytest.raises(FrozenInstanceError):
        setattr(instance, fields(instance)[0].name, None)


def test_quick_replace_is_dataclasses_replace() -> None:
    quick = Quick("a", 5, {"x": 1}, ("i",))
    assert values(quick_replace(quick, count=9)) == values(replace(quick, count=9))
    assert type(quick_replace(quick)) is Quick and quick_replace(quick) == quick
    assert quick_replace(Plain("a"), count=2) == Plain("a", 2)  # not a quick_init class: dataclasses'
    decision = Decision(model="m", tier="manual", reason="manual", warnings=("w",))
    assert quick_replace(decision, id="i", session_key="k") == replace(decision, id="i", session_key="k")
    with pytest.raises(TypeError):
        quick_replace(quick, nope=1)
