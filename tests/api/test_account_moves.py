"""Moving accounts: aliases listed as the actor's alsoKnownAs, a peer's alsoKnownAs and movedTo
read bounded, a move out checked against the target's aliases read afresh, and a peer's Move
accepted only from the account itself and only to an account listing it (else nothing changes);
followers here follow the new account and are told with a `move` notification."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from apikit import bearer, json_of, make_token, make_user, remote_actor
from test_entity_shapes import check

from fedihub import jobs, models
from fedihub.activitypub import parse
from fedihub.inbox import dispatch
from fedihub.runtime import Runtime
from fedihub.social import moves
from fedihub.web.common import RUNTIME_KEY

AS = "application/activity+json"
MAX = "https://peer.example/users/max"
NEW = "https://new.example/users/max"


class Peer:
    """The node's HTTP client answered from documents (actors by URL, WebFinger by account)."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.asked: list[str] = []

    def actor(self, uri: str, **extra: Any) -> dict[str, Any]:
        name = uri.rsplit("/", 1)[1]
        doc = {
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "inbox": f"{uri}/inbox",
            "followers": f"{uri}/followers",
            **extra,
        }
        self.documents[uri] = doc
        host = parse.host_of(uri)
        self.documents[f"https://{host}/.well-known/webfinger?resource=acct:{name}@{host}"] = {
            "subject": f"acct:{name}@{host}",
            "links": [{"rel": "self", "type": AS, "href": uri}],
        }
        return doc

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url).replace("%3A", ":").replace("%40", "@")
        self.asked.append(url)
        if request.method == "GET" and url in self.documents:
            return httpx.Response(200, json=self.documents[url], headers={"Content-Type": AS})
        if request.method == "POST":
            return httpx.Response(202)
        return httpx.Response(404)


@pytest.fixture
def peer(app: Any, monkeypatch: pytest.MonkeyPatch) -> Peer:
    fake = Peer()
    rt: Runtime = app.extensions[RUNTIME_KEY]
    monkeypatch.setattr(rt, "http", httpx.AsyncClient(transport=httpx.MockTransport(fake.handle)))
    return fake


def _rt(client: Any) -> Runtime:
    rt: Runtime = client.app.extensions[RUNTIME_KEY]
    return rt


async def _sent(kind: str) -> list[dict[str, Any]]:
    rows = await models.OutboxActivity.all().order_by("id")
    return [doc for row in rows if (doc := json.loads(row.body))["type"] == kind]


async def test_aliases_are_listed_as_the_actors_also_known_as(client: Any, peer: Peer) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    peer.actor(MAX)

    # When ada names her account elsewhere by its address, it is resolved and listed
    added = await json_of(
        await client.post(
            "/api/fedihub/v1/account/aliases", json={"acct": "max@peer.example"}, **_h(token)
        )
    )
    assert added["acct"] == "max@peer.example"
    listed = await json_of(await client.get("/api/fedihub/v1/account/aliases", **_h(token)))
    assert [a["uri"] for a in listed] == [MAX]
    actor = await json_of(await client.get("/users/ada", headers={"Accept": AS}))
    assert actor["alsoKnownAs"] == [MAX] and "movedTo" not in actor
    # her followers hear of it (an Update carrying the list)
    assert (await _sent("Update"))[-1]["object"]["alsoKnownAs"] == [MAX]

    # bad input: herself, nobody, nothing: 422 naming acct, the list unchanged
    for acct in ("ada@" + _rt(client).urls.domain, "nobody@peer.example", ""):
        answer = await client.post(
            "/api/fedihub/v1/account/aliases", json={"acct": acct}, **_h(token)
        )
        assert answer.status_code == 422, acct
        assert (await answer.get_json())["error"].startswith("acct: ")

    await json_of(
        await client.delete(f"/api/fedihub/v1/account/aliases/{added['id']}", **_h(token))
    )
    assert await json_of(await client.get("/api/fedihub/v1/account/aliases", **_h(token))) == []
    actor = await json_of(await client.get("/users/ada", headers={"Accept": AS}))
    assert "alsoKnownAs" not in actor


def test_a_peers_also_known_as_and_moved_to_are_read_bounded() -> None:
    listed = [f"https://old{n}.example/users/x" for n in range(50)]
    doc = {
        "id": MAX,
        "type": "Person",
        "preferredUsername": "max",
        "inbox": f"{MAX}/inbox",
        "alsoKnownAs": ["javascript:alert(1)", "acct:x@y", {"id": listed[0]}, *listed],
        "movedTo": NEW,
    }
    parsed = parse.actor_doc(doc)
    assert parsed.also_known_as == listed[: parse.MAX_ALIASES]
    assert parsed.moved_to == NEW
    assert parse.actor_doc({**doc, "movedTo": "ftp://x.example/a"}).moved_to is None
    assert parse.actor_doc({**doc, "alsoKnownAs": "https://a.example/u"}).also_known_as == [
        "https://a.example/u"
    ]


async def test_moving_out_needs_the_target_to_list_the_account(client: Any, peer: Peer) -> None:
    rt = _rt(client)
    ada, zoe = await make_user(client.app, "ada"), await make_user(client.app, "zoe")
    token = await make_token(ada)
    far = await remote_actor("ivy", "far.example", shared_inbox="https://far.example/inbox")
    for follower in (zoe.actor, far):
        await models.Follow.create(
            follower=follower, target=ada.actor, state=models.FollowState.ACCEPTED
        )
    # the new account's document lists someone else: refused, nothing changed
    peer.actor(NEW, alsoKnownAs=["https://else.example/users/x"])
    refused = await client.post(
        "/api/fedihub/v1/account/move", json={"acct": "max@new.example"}, **_h(token)
    )
    assert refused.status_code == 422 and "does not list" in (await refused.get_json())["error"]
    assert (await models.Actor.get(id=ada.actor.id)).moved_to_id is None
    assert await _sent("Move") == []

    # once it lists ada (read afresh, not from the cache), the move goes through
    peer.actor(NEW, alsoKnownAs=[ada.actor.uri])
    moved = await json_of(
        await client.post(
            "/api/fedihub/v1/account/move", json={"acct": "max@new.example"}, **_h(token)
        )
    )
    assert moved["moved"]["uri"] == NEW
    me = await json_of(await client.get("/api/v1/accounts/verify_credentials", **_h(token)))
    assert me["moved"]["acct"] == "max@new.example"
    actor = await json_of(await client.get("/users/ada", headers={"Accept": AS}))
    assert actor["movedTo"] == NEW
    (move,) = await _sent("Move")
    assert (move["actor"], move["object"], move["target"]) == (ada.actor.uri, ada.actor.uri, NEW)
    stored = await models.OutboxActivity.get(uri=move["id"])
    delivered = await models.Job.filter(kind="deliver").values_list("payload", flat=True)
    assert {"activity": stored.id, "inbox": "https://far.example/inbox"} in delivered

    # the follower here follows the new account (a Follow sent), no longer ada, and is told
    await jobs.drain(rt, kinds=[moves.MOVE_JOB])
    new = await models.Actor.get(uri=NEW)
    assert await models.Follow.filter(follower_id=zoe.actor.id, target_id=new.id).exists()
    assert not await models.Follow.filter(follower_id=zoe.actor.id, target_id=ada.actor.id).exists()
    assert (await _sent("Follow"))[-1]["object"] == NEW
    zoe_token = await make_token(zoe)
    (note,) = await json_of(
        await client.get("/api/v1/notifications", query_string={"types[]": "move"}, **_h(zoe_token))
    )
    assert note["account"]["acct"] == "ada" and note["target"]["uri"] == NEW
    assert note["account"]["moved"]["uri"] == NEW
    # `move` is Pleroma's and Akkoma's type (Mastodon's enum has none): its accounts are Mastodon's
    check("Account", note["account"])
    check("Account", note["target"])
    check("Account", me)

    # a moved account posts no more, and moves again only after 30 days
    posted = await client.post("/api/v1/statuses", json={"status": "hi"}, **_h(token))
    assert posted.status_code == 403
    article = {"title": "Still here", "summary": "s", "body": "b"}
    published = await client.post("/api/fedihub/v1/articles", json=article, **_h(token))
    assert published.status_code == 403
    again = await client.post(
        "/api/fedihub/v1/account/move", json={"acct": "max@new.example"}, **_h(token)
    )
    assert again.status_code == 429
    await models.Actor.filter(id=ada.actor.id).update(
        moved_at=datetime.now(UTC) - timedelta(days=31)
    )
    assert moves.may_move_at(await models.Actor.get(id=ada.actor.id)) is None


async def _receive(rt: Runtime, signer: models.Actor, doc: dict[str, Any]) -> None:
    await dispatch.process(rt, {"activity": doc, "signer": signer.id})


def _move(actor: str, obj: str, target: str) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#moves/1",
        "type": "Move",
        "actor": actor,
        "object": obj,
        "target": target,
        "to": f"{actor}/followers",
    }


async def test_a_move_from_mastodon_into_a_local_account_that_lists_it(
    client: Any, peer: Peer
) -> None:
    rt = _rt(client)
    ada, zoe = await make_user(client.app, "ada"), await make_user(client.app, "zoe")
    old = await remote_actor("max", "peer.example", followers_url=f"{MAX}/followers")
    await models.Follow.create(follower=zoe.actor, target=old, state=models.FollowState.ACCEPTED)
    await models.Actor.filter(id=ada.actor.id).update(also_known_as=[MAX])

    await _receive(rt, old, _move(MAX, MAX, ada.actor.uri))
    await jobs.drain(rt, kinds=[moves.MOVE_JOB])

    assert (await models.Actor.get(id=old.id)).moved_to_id == ada.actor.id
    row = await models.Follow.get(follower_id=zoe.actor.id, target_id=ada.actor.id)
    assert row.state == models.FollowState.ACCEPTED
    assert not await models.Follow.filter(follower_id=zoe.actor.id, target_id=old.id).exists()
    undo = (await _sent("Undo"))[-1]
    assert undo["object"]["object"] == MAX
    kinds = await models.Notification.filter(recipient_id=zoe.actor.id).values_list(
        "kind", flat=True
    )
    assert "move" in kinds
    # ada hears of her new follower
    assert await models.Notification.filter(recipient_id=ada.actor.id, kind="follow").exists()


async def test_a_move_to_an_account_not_listing_the_old_one_is_refused(
    client: Any, peer: Peer
) -> None:
    rt = _rt(client)
    ada, zoe = await make_user(client.app, "ada"), await make_user(client.app, "zoe")
    old = await remote_actor("max", "peer.example")
    eve = await remote_actor("eve", "peer.example")
    await models.Follow.create(follower=zoe.actor, target=old, state=models.FollowState.ACCEPTED)

    async def unchanged() -> None:
        assert (await models.Actor.get(id=old.id)).moved_to_id is None
        assert await models.Follow.filter(follower_id=zoe.actor.id, target_id=old.id).exists()
        assert await models.Follow.filter(follower_id=zoe.actor.id).count() == 1
        assert not await models.Job.filter(kind=moves.MOVE_JOB).exists()
        assert not await models.Notification.filter(kind="move").exists()

    # a local target that does not list max
    with pytest.raises(jobs.PermanentError):
        await _receive(rt, old, _move(MAX, MAX, ada.actor.uri))
    await unchanged()

    # a remote target whose cached row lists max, but whose document, read afresh, does not
    await remote_actor("max", "new.example", also_known_as=[MAX])
    peer.actor(NEW, alsoKnownAs=[])
    with pytest.raises(jobs.PermanentError):
        await _receive(rt, old, _move(MAX, MAX, NEW))
    await unchanged()
    assert NEW in peer.asked

    # a forged Move: eve signs a Move of max's account to a target listing max
    peer.actor(NEW, alsoKnownAs=[MAX])
    with pytest.raises(jobs.PermanentError):
        await _receive(rt, eve, _move(eve.uri, MAX, NEW))
    with pytest.raises(jobs.PermanentError):
        await _receive(rt, eve, _move(MAX, MAX, NEW))
    await unchanged()


async def test_followers_move_in_batches(client: Any, peer: Peer) -> None:
    rt = _rt(client)
    ada = await make_user(client.app, "ada")
    old = await remote_actor("max", "peer.example")
    followers = [await make_user(client.app, f"f{n}") for n in range(moves.BATCH + 3)]
    for user in followers:
        await models.Follow.create(
            follower=user.actor, target=old, state=models.FollowState.ACCEPTED
        )
    await models.Actor.filter(id=ada.actor.id).update(also_known_as=[MAX])

    await _receive(rt, old, _move(MAX, MAX, ada.actor.uri))
    # the inbox job only enqueued the work: nobody moved yet
    assert await models.Follow.filter(target_id=ada.actor.id).count() == 0
    await jobs.drain(rt, kinds=[moves.MOVE_JOB])

    assert await models.Job.filter(kind=moves.MOVE_JOB).count() == 2
    assert await models.Follow.filter(target_id=ada.actor.id).count() == len(followers)
    assert await models.Follow.filter(target_id=old.id).count() == 0


def _h(token: str) -> dict[str, Any]:
    return {"headers": bearer(token)}


async def test_the_moving_routes_are_described(client: Any) -> None:
    spec = await json_of(await client.get("/api/fedihub/v1/openapi.json"))
    served = {
        (rule.rule.replace("<raw_id>", "{id}"), method.lower())
        for rule in client.app.url_map.iter_rules()
        if rule.rule.startswith("/api/fedihub/v1/account/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {
        (path, method)
        for path, item in spec["paths"].items()
        if path.startswith("/api/fedihub/v1/account/")
        for method in item
        if method != "parameters"
    }
    assert served == described and len(served) == 4
    assert "AccountHandle" in spec["components"]["schemas"]
