"""What the classifier and policy benchmarks share to time the classifier's memo
(benchmarks/classifier/run.py, benchmarks/policy/run.py and their ab.py): a request as a newly
parsed body holds it, and a classifier as the next call of a tool loop finds it."""

from __future__ import annotations

import dataclasses

from benchroute.routing.textclf import TextClassifier
from benchroute.wire.canonical import ChatRequest, TextPart


def fresh(req: ChatRequest) -> ChatRequest:
    """The request with new string objects (as a newly parsed body would hold): nothing cached on
    the old ones (a str caches its hash) carries over."""
    messages = [
        dataclasses.replace(
            m,
            content=[TextPart(p.text.encode().decode()) if isinstance(p, TextPart) else p for p in m.content],
        )
        for m in req.messages
    ]
    return dataclasses.replace(req, messages=messages)


def next_call(clf: TextClassifier) -> TextClassifier:
    """`clf` with a memo that keeps the work on turns and texts but no predictions: what the next
    call of a tool loop costs (its new tool result changes the structured features)."""
    from benchroute.routing.memo import TextMemo  # here: ab.py imports this file in older trees too
    from benchroute.routing.textclf import ClassifierMemo

    memo = ClassifierMemo()
    memo.predictions = TextMemo(max_entries=0)
    return dataclasses.replace(clf, memo=memo)
