"""A coding client's own side requests: not the user's coding work, but a small chore the client
asks of a model on the side (Claude Code: a conversation title, "is this a new topic?", the prefix
of a bash command for its permission check). Their one user turn is the user's coding request,
quoted for the chore, so the classifier reads the quoted request: a title for "the parser tests
fail, fix parse_csv_line" read as debug:medium and went to the most accurate model, for every
user turn. The Efficient tier sends them to the Balanced model (docs/routing.md).

Recognised by the chore's own instruction in the system prompt (Claude Code's prompts, as its
published prompt collections show them), and only on a request without tools. Only the head of the
system prompt is read (`READ` characters), and the search in it can be remembered (`TextMemo`,
held by the caller): a client resends the same system prompt on every turn.
"""

from __future__ import annotations

from typing import Final

from benchroute.routing.memo import TextMemo
from benchroute.wire.canonical import ChatRequest, Message, TextPart

# chore -> phrases of its instruction (lowercase); any one of them names the chore
SIDE_TASKS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("a conversation title", ("indicates a new conversation topic", "word title that captures")),
    (
        "a session title",
        ("title and git branch name", "sentence-case title", "title for this coding session"),
    ),
    ("a bash command's prefix", ("determine the command prefix", "bash command prefix detection")),
)
READ = 4_000  # characters of the system prompt read: the chore is stated at its start


def side_task(request: ChatRequest, memo: TextMemo[str | None] | None = None) -> str | None:
    """The chore a client's side request asks for, or None for a request that is the user's work.
    `memo`: the chores of the system prompts' heads seen last (None: search every time)."""
    if request.tools:
        return None
    head = system_head(request)
    if not head:
        return None
    return chore_of(head) if memo is None else memo.get(head, chore_of)


def system_head(request: ChatRequest) -> str:
    """The first `READ` characters of the system messages' text, joined by newlines (each
    message's text cut to `READ` first), read no further than that."""
    heads: list[str] = []
    size = -1  # the joined length so far (a newline between two heads)
    for m in request.messages:
        if m.role == "system":
            heads.append(_text_head(m))
            size += 1 + len(heads[-1])
            if size >= READ:  # the rest would be cut off
                break
    return "\n".join(heads)[:READ]


def _text_head(m: Message) -> str:
    """`m.text[:READ]`, without joining more of a long message than that."""
    content = m.content
    if len(content) == 1 and type(content[0]) is TextPart:
        return content[0].text[:READ]
    out: list[str] = []
    size = 0
    for part in content:
        if isinstance(part, TextPart):
            out.append(part.text[: READ - size])
            size += len(out[-1])
            if size >= READ:
                break
    return "".join(out)


def chore_of(head: str) -> str | None:
    """The chore whose instruction `head` (the start of the system prompt) states, if any."""
    lowered = head.lower()
    for chore, phrases in SIDE_TASKS:
        if any(p in lowered for p in phrases):
            return chore
    return None
