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


def test_session_keys_give_what_session_key_gives_and_remember_the_hash() -> None:
    from benchroute.sessions.keys import SessionKeys
    from benchroute.wire.context import conversation_parts

    keys = SessionKeys()
    cases = [
        _req(None, *CONV),
        _req(None, *CONV, ("assistant", "Here is a parser..."), ("user", "Now quoted fields.")),
        _req(None, *CONV, key_id=None),
        _req({"x-kilocode-taskid": "task", "x-kilocode-parent-taskid": "parent"}, *CONV),
        _req({"x-kilocode-parent-taskid": "p"}, ("user", "only a user message")),
        _req(None, ("system", "another prompt"), ("user", "Write a CSV parser in Rust.")),
    ]
    for request in cases:
        assert keys(request) == session_key(request)
        assert keys(request) == session_key(request)  # from memory the second time
    # the same conversation hashed once: its texts are remembered with the digest
    assert keys._hashes[conversation_parts(cases[0])] == session_key(cases[0])[0]
    assert len(keys._hashes) == 4  # the first two share a conversation; the task id is not hashed


def test_session_keys_stay_within_their_bound() -> None:
    from benchroute.sessions.keys import SessionKeys

    keys = SessionKeys(max_chars=200)
    big = _req(None, ("system", "x" * 300), ("user", "hello"))
    assert keys(big) == session_key(big) and keys._hashes == {}  # larger than the bound: not kept
    for i in range(20):
        request = _req(None, ("system", f"prompt {i} " * 3), ("user", "hello"))
        assert keys(request) == session_key(request)
        assert keys._chars <= 200
