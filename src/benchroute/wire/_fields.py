"""Small typed readers for JSON bodies: each returns the value or raises a precise `WireError`.

`None` (JSON null) always counts as absent, because SDKs send explicit nulls for unset fields.
"""

from __future__ import annotations

from typing import Any

from benchroute.wire.errors import WireError

JSON = dict[str, Any]


def _fail(param: str, expected: str, status: int) -> WireError:
    return WireError(f"{param} must be {expected}", param=param, status=status)


def obj(value: Any, param: str, *, status: int = 400) -> JSON:
    if not isinstance(value, dict):
        raise _fail(param, "an object", status)
    return value


def opt_obj(body: JSON, key: str, param: str, *, status: int = 400) -> JSON | None:
    value = body.get(key)
    return None if value is None else obj(value, param, status=status)


def lst(value: Any, param: str, *, status: int = 400) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(param, "a list", status)
    return value


def opt_list(body: JSON, key: str, param: str, *, status: int = 400) -> list[Any] | None:
    value = body.get(key)
    return None if value is None else lst(value, param, status=status)


def string(value: Any, param: str, *, status: int = 400) -> str:
    if not isinstance(value, str):
        raise _fail(param, "a string", status)
    return value


def opt_str(body: JSON, key: str, param: str, *, status: int = 400) -> str | None:
    value = body.get(key)
    return None if value is None else string(value, param, status=status)


def tag(body: JSON, key: str, param: str, *, status: int = 400) -> str | None:
    """A discriminator such as a block's `type`: a string or absent. Checked before it is compared
    with a set of names, since an object or a list there cannot even be looked up in one."""
    return opt_str(body, key, param, status=status)


def opt_bool(body: JSON, key: str, param: str, *, status: int = 400) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _fail(param, "a boolean", status)
    return value


def opt_int(body: JSON, key: str, param: str, minimum: int | None = None, *, status: int = 400) -> int | None:
    """An integer (a float with no fraction counts), at least `minimum` when given."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(param, "an integer", status)
    if minimum is not None and value < minimum:
        raise _fail(param, f"an integer of at least {minimum}", status)
    return value


def opt_float(
    body: JSON, key: str, param: str, bounds: tuple[float, float] | None = None, *, status: int = 400
) -> float | None:
    """A number, within `bounds` (inclusive) when given."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _fail(param, "a number", status)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise _fail(param, f"a number from {bounds[0]:g} to {bounds[1]:g}", status)
    return float(value)


def model(body: JSON) -> str:
    """The required `model` of a client body (an id or a tier such as `auto`)."""
    value = body.get("model")
    if value is None or value == "":
        raise WireError("model is required (a model id, or a tier such as auto)", param="model")
    return string(value, "model")


# Messages plus their content blocks (or tools) one request may carry. Parsing costs ~20 us per
# item on the event loop: 10,000 is ~0.2 s, while an 8 MB body of tiny messages would be ~270,000.
MAX_ITEMS = 10_000


def bounded(items: list[Any], param: str, *, nested: str | None = "content") -> list[Any]:
    """`items`, or 413 before anything is parsed when they (with each item's `nested` list) are
    more than `MAX_ITEMS`: a hard cost bound on the work one request can put on the event loop."""
    total = len(items)
    if nested is not None and total <= MAX_ITEMS:
        for item in items:
            inner = item.get(nested) if isinstance(item, dict) else None
            if isinstance(inner, list):
                total += len(inner)
    if total > MAX_ITEMS:
        what = f"{param} and their {nested} blocks" if nested else param
        raise WireError(f"too many {what}: over {MAX_ITEMS}", param=param, status=413)
    return items


def count(body: JSON | None, key: str) -> int:
    """A token count from an upstream usage object; absent, null or malformed counts are 0."""
    if body is None:
        return 0
    value = body.get(key)
    if type(value) is int:  # (the usual case, in one check)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value)
    return 0


def sub(body: JSON | None, key: str) -> JSON | None:
    """A nested object of an upstream body, or None when absent or not an object."""
    if body is None:
        return None
    value = body.get(key)
    return value if isinstance(value, dict) else None


def stop_list(value: Any, param: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    items = lst(value, param)
    return [string(s, f"{param}[{i}]") for i, s in enumerate(items)]


def data_url_media_type(url: str) -> str | None:
    """The media type of a ``data:image/png;base64,...`` URL, or None for other URLs."""
    if not url.startswith("data:"):
        return None
    head = url[5:].split(",", 1)[0]
    media = head.split(";", 1)[0]
    return media or None
