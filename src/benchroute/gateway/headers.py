"""Request headers -> `RequestContext` (defined below routing, in `benchroute.wire.context`)."""

from benchroute.wire.context import header_dict, parse_user_agent, request_context

__all__ = ["header_dict", "parse_user_agent", "request_context"]
