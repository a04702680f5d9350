"""The one error type of the wire layer: a body that does not have the shape its dialect requires."""

from __future__ import annotations


class WireError(Exception):
    """A malformed body.

    Raised with status 400 for a client body (wrong types, missing messages) and with status 502
    for an upstream body that is not what its dialect promises. `param` names the offending field
    in the client's terms (e.g. ``messages[2].content``) so the gateway can put it in the error.
    """

    def __init__(self, message: str, *, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.status = status
