"""Client minimum versions: clients older than the configured version get the single Balanced model.

Names are compared lower-case with `_`/spaces as `-` ("Kilo-Code" == "kilo-code"); versions
numerically by dotted parts ("5.10.0" > "5.9.9"), pre-release suffixes ignored. A client that
does not say its version is never treated as outdated.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+")


def normalise_client(name: str | None) -> str | None:
    if not name:
        return None
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def parse_version(version: str) -> tuple[int, ...] | None:
    """ "v1.2.3-beta" -> (1, 2, 3); None when there is no number at the start."""
    core = version.strip().lstrip("vV").split("-", 1)[0].split("+", 1)[0]
    parts: list[int] = []
    for piece in core.split("."):
        m = _NUMBER.match(piece)
        if m is None:
            break
        parts.append(int(m.group()))
    return tuple(parts) if parts else None


def _pad(v: tuple[int, ...], n: int) -> tuple[int, ...]:
    return v + (0,) * (n - len(v))


def is_outdated(client_name: str | None, client_version: str | None, minimums: dict[str, str]) -> bool:
    """True when the client is named in `minimums` and its version is lower than the minimum."""
    name = normalise_client(client_name)
    if name is None or not client_version:
        return False
    wanted = {normalise_client(k): v for k, v in minimums.items()}.get(name)
    if wanted is None:
        return False
    have, need = parse_version(client_version), parse_version(wanted)
    if have is None or need is None:
        return False
    n = max(len(have), len(need))
    return _pad(have, n) < _pad(need, n)
