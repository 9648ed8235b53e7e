"""fedihub and a real third-party server, bovine-herd, follow each other and see each other's
posts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.nodes import Node, eventually
from tests.peers.bovine import BovinePeer

pytestmark = pytest.mark.federation


async def test_fedihub_and_bovine_follow_each_other_and_posts_arrive_both_ways(
    node: Node, bovine_peer: BovinePeer
) -> None:
    alice = await node.account("alice")
    bovine_handle = f"{bovine_peer.account().handle}@127.0.0.1:{bovine_peer.port}"

    # fedihub -> bovine: alice finds bovine's actor by WebFinger and follows it
    remote = await alice.lookup(bovine_handle)
    assert remote["uri"] == bovine_peer.actor_uri
    await alice.api("POST", f"/api/v1/accounts/{remote['id']}/follow")

    async def following() -> bool:
        rel = await alice.api(
            "GET", "/api/v1/accounts/relationships", params={"id[]": remote["id"]}
        )
        return bool(rel[0]["following"])

    await eventually(following, what="bovine's Accept (it carries only the Follow's id)")

    # bovine posts publicly (addressed to as:Public): the note reaches alice's home timeline
    note_id = await bovine_peer.post_note("<p>hello from bovine</p>")

    async def in_home() -> dict[str, Any] | None:
        timeline = await alice.api("GET", "/api/v1/timelines/home")
        return next((s for s in timeline if s["uri"] == note_id), None)

    status = await eventually(in_home, what="bovine's note on fedihub")
    assert "hello from bovine" in status["content"]
    assert status["visibility"] == "public"

    # bovine -> fedihub: bovine follows alice; fedihub accepts; alice's post reaches bovine
    follow_id = await bovine_peer.follow(alice.uri)
    accept = await bovine_peer.wait_for_inbox(lambda a: a.get("type") == "Accept")
    inner = accept["object"]
    assert (inner if isinstance(inner, str) else inner.get("id")) == follow_id

    async def has_follower() -> bool:
        return (await alice.api("GET", f"/api/v1/accounts/{alice.id}"))["followers_count"] == 1

    await eventually(has_follower, what="bovine as alice's follower")
    await alice.post("hello bovine, from fedihub")

    def is_alices_note(activity: dict[str, Any]) -> bool:
        obj = activity.get("object")
        return (
            activity.get("type") == "Create"
            and isinstance(obj, dict)
            and "hello bovine" in str(obj.get("content"))
        )

    created = await bovine_peer.wait_for_inbox(is_alices_note)
    assert created["actor"] == alice.uri
