"""Session key derivation: header order, the hash fallback, and subagent links."""

from __future__ import annotations

from benchroute.gateway.headers import request_context
from benchroute.sessions.keys import session_key
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart


def _req(
    headers: dict[str, str] | None = None, *turns: tuple[str, str], key_id: str | None = "k1"
) -> ChatRequest:
    ctx = request_context(headers or {}, api_kind="chat", project="default", key_id=key_id)
    msgs = [Message(role=r, content=[TextPart(t)]) for r, t in turns]  # type: ignore[arg-type]
    return ChatRequest(model="auto", messages=msgs, context=ctx)


CONV = (("system", "You are a coding assistant."), ("user", "Write a CSV parser in Rust."))


def test_headers_in_documented_order() -> None:
    all_four = {
        "x-kilocode-taskid": "task",
        "x-session-id": "sid",
        "x-session-affinity": "aff",
        "x-benchroute-session": "br",
    }
    assert session_key(_req(all_four, *CONV)) == ("task", None)
    del all_four["x-kilocode-taskid"]
    assert session_key(_req(all_four, *CONV))[0] == "sid"
    del all_four["x-session-id"]
    assert session_key(_req(all_four, *CONV))[0] == "aff"
    del all_four["x-session-affinity"]
    assert session_key(_req(all_four, *CONV))[0] == "br"


def test_plain_client_gets_a_stable_hashed_session() -> None:
    first = session_key(_req(None, *CONV))[0]
    later = session_key(
        _req(None, *CONV, ("assistant", "Here is a parser..."), ("user", "Now handle quoted fields."))
    )[0]
    assert first == later
    assert first.startswith("h:") and len(first) == 26


def test_hash_depends_on_key_system_prompt_and_first_user_message() -> None:
    base = session_key(_req(None, *CONV))[0]
    assert session_key(_req(None, *CONV, key_id="k2"))[0] != base
    assert session_key(_req(None, ("system", "Other."), CONV[1]))[0] != base
    assert session_key(_req(None, CONV[0], ("user", "Write a JSON parser in Rust.")))[0] != base


def test_without_a_key_id_the_project_scopes_the_hash() -> None:
    a = ChatRequest(
        model="auto", messages=[Message("user", [TextPart("hi")])], context=RequestContext(project="a")
    )
    b = ChatRequest(
        model="auto", messages=[Message("user", [TextPart("hi")])], context=RequestContext(project="b")
    )
    assert session_key(a)[0] != session_key(b)[0]


def test_subagent_has_its_own_session_linked_to_the_parent() -> None:
    parent = session_key(_req({"x-kilocode-taskid": "task-A"}, *CONV))
    child = session_key(_req({"x-kilocode-taskid": "task-B", "x-kilocode-parent-taskid": "task-A"}, *CONV))
    assert parent == ("task-A", None)
    assert child == ("task-B", "task-A")


def test_a_parent_equal_to_the_key_is_not_a_link() -> None:
    assert session_key(_req({"x-kilocode-taskid": "t", "x-kilocode-parent-taskid": "t"}, *CONV)) == (
        "t",
        None,
    )
