"""`quick_init`: a frozen, slotted dataclass built in a sixth of the instructions, still frozen.

A frozen dataclass's generated `__init__` sets every field with `object.__setattr__(self, name,
value)` (its own `__setattr__` refuses): on CPython 3.11 that is ~1,300 instructions per field,
~29,000 for the 22 fields of a routing `Decision`, against ~1,800 for the same class not frozen.
The request path builds a dozen of these per request (the Decision twice, the session state, the
route contexts...), ~10% of the event loop's instructions.

`quick_init` replaces that `__init__` with one that gives the new instance, for the length of the
call, a plain class with the same slots (the same memory layout, so CPython allows the
`__class__` assignment), stores the fields with plain attribute stores, and gives it its class
back: ~5,000 instructions for the Decision. Nothing else changes: the instance is of the class, is
frozen (`FrozenInstanceError`), compares, hashes, pickles, `repr`s and `replace`s as before, and the
defaults and default factories are the dataclass's own. A subclass instance is built by the
dataclass's own `__init__`.

`quick_replace(obj, **changes)` is `dataclasses.replace` without its loop over the fields (a
generated `__replace__`, the name `copy.replace` uses from Python 3.13): one `replace` of a
Decision was ~5% of the request path's bytecodes. It builds the copy by position: keywords cost
CPython ~470 instructions each to match to their parameters (`benchmarks/overhead/README.md`, the
fifth pass).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")

_UNSET = object()  # a field with a default factory was not given


def quick_init(cls: type[T]) -> type[T]:
    """Give `cls` (a `@dataclass(frozen=True, slots=True)`, decorated before this) the faster
    `__init__` described in the module docstring. Refuses the features it does not reproduce."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"quick_init needs a frozen, slotted dataclass; {cls.__name__} is not")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"quick_init does not run __post_init__ ({cls.__name__})")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if any(not f.init or f.kw_only for f in fields) or len(fields) != len(cls.__dict__["__slots__"]):
        raise TypeError(f"quick_init needs every field of {cls.__name__} in __init__, by position")
    twin = type(f"_{cls.__name__}Fields", (), {"__slots__": cls.__dict__["__slots__"]})
    env: dict[str, Any] = {
        "_cls": cls,
        "_twin": twin,
        "_unset": _UNSET,
        "_set_class": object.__setattr__,
        "_dataclass_init": cls.__init__,
    }
    args: list[str] = []
    factories: list[str] = []
    for f in fields:
        if f.default is not dataclasses.MISSING:
            env[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            args.append(f"{f.name}=_unset")
            factories.append(f"    if {f.name} is _unset: {f.name} = _factory_{f.name}()\n")
        else:
            args.append(f.name)
    source = (
        f"def __init__(self, {', '.join(args)}):\n"
        + "".join(factories)
        + "    if type(self) is not _cls:\n"
        + f"        return _dataclass_init(self, {', '.join(f.name for f in fields)})\n"
        + "    _set_class(self, '__class__', _twin)\n"
        + "".join(f"    self.{f.name} = {f.name}\n" for f in fields)
        + "    self.__class__ = _cls\n"
    )
    # by position: a class called with 22 keywords spent ~10,000 instructions matching them to
    # the parameters (a kwargs dict built, unpacked, each name looked up), more than the fields'
    # own stores
    source += (
        "def __replace__(self, /, **changes):\n"
        + "    if type(self) is not _cls:\n"
        + "        return _replace(self, **changes)\n"
        + f"    args = [{', '.join(f'self.{f.name}' for f in fields)}]\n"
        + "    for name, value in changes.items():\n"
        + "        i = _index.get(name)\n"
        + "        if i is None:\n"
        + "            return _replace(self, **changes)  # raises what `dataclasses.replace` raises\n"
        + "        args[i] = value\n"
        + "    return _cls(*args)\n"
    )
    env["_replace"] = dataclasses.replace
    env["_index"] = {f.name: i for i, f in enumerate(fields)}
    namespace: dict[str, Any] = {}
    # as `dataclasses` builds its own __init__; the file name tells profilers whose code it is
    exec(compile(source, f"<quick_init {cls.__qualname__}>", "exec"), env, namespace)
    replacer = namespace["__replace__"]
    replacer.__qualname__ = f"{cls.__qualname__}.__replace__"
    replacer.__module__ = cls.__module__
    cls.__replace__ = replacer  # type: ignore[attr-defined]  # `copy.replace`'s protocol (3.13)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


def quick_replace(obj: T, /, **changes: Any) -> T:
    """`dataclasses.replace(obj, **changes)`, faster for a `quick_init` class (the same result)."""
    replacer = getattr(type(obj), "__replace__", None)
    if replacer is None:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    result: T = replacer(obj, **changes)
    return result
