"""Large request bodies kept from stalling the event loop.

`check_cost` is a hard bound before any parsing: a body whose bytes name more than
`wire._fields.MAX_ITEMS` messages (`"role"` keys, counted at C speed) is a 413 at once: parsing
an 8 MB body of tiny messages would take seconds of loop time only to be refused by the parser's
own bound afterwards. `parse_off_loop` runs the JSON parse and the dialect's parser in a worker
thread when the body is large, so requests of other clients keep being served meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from benchroute.gateway.errors import GatewayError
from benchroute.wire._fields import MAX_ITEMS

T = TypeVar("T")

SCAN_FROM = 64 * 1024  # smaller bodies cannot hold MAX_ITEMS messages: no scan
THREAD_THRESHOLD = 256 * 1024  # larger bodies are parsed in a worker thread


def check_cost(body: bytes) -> None:
    if len(body) > SCAN_FROM and body.count(b'"role"') > MAX_ITEMS:
        raise GatewayError(
            413, f"too many messages: over {MAX_ITEMS}", param="messages", code="too_many_items"
        )


def is_light(body: bytes) -> bool:
    """A body too small to need `check_cost` or a worker thread: parse it inline, as it is."""
    return len(body) <= SCAN_FROM


async def parse_off_loop(body: bytes, parse: Callable[[], T]) -> T:
    """`parse()` after `check_cost(body)`: inline for small bodies, in a worker thread for large."""
    check_cost(body)
    if len(body) > THREAD_THRESHOLD:
        return await asyncio.to_thread(parse)
    return parse()
