"""The user test's classifier misreads (front-end bugs, a screenshot, a bare compiler error), re-run.

    PYTHONPATH=src python benchmarks/classifier/usertest_misreads.py [--artifact DIR]

Builds each request in the client shape the user test sent it in (Claude Code messages with a
screenshot, Kilo code mode with an image part, the plain SDK) through the gateway's own body
parsers, and prints the cell the shipped classifier reads, its confidence and the label.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchroute.routing.textclf import TextClassifier, default_path
from benchroute.wire import anthropic_request, chat_request
from benchroute.wire.canonical import ChatRequest, RequestContext

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
REMINDER = "<system-reminder>\nContents of /home/dev/app/CLAUDE.md:\n- lint first.\n</system-reminder>"
CC_SYSTEM = "You are Claude Code, Anthropic's official CLI for Claude. Use the tools available to you."
KILO_SYSTEM = "You are Kilo Code, a highly skilled software engineer.\n\n====\n\nTOOL USE\n\nYou have tools."
CPP_ERR = (
    "/home/dev/geo/src/kdtree.cpp:142:18: error: no matching function for call to "
    "'std::priority_queue<std::pair<double, int> >::push(double&, int&)'\n"
    "  142 |         heap.push(d, idx);\n"
    "      |         ~~~~~~~~~^~~~~~~~\n"
    "/usr/include/c++/13/bits/stl_queue.h:738:7: note: candidate: "
    "'void std::priority_queue<_Tp, _Sequence, _Compare>::push(const value_type&)'"
)


def claude_code(text: str, image: bool = False) -> ChatRequest:
    content: list[dict[str, Any]] = [{"type": "text", "text": REMINDER}]
    if image:
        content.append(
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}
        )
    content.append({"type": "text", "text": text})
    body = {
        "model": "auto",
        "max_tokens": 1000,
        "system": CC_SYSTEM,
        "messages": [{"role": "user", "content": content}],
    }
    return anthropic_request.parse_request(
        body, RequestContext(api_kind="messages", client_name="claude-code")
    )


def kilo(mode: str, text: str, image: bool = False) -> ChatRequest:
    parts: list[dict[str, Any]] = [{"type": "text", "text": f"<task>\n{text}\n</task>"}]
    if image:
        parts += [
            {"type": "text", "text": "screenshot attached"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG}},
        ]
    parts.append(
        {
            "type": "text",
            "text": "<environment_details>\n# Current Mode\n" + mode + "\n</environment_details>",
        }
    )
    body = {
        "model": "auto",
        "messages": [{"role": "system", "content": KILO_SYSTEM}, {"role": "user", "content": parts}],
    }
    return chat_request.parse_request(body, RequestContext(api_kind="chat", mode=mode, client_name="kilo"))


def sdk(text: str) -> ChatRequest:
    body = {"model": "auto", "messages": [{"role": "user", "content": text}]}
    return chat_request.parse_request(body, RequestContext(api_kind="chat"))


CASES: tuple[tuple[str, str, ChatRequest], ...] = (
    (
        "c13 cc+image",
        "debug",
        claude_code("the chart in this screenshot renders upside down in Safari only, fix it", True),
    ),
    (
        "c13 cc no image",
        "debug",
        claude_code("the chart in this screenshot renders upside down in Safari only, fix it"),
    ),
    ("flicker sdk", "debug", sdk("the dropdown menu flickers in Firefox when I hover it")),
    ("flicker cc", "debug", claude_code("the dropdown menu flickers in Firefox when I hover it")),
    ("400px sdk", "debug", sdk("the page layout breaks on screens under 400px")),
    ("400px kilo code", "debug", kilo("code", "the page layout breaks on screens under 400px")),
    (
        "k23 kilo code+image",
        "implement",
        kilo("code", "Use this mockup: build the settings page exactly like the screenshot.", True),
    ),
    ("c17 cc bare C++ error", "debug", claude_code(f"```\n{CPP_ERR}\n```")),
    ("bare C++ error sdk", "debug", sdk(CPP_ERR)),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifact", type=Path, default=default_path())
    args = parser.parse_args()
    clf = TextClassifier.load(args.artifact)
    right = 0
    for name, label, request in CASES:
        pred = clf.classify(request)
        cell = max(pred.probs, key=pred.probs.__getitem__)
        ok = cell.split(":")[0] == label
        right += ok
        print(
            f"{'ok ' if ok else 'BAD'} {name:24s} label={label:9s} read={cell:16s} conf={pred.confidence:.2f}"
        )
    print(f"route right {right}/{len(CASES)}")


if __name__ == "__main__":
    main()
