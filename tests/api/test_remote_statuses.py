"""Remote statuses stored from the inbox: ids, mentions and hashtags, the author's counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from apikit import make_user, remote_actor

from fedihub import models
from fedihub.activitypub import parse
from fedihub.social import statuses
from fedihub.web.common import RUNTIME_KEY

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def note(author: models.Actor, n: int, **extra: Any) -> parse.ObjectDoc:
    return parse.object_doc(
        {
            "id": f"{author.uri}/notes/{n}",
            "type": "Note",
            "attributedTo": author.uri,
            "content": f"<p>note {n}</p>",
            "published": "2024-05-01T12:00:00Z",
            "to": [PUBLIC],
            "cc": [],
            **extra,
        }
    )


async def test_two_notes_published_in_the_same_second_drawing_the_same_id_are_both_stored(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = app.extensions[RUNTIME_KEY]
    zoe = await remote_actor("zoe", "far.example")
    first = await statuses.insert_remote(rt, zoe, note(zoe, 1))
    drawn = iter([first.id])  # the second note draws the first one's id, then a fresh one
    real_new_id = statuses.new_id
    monkeypatch.setattr(
        statuses, "new_id", lambda at_ms=None: next(drawn, None) or real_new_id(at_ms)
    )

    second = await statuses.store_remote(rt, zoe, note(zoe, 2))

    assert second.id != first.id and second.uri.endswith("/notes/2")
    stored = (
        await models.Status.filter(actor_id=zoe.id).order_by("id").values_list("uri", flat=True)
    )
    assert sorted(stored) == [first.uri, second.uri]


async def test_the_same_note_inserted_twice_is_stored_once(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    zoe = await remote_actor("zoe", "far.example")
    first = await statuses.insert_remote(rt, zoe, note(zoe, 1))
    again = await statuses.insert_remote(rt, zoe, note(zoe, 1, content="<p>changed</p>"))
    assert again.id == first.id and again.content == "<p>note 1</p>"
    assert await models.Status.filter(uri=first.uri).count() == 1


async def test_mentions_and_hashtags_of_a_new_remote_note_are_stored_once_each(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    ada = await make_user(app, "ada")
    zoe = await remote_actor("zoe", "far.example")
    max_ = await remote_actor("max", "near.example")
    ada_url = ada.actor.url or ada.actor.uri
    tags = [
        {"type": "Mention", "href": ada.actor.uri, "name": "@ada"},
        {"type": "Mention", "href": ada_url, "name": "@ada"},  # her profile URL too: one mention
        {"type": "Mention", "href": max_.uri, "name": "@max@near.example"},
        {"type": "Mention", "href": "https://unknown.example/users/x", "name": "@x"},
        {"type": "Hashtag", "name": "#Rust"},
        {"type": "Hashtag", "name": "rust"},
        {"type": "Hashtag", "name": "#fediverse"},
    ]

    status = await statuses.store_remote(rt, zoe, note(zoe, 1, tag=tags))

    mentioned = await models.Mention.filter(status_id=status.id).values_list("actor_id", flat=True)
    assert sorted(mentioned) == sorted([ada.actor.id, max_.id])
    names = await models.StatusTag.filter(status_id=status.id).values_list("name", flat=True)
    assert sorted(names) == ["fediverse", "rust"]
    notes = await models.Notification.filter(recipient_id=ada.actor.id, kind="mention")
    assert [n.status_id for n in notes] == [status.id]  # type: ignore[attr-defined]


async def test_an_update_replaces_the_hashtags_and_keeps_the_mentions(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    zoe = await remote_actor("zoe", "far.example")
    max_ = await remote_actor("max", "near.example")
    mention = {"type": "Mention", "href": max_.uri, "name": "@max@near.example"}
    status = await statuses.store_remote(
        rt, zoe, note(zoe, 1, tag=[mention, {"type": "Hashtag", "name": "#a"}])
    )

    await statuses.store_remote(
        rt, zoe, note(zoe, 1, tag=[mention, {"type": "Hashtag", "name": "#b"}])
    )

    assert await models.StatusTag.filter(status_id=status.id).values_list("name", flat=True) == [
        "b"
    ]
    assert await models.Mention.filter(status_id=status.id).count() == 1


async def test_the_authors_status_count_and_last_status_follow_the_stored_notes(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    zoe = await remote_actor("zoe", "far.example")
    await statuses.store_remote(rt, zoe, note(zoe, 1, published="2024-05-01T12:00:00Z"))
    latest = await statuses.store_remote(rt, zoe, note(zoe, 2, published="2024-05-02T08:30:00Z"))

    zoe = await models.Actor.get(id=zoe.id)
    assert zoe.statuses_count == 2
    assert zoe.last_status_at == latest.published

    await statuses.delete_remote(rt, zoe, latest.uri)
    zoe = await models.Actor.get(id=zoe.id)
    assert zoe.statuses_count == 1
    assert zoe.last_status_at is not None and zoe.last_status_at.isoformat().startswith(
        "2024-05-01T12:00"
    )


async def test_stream_events_are_built_only_when_a_stream_can_hear_them(
    app: Any, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_query_counts import QueryCounter

    rt = app.extensions[RUNTIME_KEY]
    zoe = await remote_actor("zoe", "far.example")
    await statuses.store_remote(rt, zoe, note(zoe, 0))  # the first of a kind is not measured
    with monkeypatch.context() as patch:
        counter = QueryCounter(patch)
        await statuses.store_remote(rt, zoe, note(zoe, 1))
    unheard = counter.count
    with rt.bus.subscribe(["public"]) as public:
        with monkeypatch.context() as patch:
            counter = QueryCounter(patch)
            heard = await statuses.store_remote(rt, zoe, note(zoe, 2))
        ids = []  # on PostgreSQL, the earlier notes' events may still be on their way
        while str(heard.id) not in ids and (event := await public.next_event(10.0)) is not None:
            ids.append(json.loads(event["payload"])["id"])
    assert str(heard.id) in ids
    if backend == "sqlite":  # one process, no client: no channels worked out, no payload rendered
        assert unheard < counter.count
    else:  # other processes' clients may listen
        assert unheard == counter.count
