"""wire.canonical: what the canonical message says of itself."""

from __future__ import annotations

from benchroute.wire.canonical import ImagePart, Message, TextPart


def test_message_text_joins_its_text_parts_only() -> None:
    image = ImagePart(url="data:image/png;base64,AA==")
    assert Message("user", [TextPart("one")]).text == "one"
    assert Message("user", [image]).text == ""
    assert Message("user", []).text == ""
    assert Message("user", [TextPart("a"), image, TextPart("b")]).text == "ab"
