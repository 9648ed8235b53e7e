"""A poll across two real nodes: alice on A follows bob on B; bob's poll reaches A as a poll,
alice votes from A, B counts her vote (never showing it as a status), and the new counts of B's
own voters reach A by Update(Question)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.nodes import Node, eventually

pytestmark = pytest.mark.federation


async def test_a_poll_voted_from_the_other_node_shows_its_results_on_both(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice = await a.account("alice")
    bob, carol = await b.account("bob"), await b.account("carol")
    remote_bob = await alice.lookup(bob.handle)
    await alice.api("POST", f"/api/v1/accounts/{remote_bob['id']}/follow")

    async def following() -> bool:
        rel = await alice.api(
            "GET", "/api/v1/accounts/relationships", params={"id[]": remote_bob["id"]}
        )
        return bool(rel[0]["following"])

    await eventually(following, what="bob's node to accept alice's follow")
    posted = await bob.post(
        "Which catalyst?", poll={"options": ["platinum", "nickel", "iron"], "expires_in": 3600}
    )

    async def poll_on_a() -> dict[str, Any] | None:
        timeline = await alice.api("GET", "/api/v1/timelines/home")
        return next((s for s in timeline if "Which catalyst" in s["content"] and s["poll"]), None)

    seen = await eventually(poll_on_a, what="bob's poll on node A")
    poll = seen["poll"]
    assert [o["title"] for o in poll["options"]] == ["platinum", "nickel", "iron"]
    assert poll["expires_at"][:16] == posted["poll"]["expires_at"][:16]
    assert poll["voted"] is False

    voted = await alice.api("POST", f"/api/v1/polls/{poll['id']}/votes", json={"choices": [1]})
    assert voted["own_votes"] == [1]

    async def counted_on_b() -> dict[str, Any] | None:
        body = await bob.api("GET", f"/api/v1/polls/{posted['poll']['id']}")
        return body if body["votes_count"] == 1 else None

    on_b = await eventually(counted_on_b, what="alice's vote counted on node B")
    assert [o["votes_count"] for o in on_b["options"]] == [0, 1, 0]
    assert on_b["voters_count"] == 1
    # the vote is no status and no notification on B
    notes = await bob.api("GET", "/api/v1/notifications")
    assert [n["type"] for n in notes] == ["follow"]
    public = await bob.api("GET", "/api/v1/timelines/public")
    assert [s["id"] for s in public] == [posted["id"]]

    # carol votes on B: the new counts reach A by Update(Question)
    await carol.api("POST", f"/api/v1/polls/{posted['poll']['id']}/votes", json={"choices": [0]})

    async def updated_on_a() -> dict[str, Any] | None:
        body = await alice.api("GET", f"/api/v1/polls/{poll['id']}")
        return body if body["votes_count"] == 2 else None

    on_a = await eventually(updated_on_a, timeout=30, what="the Update(Question) on node A")
    assert [o["votes_count"] for o in on_a["options"]] == [1, 1, 0]
    assert on_a["voters_count"] == 2 and on_a["own_votes"] == [1]
    status_on_a = await alice.api("GET", f"/api/v1/statuses/{seen['id']}/history")
    assert len(status_on_a) == 1  # new counts are no edit
