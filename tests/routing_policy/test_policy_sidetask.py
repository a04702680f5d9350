"""A coding client's side request (a conversation title, a bash command's prefix) goes to the
Balanced model, whatever its quoted user turn reads as; the user's own work is routed as before."""

from __future__ import annotations

from policy_example import router

from benchroute.routing.base import RouteContext
from benchroute.routing.memo import TextMemo
from benchroute.routing.sidetask import READ, side_task, system_head
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest, ImagePart, Message, TextPart, Tool

TITLE = (
    "Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word "
    "title that captures the new topic. Format your response as a JSON object with two fields: "
    "'isNewTopic' (boolean) and 'title' (string, or null if isNewTopic is false)."
)
PREFIX = (
    "<policy_spec>\n# Claude Code Code Bash command prefix detection\n...\nYour task is to determine "
    "the command prefix for the following command."
)
AGENT = "You are Claude Code, Anthropic's official CLI for Claude. Help the user with software tasks."
TURN = "the parser tests fail, fix parse_csv_line so they pass"


def chat(system: str, *, tools: bool = False) -> ChatRequest:
    return ChatRequest(
        model="auto/efficient",
        messages=[
            Message(role="system", content=[TextPart(system)]),
            Message(role="user", content=[TextPart(TURN)]),
        ],
        tools=[Tool(name="Bash", description="Run a command")] if tools else [],
    )


def test_claude_codes_chores_are_recognised() -> None:
    assert side_task(chat(TITLE)) == "a conversation title"
    assert side_task(chat(PREFIX)) == "a bash command's prefix"
    assert side_task(chat(f"{AGENT}\n\n{TITLE}")) == "a conversation title"


def test_the_users_own_work_is_not_a_chore() -> None:
    assert side_task(chat(AGENT)) is None
    assert side_task(chat(AGENT, tools=True)) is None
    # with tools it is an agent at work, whatever its system prompt mentions
    assert side_task(chat(f"{AGENT} Give each session a word title that captures it.", tools=True)) is None


def test_a_side_request_goes_to_the_balanced_model_at_every_dial() -> None:
    for dial in (0.0, 0.5, 1.0):
        d = router().route(chat(TITLE), ProjectSettings(dial=dial), RouteContext())
        assert (d.model, d.reason) == ("x/mid", "general"), dial
        assert "side request (a conversation title)" in d.explanation
        assert "x/mid" in d.explanation


def test_the_same_turn_without_the_chore_is_routed_on_its_evidence() -> None:
    d = router().route(chat(AGENT), ProjectSettings(dial=1.0), RouteContext())
    assert (d.model, d.reason) == ("x/big", "best_accuracy")


def plain_head(request: ChatRequest) -> str:
    """The head as first written: every system message's whole text, cut and joined."""
    return "\n".join(m.text[:READ] for m in request.messages if m.role == "system")[:READ]


def test_the_bounded_head_is_the_plain_one() -> None:
    long, short = "A" * (READ + 7), "b" * (READ // 3)
    shapes = [
        [],
        [Message("user", [TextPart(TURN)])],
        [Message("system", [TextPart(long)]), Message("system", [TextPart(TITLE)])],
        [Message("system", [TextPart(short)])] * 3 + [Message("user", [TextPart(TURN)])],
        [Message("system", [TextPart(short), ImagePart("data:x"), TextPart(long)]), Message("system", [])],
        [Message("system", [TextPart("x" * (READ - 1))]), Message("system", [TextPart(TITLE)])],
        [Message("system", [TextPart("x" * READ)]), Message("system", [TextPart(TITLE)])],
        [Message("system", [TextPart(""), TextPart("")]), Message("system", [TextPart(TITLE)])],
    ]
    for messages in shapes:
        request = ChatRequest(model="auto", messages=messages)
        assert system_head(request) == plain_head(request)


def test_a_remembered_chore_is_the_searched_one() -> None:
    memo: TextMemo[str | None] = TextMemo()
    for system in (TITLE, PREFIX, AGENT, TITLE, AGENT, f"{AGENT}\n\n{TITLE}", "Z" * (READ - 5) + TITLE):
        assert side_task(chat(system), memo) == side_task(chat(system))
    assert len(memo) == 5
