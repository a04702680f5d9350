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


def _codex(request: str, *, later: tuple[str, ...] = ()) -> ChatRequest:
    """A Codex CLI request (Responses API, no session header): instructions, then its injected
    user-role turns (AGENTS.md, environment), then the person's request."""
    from benchroute.wire import responses

    def user(text: str) -> dict[str, object]:
        return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}

    body = {
        "model": "auto",
        "instructions": "You are Codex, based on GPT-5.",
        "store": False,
        "input": [
            {
                "type": "message",
                "role": "developer",
                "content": [
                    {
                        "type": "input_text",
                        "text": "<permissions instructions>sandbox</permissions instructions>",
                    }
                ],
            },
            user(
                "# AGENTS.md instructions for /home/me/repo\n\n<INSTRUCTIONS>\nRun make test.</INSTRUCTIONS>"
            ),
            user("<environment_context>\n  <cwd>/home/me/repo</cwd>\n</environment_context>"),
            user(request),
            *(user(t) for t in later),
        ],
    }
    ctx = request_context({}, api_kind="responses", project="default", key_id="k1")
    return responses.parse_request(body, ctx)


def test_codex_conversations_in_one_repository_get_their_own_sessions() -> None:
    fix = session_key(_codex("fix the flaky test in test_io.py"))[0]
    docs = session_key(_codex("write docs for the CLI"))[0]
    assert fix != docs  # the injected AGENTS.md / environment turns are the same for both
    # and a conversation keeps its key as it goes on
    assert session_key(_codex("fix the flaky test in test_io.py", later=("now run it",)))[0] == fix


def test_a_conversation_of_injected_turns_only_still_has_a_key() -> None:
    injected = _codex("<environment_context>\n  <cwd>/tmp</cwd>\n</environment_context>")
    assert session_key(injected)[0].startswith("h:")
