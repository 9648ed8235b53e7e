"""What fuzzing the parser found (tests/fuzz/test_fuzz_parse.py), kept as plain regression tests."""

from __future__ import annotations

from typing import Any

import pytest

from fedihub.activitypub import parse
from fedihub.errors import BadRequest

NOTE = {"id": "https://peer.example/notes/1", "type": "Note"}


def _attachment(**fields: Any) -> parse.Attachment:
    doc = {**NOTE, "attachment": [{"url": "https://peer.example/a.png", **fields}]}
    (attachment,) = parse.object_doc(doc).attachments
    return attachment


def test_a_focal_point_of_a_huge_integer_is_dropped_not_an_overflow_error() -> None:
    # float(10**400) raised OverflowError out of the parser: a 500 for the inbox's job
    assert _attachment(focalPoint=[10**400, 0]).focal_point is None
    assert _attachment(focalPoint=[0.5, -0.25]).focal_point == (0.5, -0.25)


@pytest.mark.parametrize("value", [True, 0, -3, 2**31, 10**30, 1.5, "640"])
def test_a_width_or_height_that_is_no_pixel_count_is_dropped(value: Any) -> None:
    attachment = _attachment(width=value, height=value)
    assert attachment.width is None and attachment.height is None


def test_pixel_counts_are_kept() -> None:
    attachment = _attachment(width=640, height=480)
    assert (attachment.width, attachment.height) == (640, 480)


@pytest.mark.parametrize(
    "body",
    [
        b'{"@context": "https://peer.example/\\u0000"}',
        b'{"a\\u0000": 1}',
        b'{"object": {"tag": [{"name": "x\\u0000"}]}}',
    ],
)
def test_a_document_holding_a_nul_character_is_a_bad_request(body: bytes) -> None:
    # PostgreSQL's jsonb cannot store U+0000: the inbox answered 500 on PostgreSQL
    with pytest.raises(BadRequest, match="NUL"):
        parse.loads_bounded(body)


def test_the_text_backslash_u0000_is_not_a_nul() -> None:
    assert parse.loads_bounded(b'{"content": "\\\\u0000"}') == {"content": "\\u0000"}


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(constant: bytes) -> None:
    # Python's json reads them; PostgreSQL's jsonb refused to store them: a 500 on the inbox there
    with pytest.raises(BadRequest):
        parse.loads_bounded(b'{"@context": ' + constant + b"}")
