"""Federation scenarios between two real nodes: locked accounts, edits, deletes, undos, direct
message privacy, blocks, a peer that is down and comes back, and key rotation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.federation.nodes import Account, Node, eventually

pytestmark = pytest.mark.federation


async def _follow(follower: Account, target: Account) -> dict[str, Any]:
    remote = await follower.lookup(target.handle)
    await follower.api("POST", f"/api/v1/accounts/{remote['id']}/follow")
    return remote


async def _following(follower: Account, remote_id: str) -> bool:
    rel = await follower.api("GET", "/api/v1/accounts/relationships", params={"id[]": remote_id})
    return bool(rel[0]["following"])


async def _find(account: Account, path: str, text: str) -> dict[str, Any] | None:
    for status in await account.api("GET", path):
        if text in status["content"]:
            return status  # type: ignore[no-any-return]
    return None


async def test_locked_account_edit_delete_and_undo(node_pair: tuple[Node, Node]) -> None:
    a, b = node_pair
    alice = await a.account("alice")
    bob = await b.account("bob", locked=True)

    # a follow of a locked account waits for approval
    remote_bob = await _follow(alice, bob)
    rel = await alice.api(
        "GET", "/api/v1/accounts/relationships", params={"id[]": remote_bob["id"]}
    )
    assert rel[0]["requested"] and not rel[0]["following"]

    async def request_arrived() -> list[dict[str, Any]]:
        return await bob.api("GET", "/api/v1/follow_requests")  # type: ignore[no-any-return]

    requests = await eventually(request_arrived, what="the follow request on bob's node")
    assert requests[0]["acct"] == alice.handle
    await bob.api("POST", f"/api/v1/follow_requests/{requests[0]['id']}/authorize")
    await eventually(lambda: _following(alice, remote_bob["id"]), what="approval to reach alice")

    # an edit reaches the follower, and so does a delete
    post = await bob.post("first draft of the abstract")
    seen = await eventually(
        lambda: _find(alice, "/api/v1/timelines/home", "first draft"), what="bob's post"
    )
    await bob.api(
        "PUT", f"/api/v1/statuses/{post['id']}", json={"status": "final abstract, reviewed"}
    )

    async def edited() -> bool:
        status = await alice.api("GET", f"/api/v1/statuses/{seen['id']}")
        return "final abstract" in status["content"] and status["edited_at"] is not None

    await eventually(edited, what="the edit to reach alice")
    history = await alice.api("GET", f"/api/v1/statuses/{seen['id']}/history")
    assert len(history) == 2 and "first draft" in history[0]["content"]

    # likes and boosts are undone, and the counts on bob's node follow
    await alice.api("POST", f"/api/v1/statuses/{seen['id']}/favourite")

    async def fav_count(n: int) -> bool:
        return (await bob.api("GET", f"/api/v1/statuses/{post['id']}"))["favourites_count"] == n

    await eventually(lambda: fav_count(1), what="the like")
    await alice.api("POST", f"/api/v1/statuses/{seen['id']}/unfavourite")
    await eventually(lambda: fav_count(0), what="the undone like")

    deleted = await bob.api("DELETE", f"/api/v1/statuses/{post['id']}")
    assert deleted["text"] == "final abstract, reviewed"

    async def gone() -> bool:
        response = await alice.api("GET", f"/api/v1/statuses/{seen['id']}", expect=None)
        return response.get("error") == "Record not found"

    await eventually(gone, what="the delete to reach alice")
    async with httpx.AsyncClient() as client:
        tomb = await client.get(post["uri"], headers={"Accept": "application/activity+json"})
    assert tomb.status_code == 410 and tomb.json()["type"] == "Tombstone"

    # an unfollow reaches bob's node
    await alice.api("POST", f"/api/v1/accounts/{remote_bob['id']}/unfollow")

    async def no_followers() -> bool:
        return (await bob.api("GET", f"/api/v1/accounts/{bob.id}"))["followers_count"] == 0

    await eventually(no_followers, what="the unfollow")


async def test_direct_messages_reach_only_the_addressee_and_blocks_sever_follows(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice = await a.account("alice")
    carol = await a.account("carol")
    bob = await b.account("bob")
    for follower in (alice, carol):
        remote_bob = await _follow(follower, bob)
        await eventually(lambda f=follower, r=remote_bob: _following(f, r["id"]), what="follow")

    dm = await bob.post(f"@{alice.handle} the review is confidential", visibility="direct")
    assert dm["visibility"] == "direct"
    got = await eventually(
        lambda: _find(alice, "/api/v1/timelines/direct", "confidential"), what="the DM"
    )
    assert got["visibility"] == "direct"
    # carol, who follows bob on the same node, never sees it
    assert await _find(carol, "/api/v1/timelines/home", "confidential") is None
    hidden = await carol.api("GET", f"/api/v1/statuses/{got['id']}", expect=404)
    assert hidden["error"] == "Record not found"
    # nor can anyone fetch it unsigned from bob's node, nor find it in bob's outbox
    async with httpx.AsyncClient() as client:
        unsigned = await client.get(dm["uri"], headers={"Accept": "application/activity+json"})
        outbox = await client.get(
            f"{bob.uri}/outbox?page=true", headers={"Accept": "application/activity+json"}
        )
    assert unsigned.status_code in (401, 404)
    assert "confidential" not in outbox.text

    # bob blocks carol: her follow ends on both nodes
    remote_carol = await bob.lookup(carol.handle)
    await bob.api("POST", f"/api/v1/accounts/{remote_carol['id']}/block")
    remote_bob_from_carol = await carol.lookup(bob.handle)

    async def severed() -> bool:
        return not await _following(carol, remote_bob_from_carol["id"])

    await eventually(severed, what="the block to end carol's follow")
    assert (await bob.api("GET", f"/api/v1/accounts/{bob.id}"))["followers_count"] == 1


async def test_a_peer_that_is_down_gets_the_post_when_it_is_back_and_key_rotation(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice = await a.account("alice")
    bob = await b.account("bob")
    remote_alice = await _follow(bob, alice)
    await eventually(lambda: _following(bob, remote_alice["id"]), what="bob following alice")

    # B goes down; alice posts; the delivery fails and waits for a retry
    b.stop()
    await alice.post("posted while bob's server was down")

    async def failed_once() -> bool:
        return "failing" in a.cli("jobs", "status")

    await eventually(failed_once, what="the failed delivery to be recorded")
    await b.start()
    a.cli("jobs", "retry", "--kind", "deliver")
    await eventually(
        lambda: _find(bob, "/api/v1/timelines/home", "while bob's server was down"),
        what="the retried delivery",
    )

    # alice rotates her key: bob's node refetches it and keeps accepting her posts
    a.cli("user", "rotate-key", "alice")
    await alice.post("signed with my new key")
    await eventually(
        lambda: _find(bob, "/api/v1/timelines/home", "new key"),
        what="a post signed with the new key",
    )
