"""Pinned statuses: Mastodon's rules and words on pin/unpin, `pinned` for the author alone,
`pinned=true` on account statuses, the actor's `featured` collection served (what the requester
may see), Add/Remove sent to followers, and a peer's pins read from its `featured` collection
(bounded, its own statuses only) and kept up by its Add and Remove."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from apikit import bearer, json_of, make_token, make_user, remote_actor
from test_entity_shapes import check

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.inbox import dispatch
from fedihub.runtime import Runtime
from fedihub.social import pins
from fedihub.web.common import RUNTIME_KEY

AS = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _post(client: Any, token: str, text: str, visibility: str = "public") -> str:
    made = await json_of(
        await client.post(
            "/api/v1/statuses",
            json={"status": text, "visibility": visibility},
            headers=bearer(token),
        )
    )
    return str(made["id"])


async def test_pin_rules_words_and_the_pinned_list(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    first = await _post(client, ada_t, "first")
    pinned = await json_of(
        await client.post(f"/api/v1/statuses/{first}/pin", headers=bearer(ada_t))
    )
    check("Status", pinned)
    assert pinned["pinned"] is True
    again = await json_of(await client.post(f"/api/v1/statuses/{first}/pin", headers=bearer(ada_t)))
    assert again["pinned"] is True
    by_bob = await json_of(await client.get(f"/api/v1/statuses/{first}", headers=bearer(bob_t)))
    assert "pinned" not in by_bob

    async def refused(token: str, status_id: str, words: str) -> None:
        answer = await client.post(f"/api/v1/statuses/{status_id}/pin", headers=bearer(token))
        assert answer.status_code == 422, await answer.get_data()
        assert (await answer.get_json())["error"] == f"Validation failed: {words}"

    await refused(bob_t, first, pins.OWNERSHIP)
    await refused(ada_t, await _post(client, ada_t, "@bob psst", "direct"), pins.DIRECT)
    boost = await json_of(
        await client.post(f"/api/v1/statuses/{first}/reblog", headers=bearer(ada_t))
    )
    await refused(ada_t, boost["id"], pins.REBLOG)
    hidden = await _post(client, ada_t, "followers only", "private")
    assert (
        await client.post(f"/api/v1/statuses/{hidden}/pin", headers=bearer(bob_t))
    ).status_code == 404
    more = [hidden, await _post(client, ada_t, "u", "unlisted")]
    more += [await _post(client, ada_t, f"p{n}") for n in range(2)]
    for status_id in more:
        await json_of(await client.post(f"/api/v1/statuses/{status_id}/pin", headers=bearer(ada_t)))
    await refused(ada_t, await _post(client, ada_t, "sixth"), pins.LIMIT)

    listed = await json_of(
        await client.get(
            f"/api/v1/accounts/{ada.actor_id}/statuses?pinned=true", headers=bearer(ada_t)
        )
    )
    assert sorted(s["id"] for s in listed) == sorted([first, *more])
    assert all(s["pinned"] for s in listed)
    anonymous = await json_of(
        await client.get(f"/api/v1/accounts/{ada.actor_id}/statuses?pinned=true")
    )
    assert hidden not in {s["id"] for s in anonymous} and len(anonymous) == 4

    unpinned = await json_of(
        await client.post(f"/api/v1/statuses/{first}/unpin", headers=bearer(ada_t))
    )
    assert unpinned["pinned"] is False
    listed = await json_of(
        await client.get(f"/api/v1/accounts/{ada.actor_id}/statuses?pinned=true")
    )
    assert first not in {s["id"] for s in listed}


async def test_the_featured_collection_and_add_remove_to_followers(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    zoe = await remote_actor("zoe", "far.example")
    await models.Follow.create(follower=zoe, target=ada.actor, state=models.FollowState.ACCEPTED)
    public = await _post(client, token, "pinned in public")
    private = await _post(client, token, "pinned for followers", "private")
    local_only = await _post(client, token, "pinned inside", "institution")
    for status_id in (public, private, local_only):
        await json_of(await client.post(f"/api/v1/statuses/{status_id}/pin", headers=bearer(token)))
    doc = await json_of(await client.get("/users/ada/collections/featured", headers={"Accept": AS}))
    assert doc["type"] == "OrderedCollection" and doc["id"].endswith(
        "/users/ada/collections/featured"
    )
    assert doc["totalItems"] == 1 and doc["orderedItems"][0]["content"] == "<p>pinned in public</p>"
    actor = await json_of(await client.get("/users/ada", headers={"Accept": AS}))
    assert actor["featured"] == doc["id"]

    sent = [json.loads(a.body) for a in await models.OutboxActivity.all().order_by("id")]
    adds = [a for a in sent if a["type"] == "Add"]
    assert [a["target"] for a in adds] == [doc["id"], doc["id"]]  # not the institution one
    await client.post(f"/api/v1/statuses/{public}/unpin", headers=bearer(token))
    sent = [json.loads(a.body) for a in await models.OutboxActivity.all().order_by("id")]
    assert [a["type"] for a in sent if a["type"] in ("Add", "Remove")][-1] == "Remove"


class Peer:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.asked: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.asked.append(url)
        if url in self.documents:
            return httpx.Response(200, json=self.documents[url], headers={"Content-Type": AS})
        return httpx.Response(404)


def serve_documents(app: Any, monkeypatch: pytest.MonkeyPatch) -> Peer:
    """The node's HTTP client answered by a Peer: the documents it holds, 404 for the rest."""
    fake = Peer()
    rt: Runtime = app.extensions[RUNTIME_KEY]
    monkeypatch.setattr(rt, "http", httpx.AsyncClient(transport=httpx.MockTransport(fake.handle)))
    return fake


@pytest.fixture
def peer(app: Any, monkeypatch: pytest.MonkeyPatch) -> Peer:
    return serve_documents(app, monkeypatch)


def _note(n: int, author: str = "https://peer.example/users/max") -> dict[str, Any]:
    return {
        "id": f"{author}/statuses/{n}",
        "type": "Note",
        "attributedTo": author,
        "content": f"<p>pinned {n}</p>",
        "published": "2024-05-01T12:00:00Z",
        "to": [PUBLIC],
    }


async def test_a_peers_pins_are_read_from_its_featured_collection(client: Any, peer: Peer) -> None:
    rt = client.app.extensions[RUNTIME_KEY]
    base = "https://peer.example/users/max"
    featured = f"{base}/collections/featured"
    actor_doc = {
        "id": base,
        "type": "Person",
        "preferredUsername": "max",
        "inbox": f"{base}/inbox",
        "featured": featured,
    }
    peer.documents[base] = actor_doc
    # one embedded, one by id, one of another author (refused), one missing, and many more
    peer.documents[_note(2)["id"]] = _note(2)
    other = _note(9, "https://peer.example/users/eve")
    peer.documents[other["id"]] = other
    peer.documents["https://peer.example/users/eve"] = {
        **actor_doc,
        "id": "https://peer.example/users/eve",
        "preferredUsername": "eve",
        "inbox": "https://peer.example/users/eve/inbox",
        "featured": None,
    }
    items: list[Any] = [_note(1), _note(2)["id"], other["id"], f"{base}/statuses/404"]
    items += [f"{base}/statuses/{n}" for n in range(100, 140)]
    peer.documents[featured] = {
        "id": featured,
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }
    max_ = await resolver.store_actor(rt, parse.actor_doc(actor_doc), fetched_from=base)
    (job,) = await models.Job.filter(kind=pins.SYNC_JOB)
    await pins.sync_featured(rt, job.payload)
    pinned = await models.Pin.filter(actor_id=max_.id).prefetch_related("status")
    assert sorted(p.status.uri for p in pinned) == [_note(1)["id"], _note(2)["id"]]
    assert len([u for u in peer.asked if "/statuses/1" in u]) <= pins.MAX_REMOTE_PINS
    listed = await json_of(await client.get(f"/api/v1/accounts/{max_.id}/statuses?pinned=true"))
    assert [s["content"] for s in listed] == ["<p>pinned 2</p>", "<p>pinned 1</p>"] or [
        s["content"] for s in listed
    ] == ["<p>pinned 1</p>", "<p>pinned 2</p>"]
    # the actor stored again within the hour: no second read
    await resolver.store_actor(rt, parse.actor_doc(actor_doc), fetched_from=base)
    assert await models.Job.filter(kind=pins.SYNC_JOB).count() == 1

    # Remove and Add from the peer keep them up
    status_two = await models.Status.get(uri=_note(2)["id"])
    remove = {
        "id": f"{base}#remove/1",
        "type": "Remove",
        "actor": base,
        "object": status_two.uri,
        "target": featured,
    }
    await dispatch.process(rt, {"activity": remove, "signer": max_.id})
    assert await models.Pin.filter(actor_id=max_.id).count() == 1
    add = {**remove, "id": f"{base}#add/1", "type": "Add"}
    await dispatch.process(rt, {"activity": add, "signer": max_.id})
    assert await models.Pin.filter(actor_id=max_.id).count() == 2
    wrong_target = {**add, "id": f"{base}#add/2", "target": f"{base}/collections/other"}
    await models.Pin.filter(actor_id=max_.id).delete()
    await dispatch.process(rt, {"activity": wrong_target, "signer": max_.id})
    assert await models.Pin.filter(actor_id=max_.id).count() == 0
