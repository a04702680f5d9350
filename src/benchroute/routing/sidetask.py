"""A coding client's own side requests: not the user's coding work, but a small chore the client
asks of a model on the side (Claude Code: a conversation title, "is this a new topic?", the prefix
of a bash command for its permission check). Their one user turn is the user's coding request,
quoted for the chore, so the classifier reads the quoted request: a title for "the parser tests
fail, fix parse_csv_line" read as debug:medium and went to the most accurate model, for every
user turn. The Efficient tier sends them to the Balanced model (docs/routing.md).

Recognised by the chore's own instruction in the system prompt (Claude Code's prompts, as its
published prompt collections show them), and only on a request without tools.
"""

from __future__ import annotations

from typing import Final

from benchroute.wire.canonical import ChatRequest

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


def side_task(request: ChatRequest) -> str | None:
    """The chore a client's side request asks for, or None for a request that is the user's work."""
    if request.tools:
        return None
    head = "\n".join(m.text[:READ] for m in request.messages if m.role == "system")[:READ].lower()
    if not head:
        return None
    for chore, phrases in SIDE_TASKS:
        if any(p in head for p in phrases):
            return chore
    return None
