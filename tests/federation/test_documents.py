"""Actors, objects and collections as peers fetch them: content negotiation, signed fetches, who
sees what."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from tortoise.backends.base import executor

from fedihub import models
from fedihub.accounts import node_settings, users
from fedihub.activitypub import signatures
from fedihub.ids import new_id
from fedihub.models import FollowState, Visibility
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.social import documents
from fedihub.web.common import RUNTIME_KEY

AS_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture(autouse=True)
def _fresh_insert_queries() -> None:
    # tortoise caches INSERT statements per connection name: SQLite's `?` must not reach PostgreSQL
    executor.EXECUTOR_CACHE.clear()


@pytest.fixture(scope="module")
def remote_key() -> rsa.RSAPrivateKey:
    return keys.generate_private_key()


def runtime_of(app: Any) -> Runtime:
    rt: Runtime = app.extensions[RUNTIME_KEY]
    return rt


async def make_user(app: Any, name: str, **profile: Any) -> models.Actor:
    user = await users.create(runtime_of(app), name, f"{name}@example.org", PASSWORD)
    await user.fetch_related("actor")
    if profile:
        await user.actor.update_from_dict(profile).save()
    return user.actor


async def make_remote(name: str, key: rsa.RSAPrivateKey) -> models.Actor:
    uri = f"https://remote.example/users/{name}"
    return await models.Actor.create(
        uri=uri,
        username=name,
        domain="remote.example",
        inbox=f"{uri}/inbox",
        followers_url=f"{uri}/followers",
        public_key_id=f"{uri}#main-key",
        public_key_pem=keys.public_pem(key),
        fetched_at=datetime.now(UTC),  # freshly cached: a failed signature does not refetch it
    )


async def post(
    app: Any,
    author: models.Actor,
    visibility: Visibility = Visibility.PUBLIC,
    *,
    mentions: tuple[models.Actor, ...] = (),
    tags: tuple[str, ...] = (),
    **extra: Any,
) -> models.Status:
    rt = runtime_of(app)
    status_id = new_id()
    status = await models.Status.create(
        id=status_id,
        uri=rt.urls.status(author.username, status_id),
        url=rt.urls.status_page(author.username, status_id),
        actor=author,
        local=True,
        visibility=visibility,
        content=extra.pop("content", f"<p>post {status_id}</p>"),
        published=datetime.now(UTC),
        **extra,
    )
    for actor in mentions:
        await models.Mention.create(status=status, actor=actor)
    for tag in tags:
        await models.StatusTag.create(status=status, name=tag)
    return status


async def follow(follower: models.Actor, target: models.Actor) -> None:
    await models.Follow.create(follower=follower, target=target, state=FollowState.ACCEPTED)


async def get_as(
    client: Any,
    url: str,
    *,
    signer: tuple[models.Actor, rsa.RSAPrivateKey] | None = None,
    accept: str = AS_JSON,
) -> Any:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Accept": accept}
    if signer is not None:
        actor, key = signer
        full = f"https://fedihub.test{path}"
        assert actor.public_key_id is not None
        headers.update(signatures.sign_cavage("GET", full, headers, None, actor.public_key_id, key))
    return await client.get(path, headers=headers)


# --- actors ---------------------------------------------------------------------------------------


async def test_actor_document_carries_every_field_mastodon_reads(app: Any, client: Any) -> None:
    await make_user(
        app,
        "alice",
        display_name="Alice Liddell",
        summary="<p>Looking-glass studies</p>",
        affiliation="Oxford & Co <Lab>",
        research_areas=["Machine learning", "genomics"],
        links=[{"name": "Homepage", "value": "https://alice.example/about?x=1&y=2"}],
        icon_url="https://fedihub.test/media/avatars/alice.png",
        manually_approves=True,
    )
    for accept in (AS_JSON, LD_JSON, "application/ld+json"):
        response = await get_as(client, "/users/alice", accept=accept)
        assert response.status_code == 200, accept
        assert response.headers["Content-Type"] == "application/activity+json; charset=utf-8"
    doc = await response.get_json()
    context = doc["@context"]
    assert context[:2] == ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
    for term in (
        "manuallyApprovesFollowers",
        "toot",
        "featured",
        "discoverable",
        "indexable",
        "schema",
        "PropertyValue",
        "value",
        "Hashtag",
        "focalPoint",
        "memorial",
    ):
        assert term in context[2], term
    base = "https://fedihub.test/users/alice"
    assert doc["id"] == base and doc["type"] == "Person"
    assert doc["preferredUsername"] == "alice"
    assert doc["name"] == "Alice Liddell"
    assert doc["summary"] == "<p>Looking-glass studies</p>"
    assert doc["url"] == "https://fedihub.test/@alice"
    assert doc["inbox"] == f"{base}/inbox" and doc["outbox"] == f"{base}/outbox"
    assert doc["followers"] == f"{base}/followers" and doc["following"] == f"{base}/following"
    assert doc["featured"] == f"{base}/collections/featured"
    assert doc["endpoints"] == {"sharedInbox": "https://fedihub.test/inbox"}
    assert doc["publicKey"]["id"] == f"{base}#main-key"
    assert doc["publicKey"]["owner"] == base
    assert doc["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert doc["icon"] == {
        "type": "Image",
        "url": "https://fedihub.test/media/avatars/alice.png",
        "mediaType": "image/png",
    }
    assert doc["manuallyApprovesFollowers"] is True
    assert doc["discoverable"] is True and doc["indexable"] is True
    assert doc["memorial"] is False
    assert doc["published"].endswith("Z") and "T" in doc["published"]
    assert doc["tag"] == [
        {
            "type": "Hashtag",
            "href": "https://fedihub.test/tags/machinelearning",
            "name": "#MachineLearning",
        },
        {"type": "Hashtag", "href": "https://fedihub.test/tags/genomics", "name": "#genomics"},
    ]
    areas, affiliation, link = doc["attachment"]
    assert areas == {
        "type": "PropertyValue",
        "name": "Research areas",
        "value": "Machine learning, genomics",
    }
    # the same, machine-readable, for other fedihub nodes' directories (schema.org)
    assert doc["knowsAbout"] == ["Machine learning", "genomics"]
    assert doc["affiliation"] == {"type": "Organization", "name": "Oxford & Co <Lab>"}
    assert affiliation == {
        "type": "PropertyValue",
        "name": "Affiliation",
        "value": "Oxford &amp; Co &lt;Lab&gt;",
    }
    assert link["name"] == "Homepage"
    assert 'href="https://alice.example/about?x=1&amp;y=2"' in link["value"]
    assert 'rel="nofollow noopener noreferrer me"' in link["value"]
    assert 'target="_blank"' in link["value"]


async def test_browsers_get_the_profile_page_and_peers_get_json_at_both_urls(
    app: Any, client: Any
) -> None:
    alice = await make_user(
        app,
        "alice",
        display_name="Alice L",
        affiliation="Looking Glass Institute",
        research_areas=["Topology"],
        links=[{"name": "Lab", "value": "https://lab.example"}],
    )
    public = await post(app, alice, content="<p>public words</p>")
    await post(app, alice, Visibility.PRIVATE, content="<p>followers words</p>")
    response = await client.get(
        "/users/alice", headers={"Accept": "text/html,application/xhtml+xml"}
    )
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/@alice")
    page = await client.get("/@alice", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = await page.get_data(as_text=True)
    for text in (
        "Alice L",
        "Looking Glass Institute",
        "Topology",
        "https://lab.example",
        "public words",
    ):
        assert text in html, text
    assert "followers words" not in html
    assert f"/web/statuses/{public.id}" in html  # each post links to its thread page
    as_json = await get_as(client, "/@alice")
    assert as_json.headers["Content-Type"].startswith(AS_JSON)
    assert (await as_json.get_json())["id"] == alice.uri


async def test_unknown_and_disabled_actors_answer_404(app: Any, client: Any) -> None:
    await make_user(app, "carol")
    await users.set_disabled("carol")
    assert (await get_as(client, "/users/carol")).status_code == 404
    assert (await get_as(client, "/users/nobody")).status_code == 404


async def test_instance_actor_is_an_application_with_the_node_key(app: Any, client: Any) -> None:
    response = await get_as(client, "/actor")
    assert response.status_code == 200
    doc = await response.get_json()
    assert doc["type"] == "Application"
    assert doc["id"] == "https://fedihub.test/actor"
    assert doc["preferredUsername"] == "fedihub.test"
    assert doc["publicKey"]["id"] == "https://fedihub.test/actor#main-key"
    assert doc["publicKey"]["publicKeyPem"] == runtime_of(app).secrets.instance_public_pem


# --- objects --------------------------------------------------------------------------------------


async def test_note_document_has_mastodon_fields_addressing_and_tags(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    bob = await make_user(app, "bob")
    remote = await make_remote("rita", remote_key)
    status = await post(
        app,
        alice,
        mentions=(bob, remote),
        tags=("biology",),
        language="en",
        summary="spoiler",
        sensitive=True,
        in_reply_to_uri="https://remote.example/n/1",
    )
    await models.MediaAttachment.create(
        actor_id=alice.id,
        status_id=status.id,
        content_type="image/png",
        storage_key="a/b.png",
        description="a cell",
        blurhash="LEHV6nWB2yk8",
        meta={"original": {"width": 640, "height": 480}},
    )
    response = await get_as(client, status.uri)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/activity+json; charset=utf-8"
    note = await response.get_json()
    assert note["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert note["id"] == status.uri and note["type"] == "Note"
    assert note["attributedTo"] == alice.uri
    assert note["url"] == f"https://fedihub.test/@alice/{status.id}"
    assert note["summary"] == "spoiler" and note["sensitive"] is True
    assert note["inReplyTo"] == "https://remote.example/n/1"
    assert note["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert note["cc"] == [alice.followers_url, bob.uri, remote.uri]
    assert note["contentMap"] == {"en": note["content"]}
    assert note["published"].endswith("Z")
    assert "updated" not in note
    assert note["attachment"] == [
        {
            "type": "Document",
            "mediaType": "image/png",
            "url": "https://fedihub.test/media/a/b.png",
            "name": "a cell",
            "blurhash": "LEHV6nWB2yk8",
            "width": 640,
            "height": 480,
        }
    ]
    assert note["tag"] == [
        {"type": "Mention", "href": bob.uri, "name": "@bob@fedihub.test"},
        {"type": "Mention", "href": remote.uri, "name": "@rita@remote.example"},
        {"type": "Hashtag", "href": "https://fedihub.test/tags/biology", "name": "#biology"},
    ]
    # the browser URL answers the same JSON to peers, and HTML to people
    assert (await (await get_as(client, f"/@alice/{status.id}")).get_json())["id"] == status.uri
    page = await client.get(f"/@alice/{status.id}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and status.content in await page.get_data(as_text=True)


async def test_article_keeps_its_title_and_edits_show_updated(app: Any, client: Any) -> None:
    alice = await make_user(app, "alice")
    status = await post(
        app,
        alice,
        Visibility.UNLISTED,
        object_type="Article",
        name="On Mirrors",
        edited_at=datetime.now(UTC),
    )
    note = await (await get_as(client, status.uri)).get_json()
    assert note["type"] == "Article" and note["name"] == "On Mirrors"
    assert note["updated"].endswith("Z")
    assert note["to"] == [alice.followers_url]
    assert note["cc"] == ["https://www.w3.org/ns/activitystreams#Public"]


async def test_deleted_status_answers_410_with_a_tombstone_and_unknown_404(
    app: Any, client: Any
) -> None:
    alice = await make_user(app, "alice")
    status = await post(app, alice, deleted_at=datetime.now(UTC))
    response = await get_as(client, status.uri)
    assert response.status_code == 410
    tombstone = await response.get_json()
    assert tombstone["id"] == status.uri and tombstone["type"] == "Tombstone"
    assert tombstone["formerType"] == "Note" and tombstone["deleted"].endswith("Z")
    assert (await get_as(client, "/users/alice/statuses/12345")).status_code == 404
    other = await make_user(app, "bob")
    live = await post(app, other)
    # a status exists only under its own author's URL
    assert (await get_as(client, f"/users/alice/statuses/{live.id}")).status_code == 404


async def test_followers_only_status_is_served_only_to_a_signed_follower(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    fan = await make_remote("fan", remote_key)
    stranger = await make_remote("stranger", remote_key)
    await follow(fan, alice)
    status = await post(app, alice, Visibility.PRIVATE)
    assert (await get_as(client, status.uri)).status_code == 404
    assert (await get_as(client, status.uri, signer=(stranger, remote_key))).status_code == 404
    response = await get_as(client, status.uri, signer=(fan, remote_key))
    assert response.status_code == 200
    note = await response.get_json()
    assert note["to"] == [alice.followers_url] and note["cc"] == []


async def test_a_bad_signature_answers_401(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    fan = await make_remote("fan", remote_key)
    status = await post(app, alice)
    impostor_key = keys.generate_private_key()
    response = await get_as(client, status.uri, signer=(fan, impostor_key))
    assert response.status_code == 401
    assert "error" in await response.get_json()
    # a key nobody here owns (a local-looking one, so no resolver goes to the network for it)
    ghost = "https://fedihub.test/users/ghost"
    unknown = models.Actor(uri=ghost, public_key_id=f"{ghost}#main-key")
    assert (await get_as(client, status.uri, signer=(unknown, remote_key))).status_code == 401


async def test_direct_message_is_seen_only_by_its_addressee_and_never_listed(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    friend = await make_remote("friend", remote_key)
    fan = await make_remote("fan", remote_key)
    await follow(fan, alice)
    await follow(friend, alice)
    dm = await post(app, alice, Visibility.DIRECT, mentions=(friend,))
    assert (await get_as(client, dm.uri)).status_code == 404
    assert (await get_as(client, dm.uri, signer=(fan, remote_key))).status_code == 404
    response = await get_as(client, dm.uri, signer=(friend, remote_key))
    assert response.status_code == 200
    note = await response.get_json()
    assert note["to"] == [friend.uri] and note["cc"] == []
    page = await (
        await get_as(client, "/users/alice/outbox?page=true", signer=(friend, remote_key))
    ).get_json()
    assert page["orderedItems"] == []


async def test_institution_status_is_never_served_to_remote_requesters(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    fan = await make_remote("fan", remote_key)
    await follow(fan, alice)
    status = await post(app, alice, Visibility.INSTITUTION, content="<p>internal</p>")
    assert (await get_as(client, status.uri)).status_code == 404
    assert (await get_as(client, status.uri, signer=(fan, remote_key))).status_code == 404
    await status.update_from_dict({"deleted_at": datetime.now(UTC)}).save()
    assert (await get_as(client, status.uri)).status_code == 404  # not even a tombstone
    outbox = await (
        await get_as(client, "/users/alice/outbox?page=true", signer=(fan, remote_key))
    ).get_json()
    assert outbox["orderedItems"] == []
    page = await client.get(f"/@alice/{status.id}", headers={"Accept": "text/html"})
    assert page.status_code == 404


# --- collections ----------------------------------------------------------------------------------


async def test_outbox_pages_through_creates_newest_first(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    fan = await make_remote("fan", remote_key)
    await follow(fan, alice)
    posted = [
        await post(app, alice, Visibility.UNLISTED if i % 3 == 0 else Visibility.PUBLIC)
        for i in range(45)
    ]
    hidden = await post(app, alice, Visibility.PRIVATE)
    await post(app, alice, Visibility.DIRECT, mentions=(fan,))
    await post(app, alice, deleted_at=datetime.now(UTC))
    newest_first = [s.uri for s in reversed(posted)]

    collection = await (await get_as(client, "/users/alice/outbox")).get_json()
    assert collection["type"] == "OrderedCollection"
    assert collection["totalItems"] == 45
    seen: list[str] = []
    url = collection["first"]
    pages = []
    while url:
        page = await (await get_as(client, url)).get_json()
        assert page["type"] == "OrderedCollectionPage"
        assert page["partOf"] == "https://fedihub.test/users/alice/outbox"
        pages.append(page)
        for item in page["orderedItems"]:
            assert item["type"] == "Create"
            assert item["id"] == item["object"]["id"] + "/activity"
            assert item["actor"] == alice.uri
            seen.append(item["object"]["id"])
        url = page.get("next")
    assert [len(p["orderedItems"]) for p in pages] == [20, 20, 5]
    assert seen == newest_first
    assert "prev" not in pages[0] and "prev" in pages[1]
    # prev from the second page leads back to the first page's items
    back = await (await get_as(client, pages[1]["prev"])).get_json()
    assert [i["object"]["id"] for i in back["orderedItems"]] == newest_first[:20]

    # an accepted follower who signs also sees the followers-only status, and nothing else more
    signed = await (
        await get_as(client, "/users/alice/outbox", signer=(fan, remote_key))
    ).get_json()
    assert signed["totalItems"] == 46
    first = await (await get_as(client, signed["first"], signer=(fan, remote_key))).get_json()
    assert first["orderedItems"][0]["object"]["id"] == hidden.uri


async def test_outbox_page_rejects_a_malformed_cursor(app: Any, client: Any) -> None:
    await make_user(app, "alice")
    assert (await get_as(client, "/users/alice/outbox?page=true&max_id=abc")).status_code == 400


async def test_followers_and_following_list_accepted_follows(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    bob = await make_user(app, "bob")
    fans = [await make_remote(f"fan{i}", remote_key) for i in range(23)]
    for fan in fans:
        await follow(fan, alice)
    pending = await make_remote("pending", remote_key)
    await models.Follow.create(follower=pending, target=alice, state=FollowState.PENDING)
    await follow(alice, bob)

    collection = await (await get_as(client, "/users/alice/followers")).get_json()
    assert collection["totalItems"] == 23
    first = await (await get_as(client, collection["first"])).get_json()
    second = await (await get_as(client, first["next"])).get_json()
    assert first["orderedItems"] + second["orderedItems"] == [f.uri for f in reversed(fans)]
    assert "next" not in second

    following = await (await get_as(client, "/users/alice/following")).get_json()
    assert following["totalItems"] == 1
    page = await (await get_as(client, following["first"])).get_json()
    assert page["orderedItems"] == [bob.uri]

    featured = await (await get_as(client, "/users/alice/collections/featured")).get_json()
    assert featured["type"] == "OrderedCollection" and featured["orderedItems"] == []


async def test_batch_documents_take_a_constant_number_of_queries(
    app: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    rt = runtime_of(app)
    alice = await make_user(app, "alice")
    remote = await make_remote("rita", remote_key)

    async def count_queries(n: int) -> int:
        statuses = [await post(app, alice, mentions=(remote,), tags=("x", "y")) for _ in range(n)]
        connection = models.Status._meta.db
        calls = 0
        originals = {
            name: getattr(connection, name) for name in ("execute_query", "execute_query_dict")
        }

        def counting(original: Any) -> Any:
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                nonlocal calls
                calls += 1
                return await original(*args, **kwargs)

            return wrapper

        for name, original in originals.items():
            setattr(connection, name, counting(original))
        try:
            docs = await documents.note_documents(rt, statuses)
        finally:
            for name, original in originals.items():
                setattr(connection, name, original)
        assert [d["id"] for d in docs] == [s.uri for s in statuses]
        assert all(len(d["tag"]) == 3 for d in docs)
        return calls

    few = await count_queries(2)
    assert few > 0
    assert await count_queries(12) == few


# --- authorized fetch -----------------------------------------------------------------------------


async def test_authorized_fetch_requires_signatures_except_for_the_instance_actor(
    app: Any, client: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    alice = await make_user(app, "alice")
    fan = await make_remote("fan", remote_key)
    status = await post(app, alice)
    await node_settings.set_value("authorized_fetch", True)
    for url in (
        "/users/alice",
        "/@alice",
        status.uri,
        "/users/alice/outbox",
        "/users/alice/followers",
    ):
        unsigned = await get_as(client, url)
        assert unsigned.status_code == 401, url
        assert (await get_as(client, url, signer=(fan, remote_key))).status_code == 200, url
    assert (await get_as(client, "/actor")).status_code == 200
    webfinger = await client.get(
        "/.well-known/webfinger", query_string={"resource": "acct:alice@fedihub.test"}
    )
    assert webfinger.status_code == 200
    # people still read the HTML profile
    assert (await client.get("/@alice", headers={"Accept": "text/html"})).status_code == 200
    body = json.loads(await (await get_as(client, "/actor")).get_data(as_text=True))
    assert body["id"] == "https://fedihub.test/actor"


async def test_remote_statuses_are_served_as_received(
    app: Any, remote_key: rsa.RSAPrivateKey
) -> None:
    rt = runtime_of(app)
    remote = await make_remote("rita", remote_key)
    received = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://remote.example/objects/1",
        "type": "Event",
        "name": "Seminar",
        "startTime": "2026-12-01T10:00:00Z",
    }
    status = await models.Status.create(
        uri=received["id"],
        actor=remote,
        object_type="Event",
        document=received,
        published=datetime.now(UTC),
    )
    assert await documents.note_document(rt, status) == received
    embedded = await documents.note_document(rt, status, with_context=False)
    assert "@context" not in embedded and embedded["startTime"] == "2026-12-01T10:00:00Z"
