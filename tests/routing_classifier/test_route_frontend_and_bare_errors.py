"""Front-end / visual bugs and bare pasted compiler errors are coding work (the user test read them
as `general`). Requests written by hand for this test, not taken from the training templates."""

from __future__ import annotations

import pytest

from benchroute.routing.taxonomy import split_cell
from benchroute.routing.textclf import TextClassifier, load_default
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart


@pytest.fixture(scope="module")
def clf() -> TextClassifier:
    return load_default()


def _route(clf: TextClassifier, text: str, mode: str | None = None) -> str:
    request = ChatRequest(
        model="auto", messages=[Message("user", [TextPart(text)])], context=RequestContext(mode=mode)
    )
    probs: dict[str, float] = {}
    for cell_id, p in clf.classify(request).probs.items():
        route, _ = split_cell(cell_id)
        probs[route] = probs.get(route, 0.0) + p
    return max(probs, key=probs.__getitem__)


FRONTEND_BUGS = [
    "the carousel arrows render on top of the images in Safari, fix that",
    "My grid layout collapses into one column on Chrome even on a wide monitor",
    "the navbar flickers every time the route changes",
]

CLANG_ERROR = (
    "src/render/mesh.cpp:87:23: error: use of undeclared identifier 'vertexCount'\n"
    "   87 |     for (size_t i = 0; i < vertexCount; ++i) {\n"
    "      |                       ^\n"
    "1 error generated.\n"
    "make[2]: *** [CMakeFiles/render.dir/build.make:76: src/render/mesh.cpp.o] Error 1"
)


@pytest.mark.parametrize("text", FRONTEND_BUGS)
def test_a_frontend_bug_is_debug(clf: TextClassifier, text: str) -> None:
    assert _route(clf, text) == "debug"


def test_a_frontend_bug_in_kilo_code_mode_is_debug(clf: TextClassifier) -> None:
    assert _route(clf, "text overlaps the buttons on small phones", mode="code") == "debug"


def test_building_a_page_from_a_screenshot_is_implement(clf: TextClassifier) -> None:
    assert _route(clf, "code up the pricing section so it matches the screenshot", mode="code") == "implement"


@pytest.mark.parametrize("text", [CLANG_ERROR, f"```\n{CLANG_ERROR}\n```"])
def test_a_bare_compiler_error_is_debug(clf: TextClassifier, text: str) -> None:
    assert _route(clf, text) == "debug"
