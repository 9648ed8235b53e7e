"""Captured peer traffic replayed through a node's inbox: each document from
tests/fixtures/peers/ is signed, POSTed to /inbox, dispatched by the worker, and checked in the
database and in what the Mastodon API shows.

A fixture names its recipients on the peer's test server (`lain@localtesting.pleroma.lol`,
`bob@aster.example`, ...); the test points those at a user of this node by rewriting the ids,
and signs as the sender with a key of its own. Everything else is sent as the peer sent it.
Fetches (a Lemmy post and its author) and deliveries (our Accept) go to an httpx.MockTransport.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from apikit import bearer, json_of, make_token, make_user

from fedihub import jobs, models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.web.common import RUNTIME_KEY
from tests.federation.test_inbox_security import _signed

PEERS = Path(__file__).resolve().parents[1] / "fixtures" / "peers"
AS_JSON = {"Content-Type": "application/activity+json"}


@pytest.fixture(scope="module")
def peer_key() -> Any:
    return keys.generate_private_key()


class Peer:
    """The peers' side of the loopback: documents they serve, requests they received."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.received: list[tuple[str, dict[str, Any]]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.method == "POST":
            self.received.append((url, json.loads(request.content)))
            return httpx.Response(202)
        if url in self.documents:
            return httpx.Response(200, json=self.documents[url], headers=AS_JSON)
        return httpx.Response(404)


@pytest.fixture
def peer(app: Any, monkeypatch: pytest.MonkeyPatch) -> Peer:
    fake = Peer()
    rt: Runtime = app.extensions[RUNTIME_KEY]
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake.handle))
    monkeypatch.setattr(rt, "http", client)
    return fake


def fixture(name: str, rewrite: dict[str, str] | None = None) -> dict[str, Any]:
    """A peer document; `rewrite` points ids of the peer's test recipients at ours."""
    text = (PEERS / name).read_text(encoding="utf-8")
    for old, new in (rewrite or {}).items():
        text = text.replace(old, new)
    doc: dict[str, Any] = json.loads(text)
    return doc


async def actor_from(app: Any, name: str, key: Any) -> models.Actor:
    """Store a sender from its actor document, as a fetch of it would, holding our test key."""
    doc = fixture(name)
    doc["publicKey"]["publicKeyPem"] = keys.public_pem(key)
    rt = app.extensions[RUNTIME_KEY]
    return await resolver.store_actor(rt, parse.actor_doc(doc), fetched_from=doc["id"])


async def plain_actor(uri: str, key: Any) -> models.Actor:
    """A sender we hold no actor document of: its id, inbox, followers and key."""
    domain = uri.split("/")[2]
    return await models.Actor.create(
        uri=uri,
        username=uri.rstrip("/").rsplit("/", 1)[-1],
        domain=domain,
        inbox=f"{uri}/inbox",
        followers_url=f"{uri}/followers",
        public_key_id=f"{uri}#main-key",
        public_key_pem=keys.public_pem(key),
    )


async def deliver(
    app: Any, client: Any, sender: models.Actor, doc: dict[str, Any], key: Any
) -> None:
    """POST the activity to the shared inbox, signed as `sender`, and run what it queued."""
    body = json.dumps(doc).encode()
    headers = _signed(body, key, key_id=sender.public_key_id or "")
    response = await client.post("/inbox", data=body, headers=headers)
    assert response.status_code == 202, await response.get_data(as_text=True)
    assert (await response.get_json())["status"] == "accepted"
    await jobs.drain(app.extensions[RUNTIME_KEY])
    dead = models.Job.filter(kind="inbox", state=models.JobState.DEAD)
    failed = await dead.values_list("last_error", flat=True)
    assert not failed, failed


async def follows(follower: models.User, target: models.Actor) -> None:
    await models.Follow.create(
        follower_id=follower.actor_id, target=target, state=models.FollowState.ACCEPTED
    )


async def api(client: Any, token: str, path: str) -> Any:
    return await json_of(await client.get(path, headers=bearer(token)))


def first(items: list[dict[str, Any]], where: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    found = [item for item in items if where(item)]
    assert found, items
    return found[0]


async def test_mastodon_create_note_mentioning_a_user_is_stored_and_notified(
    app: Any, client: Any, peer: Peer, peer_key: Any
) -> None:
    # Given a Mastodon user's public post with a CW that mentions our ada
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    doc = fixture(
        "mastodon/create_note.json",
        {"http://localtesting.pleroma.lol/users/lain": ada.actor.uri, "@lain@": "@ada@"},
    )
    admin = await plain_actor(doc["actor"], peer_key)

    # When it arrives
    await deliver(app, client, admin, doc, peer_key)

    # Then it is stored public, with its CW, sensitive, mentioning ada
    status = await models.Status.get(uri=doc["object"]["id"])
    assert status.actor_id == admin.id and status.visibility is models.Visibility.PUBLIC
    assert (status.summary, status.sensitive) == ("cw", True)
    assert await models.Mention.filter(status_id=status.id, actor_id=ada.actor_id).exists()
    # and ada is notified, and sees it as Mastodon shows it
    notes = await api(client, token, "/api/v1/notifications")
    note = first(notes, lambda n: n["type"] == "mention")
    assert note["account"]["acct"] == "admin@mastodon.example.org"
    shown = note["status"]
    assert shown["uri"] == doc["object"]["id"]
    assert shown["url"] == doc["object"]["url"]
    assert (shown["visibility"], shown["spoiler_text"], shown["sensitive"]) == (
        "public",
        "cw",
        True,
    )
    assert [m["acct"] for m in shown["mentions"]] == ["ada"]
    assert ada.actor.uri in shown["content"]


async def test_misskey_quote_note_keeps_its_html_and_quote_link(
    app: Any, client: Any, peer: Peer, peer_key: Any
) -> None:
    # Given ada follows a Misskey user (stored from the actor document misskey.io serves)
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    author = await actor_from(app, "misskey/person.json", peer_key)
    await follows(ada, author)
    # and Misskey wraps a quote note in its Create (the shape of misskey/create_note.json)
    note = fixture("misskey/note_quote.json")
    create = {
        "@context": note.pop("@context"),
        "id": f"{note['id']}/activity",
        "actor": note["attributedTo"],
        "type": "Create",
        "published": note["published"],
        "object": note,
        "to": note["to"],
        "cc": note["cc"],
    }

    # When it arrives
    await deliver(app, client, author, create, peer_key)

    # Then the HTML `content` is stored, not the MFM source in `_misskey_content`, and the
    # quoted note's link Misskey writes into it ("RE: <a>", for servers without quotes) stays
    status = await models.Status.get(uri=note["id"])
    assert status.visibility is models.Visibility.PUBLIC and status.summary == ""
    assert "Fanbox" in status.content and "<br>" in status.content
    assert note["_misskey_content"] not in status.content
    home = await api(client, token, "/api/v1/timelines/home")
    shown = first(home, lambda s: s["uri"] == note["id"])
    assert shown["account"]["acct"] == "syuilo@misskey.io"
    assert shown["account"]["avatar"] == author.icon_url == note_icon(author)
    assert f'href="{note["quoteUrl"]}"' in shown["content"]
    assert (shown["spoiler_text"], shown["sensitive"]) == ("", False)


def note_icon(actor: models.Actor) -> str:
    icon = actor.document["icon"]
    assert isinstance(icon, dict)
    return str(icon["url"])


async def test_lemmy_announce_of_a_page_shows_the_post_boosted_by_its_community(
    app: Any, client: Any, peer: Peer, peer_key: Any
) -> None:
    # Given ada follows a Lemmy community
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    announce = fixture("lemmy/announce_create_page.json")
    community = await plain_actor(announce["actor"], peer_key)
    await follows(ada, community)
    # and Lemmy serves the post and its author
    page = announce["object"]["object"]
    author_uri = page["attributedTo"]
    peer.documents[page["id"]] = {"@context": "https://www.w3.org/ns/activitystreams", **page}
    peer.documents[author_uri] = fixture(
        "lemmy/person.json",
        {"https://enterprise.lemmy.ml/u/picard": author_uri, '"picard"': '"lemmy_beta"'},
    )

    # When the community announces the Create of the post
    await deliver(app, client, community, announce, peer_key)

    # Then the post is fetched from its origin and stored, boosted by the community
    post = await models.Status.get(uri=page["id"])
    assert (post.object_type, post.name) == ("Page", "post 4")
    author = await models.Actor.get(uri=author_uri)
    assert post.actor_id == author.id
    boost = await models.Status.get(uri=announce["id"])
    assert (boost.actor_id, boost.reblog_of_id) == (community.id, post.id)
    # and ada's home timeline shows it as Mastodon shows a boosted Lemmy post: the title
    home = await api(client, token, "/api/v1/timelines/home")
    shown = first(home, lambda s: s["uri"] == announce["id"])
    assert shown["account"]["acct"] == "main@enterprise.lemmy.ml"
    assert shown["reblog"]["uri"] == page["id"]
    assert shown["reblog"]["account"]["acct"] == "lemmy_beta@enterprise.lemmy.ml"
    assert "post 4" in shown["reblog"]["content"]

    # When the community announces the post's Create again (a retry under a new id)
    again = {**announce, "id": announce["id"] + "-again"}
    await deliver(app, client, community, again, peer_key)
    # Then there is still one boost of it
    assert await models.Status.filter(reblog_of_id=post.id).count() == 1


async def test_gotosocial_note_keeps_its_alt_text_blurhash_and_hashtag(
    app: Any, client: Any, peer: Peer, peer_key: Any
) -> None:
    # Given ada follows a GoToSocial admin, whose note has an image described only in `summary`
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    note = fixture("gotosocial/note_with_attachment_and_tags.json")
    admin = await plain_actor(note["attributedTo"], peer_key)
    await follows(ada, admin)
    image = note["attachment"][0]
    peer.documents[image["url"]] = {}  # not an image: the copy fails, the link stays
    # wrapped as GoToSocial wraps a note (typeutils.WrapStatusableInCreate; gotosocial/create_note)
    create = {
        "@context": note.pop("@context"),
        "actor": note["attributedTo"],
        "cc": note["cc"],
        "id": f"{note['id']}/activity#Create",
        "object": note,
        "published": note["published"],
        "to": note["to"],
        "type": "Create",
    }

    # When it arrives
    await deliver(app, client, admin, create, peer_key)

    # Then the image keeps its alt text, blurhash and type, and the hashtag is stored
    status = await models.Status.get(uri=note["id"])
    media = await models.MediaAttachment.get(status_id=status.id)
    assert (media.description, media.blurhash) == (image["summary"], image["blurhash"])
    shown = await api(client, token, f"/api/v1/statuses/{status.id}")
    [attachment] = shown["media_attachments"]
    assert attachment["type"] == "image" and attachment["remote_url"] == image["url"]
    assert attachment["description"] == image["summary"]
    assert [t["name"] for t in shown["tags"]] == ["welcome"]
    assert shown["language"] == "en" and shown["visibility"] == "public"


async def test_akkoma_direct_message_reaches_only_its_recipient(
    app: Any, client: Any, peer: Peer, peer_key: Any
) -> None:
    # Given an Akkoma user writes to our ada only
    ada = await make_user(app, "ada")
    eve = await make_user(app, "eve")
    ada_token, eve_token = await make_token(ada), await make_token(eve)
    bob = "https://aster.example/users/690d0271-4147-4302-ac50-7806f3ad8f87"
    doc = fixture(
        "pleroma/akkoma_create_direct_message.json",
        {bob: ada.actor.uri, "@bob@aster.example": "@ada@fedihub.test"},
    )
    alice = await plain_actor(doc["actor"], peer_key)

    # When it arrives
    await deliver(app, client, alice, doc, peer_key)

    # Then it is stored as a direct message to ada
    status = await models.Status.get(uri=doc["object"]["id"])
    assert status.visibility is models.Visibility.DIRECT
    assert status.conversation_uri == doc["object"]["context"]
    assert await models.Mention.filter(status_id=status.id, actor_id=ada.actor_id).exists()
    # and ada sees it (as Mastodon shows a DM), eve and anonymous readers do not
    shown = await api(client, ada_token, f"/api/v1/statuses/{status.id}")
    assert shown["visibility"] == "direct" and "private post to mention" in shown["content"]
    conversations = await api(client, ada_token, "/api/v1/conversations")
    assert conversations[0]["last_status"]["id"] == str(status.id)
    hidden = await client.get(f"/api/v1/statuses/{status.id}", headers=bearer(eve_token))
    assert hidden.status_code == 404
    assert (await client.get(f"/api/v1/statuses/{status.id}")).status_code == 404


async def test_gotosocial_follow_is_accepted_and_its_accept_settles_our_follow(
    app: Any, client: Any, peer: Peer, peer_key: Any
) -> None:
    # Given a GoToSocial user (stored from the actor document GoToSocial serves)
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    zork = await actor_from(app, "gotosocial/person.json", peer_key)
    satan = "http://fossbros-anonymous.io/users/foss_satan"

    # When they follow ada
    follow = fixture("gotosocial/follow.json", {satan: ada.actor.uri})
    await deliver(app, client, zork, follow, peer_key)

    # Then ada has a follower, is notified, and our Accept names their Follow
    row = await models.Follow.get(follower_id=zork.id, target_id=ada.actor_id)
    assert (row.state, row.uri) == (models.FollowState.ACCEPTED, follow["id"])
    followers = await api(client, token, f"/api/v1/accounts/{ada.actor_id}/followers")
    assert [a["acct"] for a in followers] == ["the_mighty_zork@localhost:8080"]
    assert followers[0]["avatar"] == note_icon(zork)  # the Image object's url
    notes = await api(client, token, "/api/v1/notifications")
    assert first(notes, lambda n: n["type"] == "follow")["account"]["id"] == str(zork.id)
    inbox, accept = peer.received[-1]
    assert inbox == zork.shared_inbox or inbox == zork.inbox
    assert accept["type"] == "Accept" and accept["object"]["id"] == follow["id"]

    # Given ada follows them back (pending until they accept)
    response = await client.post(f"/api/v1/accounts/{zork.id}/follow", headers=bearer(token))
    assert (await json_of(response))["requested"] is True
    ours = await models.Follow.get(follower_id=ada.actor_id, target_id=zork.id)
    await jobs.drain(app.extensions[RUNTIME_KEY])
    sent = peer.received[-1][1]
    assert sent["type"] == "Follow" and sent["id"] == ours.uri

    # When GoToSocial accepts it, re-sending our Follow inside the Accept
    inbound = "http://fossbros-anonymous.io/users/foss_satan/follow/01HZ8Y4A0QKW8C5V7NNB2XW0TD"
    accept = fixture("gotosocial/accept_follow.json", {inbound: ours.uri, satan: ada.actor.uri})
    await deliver(app, client, zork, accept, peer_key)

    # Then our follow is settled and the API shows it
    await ours.refresh_from_db()
    assert ours.state is models.FollowState.ACCEPTED
    relationship = (await api(client, token, f"/api/v1/accounts/relationships?id[]={zork.id}"))[0]
    assert (relationship["following"], relationship["requested"]) == (True, False)


async def test_writefreely_edit_and_deletion_reuse_the_post_id_and_still_apply(
    app: Any, client: Any, peer: Peer, peer_key: Any
) -> None:
    # Given ada follows a WriteFreely blog
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    blog = await actor_from(app, "writefreely/person.json", peer_key)
    await follows(ada, blog)
    create = fixture("writefreely/create_article.json")
    update = fixture("writefreely/update_article.json")
    assert update["id"] == create["id"]  # WriteFreely's Update carries the post's own id

    # When the post arrives, then its edit
    await deliver(app, client, blog, create, peer_key)
    await deliver(app, client, blog, update, peer_key)

    # Then the edit is applied, not dropped as a replay of the Create
    status = await models.Status.get(uri=create["object"]["id"])
    assert status.name == update["object"]["name"] and status.edited_at is not None
    shown = await api(client, token, f"/api/v1/statuses/{status.id}")
    assert update["object"]["name"] in shown["content"] and shown["edited_at"]

    # When it is deleted (its Delete id is the post's, plus "#Delete")
    await deliver(app, client, blog, fixture("writefreely/delete_article.json"), peer_key)

    # Then it is gone
    await status.refresh_from_db()
    assert status.deleted_at is not None
    gone = await client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token))
    assert gone.status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "pleroma/emoji_react.json",
        "misskey/like_custom_emoji_reaction.json",
        "lemmy/dislike_page.json",
        "lemmy/lock_page.json",
        "mastodon/flag.json",
        "gotosocial/accept_like_request.json",
        "mobilizon/join_group.json",
        "mobilizon/leave.json",
    ],
)
async def test_activities_fedihub_does_not_act_on_are_accepted_and_change_nothing(
    app: Any, client: Any, peer: Peer, peer_key: Any, name: str
) -> None:
    # reactions, votes against, moderation, reports, GoToSocial's interaction approvals
    # and Mobilizon's event joins: 202 and a job that finishes, as Mastodon answers them
    doc = fixture(name)
    sender = await plain_actor(doc["actor"], peer_key)
    await deliver(app, client, sender, doc, peer_key)
    assert await models.Job.filter(kind="inbox", state=models.JobState.DONE).count() == 1
    assert not await models.Status.all().exists()
    assert not await models.Follow.all().exists()
    assert not peer.received


@pytest.mark.parametrize("name", ["mastodon/move.json", "gotosocial/move.json"])
async def test_a_peers_move_carries_followers_here_only_to_a_target_listing_the_old_account(
    app: Any, client: Any, peer: Peer, peer_key: Any, name: str
) -> None:
    doc = fixture(name)
    old = await plain_actor(doc["actor"], peer_key)
    zoe = await make_user(app, "zoe")
    await follows(zoe, old)
    target = {
        "id": doc["target"],
        "type": "Person",
        "preferredUsername": doc["target"].rsplit("/", 1)[-1],
        "inbox": f"{doc['target']}/inbox",
        "alsoKnownAs": [],
    }

    # a target that does not list the old account: refused, nothing changes
    peer.documents[doc["target"]] = target
    body = json.dumps(doc).encode()
    headers = _signed(body, peer_key, key_id=old.public_key_id or "")
    assert (await client.post("/inbox", data=body, headers=headers)).status_code == 202
    await jobs.drain(app.extensions[RUNTIME_KEY])
    refused = models.Job.filter(kind="inbox", state=models.JobState.DEAD)
    assert await refused.count() == 1
    await refused.delete()
    assert await models.Follow.filter(follower_id=zoe.actor_id, target_id=old.id).exists()
    assert (await models.Actor.get(id=old.id)).moved_to_id is None

    # once the target lists it (a Move sent again, under a new id), zoe follows the target
    peer.documents[doc["target"]] = {**target, "alsoKnownAs": [doc["actor"]]}
    await deliver(app, client, old, {**doc, "id": f"{doc['id']}-again"}, peer_key)
    new = await models.Actor.get(uri=doc["target"])
    assert await models.Follow.filter(follower_id=zoe.actor_id, target_id=new.id).exists()
    assert not await models.Follow.filter(follower_id=zoe.actor_id, target_id=old.id).exists()
    sent = [body for url, body in peer.received if url == f"{doc['target']}/inbox"]
    assert [a["type"] for a in sent] == ["Follow"]
    shown = await api(client, await make_token(zoe), "/api/v1/notifications?types[]=move")
    assert shown[0]["target"]["uri"] == doc["target"]
