"""The bovine-herd harness works both ways over loopback, and bovine behaves as documented.

These tests pin what fedihub's federation tests rely on: bovine starts offline, its actors can be
fetched (with a signed GET only), it delivers signed Follows, Accepts and public Notes, and it takes
in signed activities from a non-bovine actor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.peers.bovine import BovinePeer
from tests.peers.fixtures import PeerFactory, free_port
from tests.peers.stub_actor import ACTIVITY_JSON, AS_CONTEXT, StubActor

pytestmark = pytest.mark.federation
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
async def stub() -> AsyncIterator[StubActor]:
    actor = StubActor(free_port())
    await actor.start()
    try:
        yield actor
    finally:
        await actor.stop()


def _id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


async def test_bovine_serves_its_actor_only_to_signed_gets(
    bovine_peer: BovinePeer, stub: StubActor
) -> None:
    account = bovine_peer.account()

    unsigned = await stub.get(account.actor_id, signed=False)
    signed = await stub.get(account.actor_id)

    assert unsigned.status_code == 401
    assert signed.status_code == 200
    assert signed.headers["content-type"].startswith(ACTIVITY_JSON)
    actor = signed.json()
    assert actor["id"] == account.actor_id
    assert actor["publicKey"]["id"] == account.key_id
    assert actor["publicKey"]["owner"] == account.actor_id
    assert actor["preferredUsername"] == "alice"
    assert actor["inbox"].startswith(bovine_peer.base_url)
    async with httpx.AsyncClient() as client:
        finger = await client.get(
            f"{bovine_peer.base_url}/.well-known/webfinger",
            params={"resource": f"acct:alice@127.0.0.1:{bovine_peer.port}"},
        )
    assert finger.status_code == 200
    assert {link.get("href") for link in finger.json()["links"]} >= {account.actor_id}


async def test_two_bovine_peers_follow_and_deliver_a_note(bovine_peers: PeerFactory) -> None:
    alice_peer = await bovine_peers(handles=("alice",))
    bob_peer = await bovine_peers(handles=("bob",))
    alice, bob = alice_peer.actor_uri, bob_peer.actor_uri

    follow_id = await alice_peer.follow(bob)
    accept = await alice_peer.wait_for_inbox(
        lambda a: a["type"] == "Accept" and _id(a["object"]) == follow_id
    )
    await bob_peer.wait_until(bob_peer.followers, lambda f: f == alice, what="followers")
    await alice_peer.wait_until(alice_peer.following, lambda f: f == bob, what="following")
    note_id = await bob_peer.post_note("Hello from bob")
    create = await alice_peer.wait_for_inbox(
        lambda a: a["type"] == "Create" and _id(a["object"]) == note_id
    )

    assert accept["actor"] == bob
    assert create["actor"] == bob
    assert create["object"]["content"] == "Hello from bob"
    assert create["object"]["attributedTo"] == bob
    assert create["object"]["to"] == ["as:Public"]


async def test_bovine_exchanges_follows_and_notes_with_a_foreign_actor(
    bovine_peer: BovinePeer, stub: StubActor
) -> None:
    account = bovine_peer.account()

    # bovine follows the stub: a signed Follow reaches the stub's personal inbox
    follow_id = await bovine_peer.follow(stub.actor_id)
    follow = await stub.wait_for_delivery(lambda a: a.get("type") == "Follow")
    assert follow.verified, follow.problem
    assert follow.key_id == account.key_id
    assert follow.path == "/inbox"
    assert follow.headers["content-type"] == ACTIVITY_JSON
    assert follow.body["id"] == follow_id
    assert (follow.body["actor"], follow.body["object"]) == (account.actor_id, stub.actor_id)
    bovine_actor = await bovine_peer.actor_document()
    inbox = bovine_actor["inbox"]
    answer = await stub.post(inbox, {
        "@context": AS_CONTEXT, "id": f"{stub.base_url}/accepts/1", "type": "Accept",
        "actor": stub.actor_id, "object": follow_id, "to": [account.actor_id],
    })  # fmt: skip
    assert answer.status_code == 202
    await bovine_peer.wait_until(
        bovine_peer.following, lambda f: f == stub.actor_id, what="following"
    )

    # the stub follows bovine: bovine accepts with an Accept that carries only the Follow's id
    stub_follow = f"{stub.base_url}/follows/1"
    answer = await stub.post(inbox, {
        "@context": AS_CONTEXT, "id": stub_follow, "type": "Follow",
        "actor": stub.actor_id, "object": account.actor_id,
    })  # fmt: skip
    assert answer.status_code == 202
    accept = await stub.wait_for_delivery(lambda a: a.get("type") == "Accept")
    assert accept.verified, accept.problem
    assert accept.body["object"] == stub_follow
    assert accept.body["actor"] == account.actor_id
    await bovine_peer.wait_until(
        bovine_peer.followers, lambda f: f == stub.actor_id, what="followers"
    )

    # bovine posts publicly: the Create reaches its follower, addressed to "as:Public" as a bare
    # string (bovine compacts single values), cc its followers collection
    note_id = await bovine_peer.post_note("Hello, stub")
    create = await stub.wait_for_delivery(lambda a: a.get("type") == "Create")
    assert create.verified, create.problem
    assert create.path == "/inbox"
    note = create.body["object"]
    assert note["id"] == note_id
    assert note["content"] == "Hello, stub"
    assert (create.body["to"], note["to"]) == ("as:Public", "as:Public")
    assert (create.body["cc"], note["cc"]) == (bovine_actor["followers"],) * 2

    # the stub posts publicly: bovine stores it in its actor's inbox
    stub_note = f"{stub.base_url}/notes/1"
    answer = await stub.post(inbox, {
        "@context": AS_CONTEXT, "id": f"{stub.base_url}/creates/1", "type": "Create",
        "actor": stub.actor_id, "to": [PUBLIC], "cc": [account.actor_id],
        "object": {"id": stub_note, "type": "Note", "attributedTo": stub.actor_id,
                   "content": "Hello, bovine", "to": [PUBLIC], "cc": [account.actor_id]},
    })  # fmt: skip
    assert answer.status_code == 202
    received = await bovine_peer.wait_for_inbox(
        lambda a: a["type"] == "Create" and _id(a["object"]) == stub_note
    )
    assert received["actor"] == stub.actor_id
    assert received["object"]["content"] == "Hello, bovine"
    assert bovine_peer.empty_jsonld_contexts() == []


async def test_without_auto_accept_a_follow_waits_for_an_explicit_accept(
    bovine_peers: PeerFactory, stub: StubActor
) -> None:
    peer = await bovine_peers(auto_accept=False)
    inbox = (await peer.actor_document())["inbox"]
    stub_follow = f"{stub.base_url}/follows/2"
    answer = await stub.post(inbox, {
        "@context": AS_CONTEXT, "id": stub_follow, "type": "Follow",
        "actor": stub.actor_id, "object": peer.actor_uri,
    })  # fmt: skip
    assert answer.status_code == 202
    follow = await peer.wait_for_inbox(lambda a: a["type"] == "Follow")

    accept_id = await peer.accept(follow)
    accept = await stub.wait_for_delivery(lambda a: a.get("type") == "Accept")

    assert accept.verified, accept.problem
    assert accept.body["id"] == accept_id
    assert accept.body["object"] == stub_follow
    assert [d.body["id"] for d in stub.deliveries if d.body.get("type") == "Accept"] == [accept_id]
    assert await peer.followers() == [stub.actor_id]


async def test_bovine_rejects_an_unsigned_delivery(bovine_peer: BovinePeer) -> None:
    account = bovine_peer.account()
    inbox = (await bovine_peer.actor_document())["inbox"]
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            inbox,
            json={"type": "Follow", "actor": "http://127.0.0.1:1/x", "object": account.actor_id},
            headers={"content-type": ACTIVITY_JSON},
        )
    assert answer.status_code == 401
    assert await bovine_peer.inbox_items() == []
