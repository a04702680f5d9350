"""Classes built by position on the request path (keywords cost CPython ~500 instructions each to
match to their parameters: benchmarks/overhead/README.md, the fifth pass): every argument says
which field it is in a comment, and the comments follow the fields' order."""

from __future__ import annotations

import ast
import inspect
import io
import re
import textwrap
import tokenize
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pytest

from benchroute.gateway.usage import RequestLog
from benchroute.routing.base import RouteContext
from benchroute.sessions.base import SessionState
from benchroute.sessions.rules import apply_session
from benchroute.sessions.service import SessionRouter
from benchroute.store.base import UsageRecord
from benchroute.wire._openai_common import parse_usage
from benchroute.wire.canonical import ChatRequest, ChatResponse, RequestContext, Usage
from benchroute.wire.chat import parse_response
from benchroute.wire.chat_request import parse_request
from benchroute.wire.context import request_context

SITES: list[tuple[Callable[..., Any], type]] = [
    (RequestLog._build, UsageRecord),
    (request_context, RequestContext),
    (parse_request, ChatRequest),
    (SessionState.record, SessionState),
    (SessionRouter.route, RouteContext),
    (parse_usage, Usage),
    (parse_response, ChatResponse),
]


def commented_fields(function: Callable[..., Any], cls: type | Callable[..., Any]) -> list[str | None]:
    """The field (parameter) each positional argument of the call `cls(...)` in `function` names in
    its comment."""
    source = textwrap.dedent(inspect.getsource(function))
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == cls.__name__
        and node.args
    ]
    assert len(calls) == 1, f"one call of {cls.__name__} by position in {function.__qualname__}"
    comments = {
        token.start[0]: token.string
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    named = []
    for arg in calls[0].args:
        found = re.match(r"#\s*(\w+)", comments.get(arg.end_lineno or 0, ""))
        named.append(found.group(1) if found else None)
    return named


@pytest.mark.parametrize(("function", "cls"), SITES, ids=[cls.__name__ for _, cls in SITES])
def test_positional_arguments_follow_the_fields(function: Callable[..., Any], cls: type) -> None:
    named = commented_fields(function, cls)
    assert named, f"{function.__qualname__} builds {cls.__name__} by position"
    assert named == [f.name for f in fields(cls)][: len(named)]


# functions called by position on the request path: each commented argument names its parameter
CALLS: list[tuple[Callable[..., Any], Callable[..., Any]]] = [(SessionRouter.route, apply_session)]


@pytest.mark.parametrize(("caller", "callee"), CALLS, ids=[callee.__name__ for _, callee in CALLS])
def test_commented_arguments_name_their_parameters(
    caller: Callable[..., Any], callee: Callable[..., Any]
) -> None:
    named = commented_fields(caller, callee)
    parameters = list(inspect.signature(callee).parameters)
    assert any(named), f"{caller.__qualname__} calls {callee.__name__} by position, with comments"
    commented = [i for i, n in enumerate(named) if n]
    assert [named[i] for i in commented] == [parameters[i] for i in commented]
