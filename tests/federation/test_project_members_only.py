"""A members-only project's feed across real nodes: posts are addressed to the members collection
only, reach the members on other nodes, and are never shown to anyone else: not to a non-member
of the project's own node (API, web page), not to an unsigned fetch, not to a third node's signed
fetch, not in public timelines or search. Its data sets likewise reach members only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.federation.nodes import Account, eventually

pytestmark = pytest.mark.federation
P = "/api/fedihub/v1/projects"
AS = {"Accept": "application/activity+json"}


async def _feed_has(account: Account, project_id: str, text: str) -> dict[str, Any] | None:
    found = await account.api("GET", f"{P}/{project_id}/statuses", expect=None)
    if not isinstance(found, list):
        return None
    return next((s for s in found if text in s["content"]), None)


async def _resolved_by(account: Account, uri: str) -> list[Any]:
    found = await account.api(
        "GET", "/api/v2/search", params={"q": uri, "resolve": "true", "type": "statuses"}
    )
    return list(found["statuses"])


async def test_members_only_posts_reach_members_on_other_nodes_and_no_one_else(
    node_trio: Any,
) -> None:
    a, b, c = node_trio
    ada, eve = await a.account("ada"), await a.account("eve")
    bob, cat = await b.account("bob"), await c.account("cat")

    # Given ada's members-only project on A, with bob (B) as a member
    project = await ada.api(
        "POST", P, json={"handle": "cohort", "name": "Cohort", "visibility": "members"}
    )
    await ada.api("POST", f"{P}/{project['id']}/invitations", json={"account": bob.handle})

    async def invitation() -> dict[str, Any] | None:
        found = await bob.api("GET", "/api/fedihub/v1/invitations")
        return found[0] if found else None

    invited = await eventually(invitation, what="the invitation on B")
    await bob.api("POST", f"/api/fedihub/v1/invitations/{invited['id']}/accept")
    at_b = invited["project"]["id"]

    async def member_on_both() -> bool:
        found = await ada.api("GET", f"{P}/{project['id']}/members")
        mirrored = await bob.api("GET", f"{P}/{at_b}", expect=None)
        return bob.handle in {m["account"]["acct"] for m in found} and (
            mirrored.get("role") == "member"
        )

    await eventually(member_on_both, what="bob's membership on A and B")

    # When ada posts on A and bob posts from B
    ours = await ada.api("POST", f"{P}/{project['id']}/statuses", json={"status": "Plan zeta"})
    theirs = await bob.api("POST", f"{P}/{at_b}/statuses", json={"status": "Results zeta"})

    # Then each is members-only (Mastodon apps see "private"), and each node's members see both
    assert ours["visibility"] == "private" and theirs["visibility"] == "private"
    await eventually(lambda: _feed_has(bob, at_b, "Plan zeta"), what="ada's post on B")
    on_a = await eventually(
        lambda: _feed_has(ada, project["id"], "Results zeta"), what="bob's post on A"
    )

    # a non-member on A sees neither: not the statuses, not the feed, not the web page
    for status_id in (ours["id"], on_a["id"]):
        await eve.api("GET", f"/api/v1/statuses/{status_id}", expect=404)
    await eve.api("GET", f"{P}/{project['id']}/statuses", expect=404)
    async with httpx.AsyncClient(base_url=a.base) as client:
        page = await client.get(ours["url"])
        assert page.status_code == 404
        # an unsigned ActivityPub fetch of the post: 404, as if it did not exist
        fetched = await client.get(ours["uri"], headers=AS)
        assert fetched.status_code == 404
        local = await client.get("/api/v1/timelines/public", params={"local": "true"})
        public = await client.get("/api/v1/timelines/public")
    for timeline in (local.json(), public.json()):
        assert not any("zeta" in s["content"] for s in timeline)
    searched = await eve.api("GET", "/api/v2/search", params={"q": "zeta", "type": "statuses"})
    assert searched["statuses"] == []

    # a third node's signed fetch (cat on C resolving the posts) gets nothing, from A or from B
    assert await _resolved_by(cat, ours["uri"]) == []
    assert await _resolved_by(cat, theirs["uri"]) == []
    async with httpx.AsyncClient(base_url=b.base) as client:
        assert (await client.get(theirs["uri"], headers=AS)).status_code == 404

    # a data set added on A reaches bob on B, and stays hidden from eve on A
    await ada.api(
        "POST",
        f"{P}/{project['id']}/datasets",
        json={"name": "Cohort zeta", "url": "https://data.example.org/zeta.csv", "size": 10},
    )

    async def dataset_on_b() -> dict[str, Any] | None:
        found = await bob.api("GET", f"{P}/{at_b}/datasets")
        return next((d for d in found if d["name"] == "Cohort zeta"), None)

    mirrored = await eventually(dataset_on_b, what="the data set on B")
    assert mirrored["url"] == "https://data.example.org/zeta.csv" and mirrored["size"] == 10
    await eve.api("GET", f"{P}/{project['id']}/datasets", expect=404)

    # and a reply to a members-only post cannot be made outside the project's feed
    refused = await bob.api(
        "POST",
        "/api/v1/statuses",
        json={"status": "leak", "in_reply_to_id": theirs["id"]},
        expect=422,
    )
    assert "in_reply_to_id" in refused["error"]
