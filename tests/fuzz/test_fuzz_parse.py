"""The activity parser (activitypub/parse.py) under random and mutated peer documents: it returns
typed values or raises BadRequest, never anything else, and every URL it hands on is http(s)."""

from __future__ import annotations

import json
from typing import Any

from fuzzkit import (
    AS2_OBJECT,
    JSON,
    JSON_OBJECT,
    PEER_ACTORS,
    PEER_DOCUMENTS,
    mutated,
    mutated_bytes,
)
from hypothesis import given
from hypothesis import strategies as st

from fedihub.activitypub import parse
from fedihub.errors import BadRequest


def _is_http_or_none(value: str | None) -> bool:
    return value is None or parse.http_url(value) == value


def _check_object(doc: parse.ObjectDoc) -> None:
    assert parse.http_url(doc.id) == doc.id
    assert _is_http_or_none(doc.url) and _is_http_or_none(doc.in_reply_to)
    assert all(_is_http_or_none(tag.href) for tag in doc.tags)
    for attachment in doc.attachments:
        assert parse.http_url(attachment.url) == attachment.url
        for size in (attachment.width, attachment.height):
            assert size is None or (type(size) is int and 0 < size < 2**31)
        if attachment.focal_point is not None:
            assert all(-1.0 <= v <= 1.0 for v in attachment.focal_point)


def _check_actor(doc: parse.ActorDoc) -> None:
    assert parse.http_url(doc.id) == doc.id and parse.http_url(doc.inbox) == doc.inbox
    for url in (
        doc.url,
        doc.outbox,
        doc.shared_inbox,
        doc.followers,
        doc.following,
        doc.featured,
        doc.icon,
        doc.image,
        doc.public_key_id,
    ):
        assert _is_http_or_none(url)


def _read_everything(doc: Any) -> None:
    """Every reader of the parser on `doc`; only BadRequest may come out."""
    if not isinstance(doc, dict):
        return
    try:
        activity = parse.activity(doc)
    except BadRequest:
        pass
    else:
        assert parse.http_url(activity.id) == activity.id
        assert parse.http_url(activity.actor) == activity.actor
        if isinstance(activity.embedded, parse.ObjectDoc):
            _check_object(activity.embedded)
        elif isinstance(activity.embedded, parse.ActorDoc):
            _check_actor(activity.embedded)
        parse.announced_object_id(activity)
        assert isinstance(activity.origin, str)
    for reader, check in ((parse.object_doc, _check_object), (parse.actor_doc, _check_actor)):
        try:
            check(reader(doc))  # type: ignore[operator]
        except BadRequest:
            pass
    for value in doc.values():
        parse.http_url(value)
        parse.origin_of(value if isinstance(value, str) else None)
        parse.first_url(value)
        parse.image_url(value)
        parse.id_list(value)
        parse.parse_time(value)
        parse.host_of(value if isinstance(value, str) else None)


@given(mutated())
def test_mutated_peer_documents_parse_or_raise_bad_request(doc: Any) -> None:
    _read_everything(doc)


@given(mutated(PEER_ACTORS))
def test_mutated_peer_actors_parse_or_raise_bad_request(doc: Any) -> None:
    _read_everything(doc)
    embedded = {
        "id": "https://peer.example/a/1",
        "type": "Update",
        "actor": "https://peer.example/u",
        "object": doc,
    }
    _read_everything(embedded)


@given(JSON_OBJECT)
def test_random_objects_parse_or_raise_bad_request(doc: dict[str, Any]) -> None:
    _read_everything(doc)
    _read_everything(
        {
            "id": "https://p.example/1",
            "type": "Create",
            "actor": "https://p.example/u",
            "object": doc,
        }
    )


@given(AS2_OBJECT)
def test_as2_shaped_objects_parse_or_raise_bad_request(doc: dict[str, Any]) -> None:
    _read_everything(doc)


@given(st.binary(max_size=300) | st.builds(lambda v: json.dumps(v).encode(), JSON))
def test_random_bodies_load_or_raise_bad_request(body: bytes) -> None:
    try:
        doc = parse.loads_bounded(body)
    except BadRequest:
        return
    assert isinstance(doc, dict)
    _read_everything(doc)


@given(st.sampled_from(PEER_DOCUMENTS).flatmap(lambda d: mutated_bytes(json.dumps(d).encode())))
def test_damaged_peer_bodies_load_or_raise_bad_request(body: bytes) -> None:
    try:
        doc = parse.loads_bounded(body)
    except BadRequest:
        return
    _read_everything(doc)


@given(st.integers(1, 200), st.sampled_from(["[", '{"a":']))
def test_deep_nesting_is_bad_request_not_recursion(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    body = ('{"a":' + opener * depth + "1" + closer * depth + "}").encode()
    try:
        parse.loads_bounded(body)
    except BadRequest:
        assert depth >= 31
