"""Two real nodes talking signed ActivityPub over loopback: follows, posts, replies, mentions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.federation.nodes import Node, eventually

pytestmark = pytest.mark.federation


async def _home_has(account: Any, text: str) -> dict[str, Any] | None:
    timeline = await account.api("GET", "/api/v1/timelines/home")
    return next(
        (
            s
            for s in timeline
            if text in s["content"] or (s["reblog"] and text in s["reblog"]["content"])
        ),
        None,
    )


async def test_follow_post_reply_mention_like_boost_across_nodes(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice = await a.account("alice")
    bob = await b.account("bob")

    # Given alice on node A follows bob on node B
    remote_bob = await alice.lookup(bob.handle)
    assert remote_bob["acct"] == bob.handle
    relationship = await alice.api("POST", f"/api/v1/accounts/{remote_bob['id']}/follow")
    assert relationship["following"] or relationship["requested"]

    async def accepted() -> bool:
        rel = await alice.api(
            "GET", "/api/v1/accounts/relationships", params={"id[]": remote_bob["id"]}
        )
        return bool(rel[0]["following"])

    await eventually(accepted, what="bob's node to accept alice's follow")

    async def bob_has_follower() -> bool:
        notes = await bob.api("GET", "/api/v1/notifications")
        return any(n["type"] == "follow" and n["account"]["acct"] == alice.handle for n in notes)

    await eventually(bob_has_follower, what="bob to be notified of the follow")

    # When bob posts publicly, it reaches alice's home timeline on A
    post = await bob.post("Our new paper on #Graphene is out")
    seen = await eventually(lambda: _home_has(alice, "new paper on"), what="bob's post on node A")
    assert seen["account"]["acct"] == bob.handle
    assert seen["tags"] == [{"name": "graphene", "url": f"{a.base}/tags/graphene"}]

    # alice replies with a mention; bob gets the reply and a mention notification on B
    reply = await alice.post(f"@{bob.handle} congratulations!", in_reply_to_id=seen["id"])
    assert reply["in_reply_to_id"] == seen["id"]

    async def bob_mentioned() -> dict[str, Any] | None:
        notes = await bob.api("GET", "/api/v1/notifications", params={"types[]": "mention"})
        return next((n for n in notes if "congratulations" in n["status"]["content"]), None)

    mention = await eventually(bob_mentioned, what="the mention to reach bob")
    assert mention["status"]["in_reply_to_id"] == post["id"]
    assert mention["account"]["acct"] == alice.handle

    # alice likes and boosts bob's post; bob is notified of both
    await alice.api("POST", f"/api/v1/statuses/{seen['id']}/favourite")
    await alice.api("POST", f"/api/v1/statuses/{seen['id']}/reblog")

    async def bob_liked_and_boosted() -> bool:
        kinds = {n["type"] for n in await bob.api("GET", "/api/v1/notifications")}
        return {"favourite", "reblog"} <= kinds

    await eventually(bob_liked_and_boosted, what="like and boost to reach bob")
    counted = await bob.api("GET", f"/api/v1/statuses/{post['id']}")
    assert (
        counted["favourites_count"] == 1
        and counted["reblogs_count"] == 1
        and counted["replies_count"] == 1
    )

    # bob edits his profile: the Update reaches node A, which shows the new name
    await bob.api("PATCH", "/api/v1/accounts/update_credentials", data={"display_name": "Dr. Bob"})

    async def renamed() -> bool:
        return (await alice.api("GET", f"/api/v1/accounts/{remote_bob['id']}"))[
            "display_name"
        ] == "Dr. Bob"

    await eventually(renamed, what="bob's profile Update on node A")

    # fedihub peers learn from NodeInfo that they both verify RFC 9421, and sign with it
    async with httpx.AsyncClient() as client:
        metrics = (await client.get(f"{b.base}/metrics")).text
    assert 'fedihub_signatures_verified_total{scheme="rfc9421"}' in metrics
    assert 'fedihub_signatures_verified_total{scheme="cavage"}' not in metrics
