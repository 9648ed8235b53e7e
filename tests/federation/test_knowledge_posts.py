"""Knowledge posts across two real fedihub nodes: publish, edit with history, reply, delete, and
institution-only posts that never leave their node."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.federation.nodes import Account, Node, eventually

pytestmark = pytest.mark.federation
P = "/api/fedihub/v1/articles"
AS = "application/activity+json"


async def _follow(follower: Account, target: Account) -> dict[str, Any]:
    remote = await follower.lookup(target.handle)
    await follower.api("POST", f"/api/v1/accounts/{remote['id']}/follow")

    async def accepted() -> bool:
        rel = await follower.api(
            "GET", "/api/v1/accounts/relationships", params={"id[]": remote["id"]}
        )
        return bool(rel[0]["following"])

    await eventually(accepted, what="the follow to be accepted")
    return remote


async def _remote_article(reader: Account, title: str) -> dict[str, Any] | None:
    found = await reader.api("GET", P, params={"domain": reader.node.domain, "limit": 40})
    assert not any(a["title"] == title for a in found)  # domain= this node: local posts only
    listed = await reader.api("GET", P, params={"limit": 40})
    return next((a for a in listed if a["title"] == title and not a["local"]), None)


async def test_a_post_is_published_edited_answered_and_deleted_across_nodes(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice, bob = await a.account("alice"), await b.account("bob")
    await _follow(alice, bob)

    # When bob publishes a knowledge post on B
    body = "# Method\n\n$E=mc^2$\n\n<script>alert(1)</script>\n"
    made = await bob.api(
        "POST",
        P,
        json={
            "title": "Graphene at room temperature",
            "summary": "We measured it twice.",
            "body": body,
            "tags": ["physics"],
            "license": "CC-BY-4.0",
            "language": "en",
        },
    )

    # Then alice on A sees it as Mastodon shows articles: title, summary and link
    async def in_home() -> dict[str, Any] | None:
        timeline = await alice.api("GET", "/api/v1/timelines/home")
        # the status is stored a moment before its knowledge post is (the inbox job's two steps)
        return next((s for s in timeline if "We measured it twice." in s["content"]), None)

    status = await eventually(in_home, what="the post in alice's home timeline")
    assert "Graphene at room temperature" in status["content"]
    assert made["url"] in status["content"] and "Method" not in status["content"]
    assert status["spoiler_text"] == ""
    # and as a knowledge post on A, sanitised, with the math as MathML
    remote = await eventually(
        lambda: _remote_article(alice, "Graphene at room temperature"), what="the remote post"
    )
    assert "<math" in remote["content"] and "<script" not in remote["content"]
    assert remote["body"] == body and remote["license"].endswith("CC-BY-4.0.html")
    assert remote["account"]["acct"] == bob.handle and remote["tags"] == ["physics"]
    # bob's server says he is discoverable, so his post is searchable on A
    found = await alice.api("GET", P, params={"q": "graphene"})
    assert [x["id"] for x in found] == [remote["id"]]

    # When bob edits it, A keeps both versions
    await bob.api(
        "PUT",
        f"{P}/{made['id']}",
        json={"title": "Graphene, revisited", "summary": "We measured it twice.", "body": body},
    )

    async def edited() -> dict[str, Any] | None:
        shown = await alice.api("GET", f"{P}/{remote['id']}")
        return shown if shown["title"] == "Graphene, revisited" else None

    await eventually(edited, what="the edit to reach A")
    versions = await alice.api("GET", f"{P}/{remote['id']}/versions")
    assert [v["title"] for v in versions] == ["Graphene at room temperature", "Graphene, revisited"]

    # alice's reply from A threads under the post on B
    await alice.post("Congratulations!", in_reply_to_id=status["id"])

    async def threaded() -> bool:
        context = await bob.api("GET", f"/api/v1/statuses/{made['status_id']}/context")
        return any("Congratulations" in s["content"] for s in context["descendants"])

    await eventually(threaded, what="the reply to thread under the post on B")
    assert (await bob.api("GET", f"{P}/{made['id']}"))["replies_count"] == 1

    # When bob deletes it, it is gone from A too
    await bob.api("DELETE", f"{P}/{made['id']}")

    async def gone() -> bool:
        response = await alice.api("GET", f"{P}/{remote['id']}", expect=None)
        return response.get("error") == "Record not found"

    await eventually(gone, what="the deletion to reach A")


async def test_institution_only_posts_never_leave_their_node(node_pair: tuple[Node, Node]) -> None:
    a, b = node_pair
    alice, bob = await a.account("alice"), await b.account("bob")
    carol = await b.account("carol")
    await _follow(alice, bob)
    inside = await bob.api(
        "POST",
        P,
        json={"title": "Inside only", "summary": "Lab notes", "visibility": "institution"},
    )
    public = await bob.api("POST", P, json={"title": "For everyone", "summary": "Open"})
    await eventually(lambda: _remote_article(alice, "For everyone"), what="the public post")
    # never delivered, nor fetched (unsigned here; signed fetches are refused alike by the walk)
    assert await _remote_article(alice, "Inside only") is None
    async with httpx.AsyncClient(timeout=10) as client:
        fetched = await client.get(inside["uri"], headers={"Accept": AS})
        assert fetched.status_code == 404
        page = await client.get(inside["url"])
        assert page.status_code == 404 and "Lab notes" not in page.text
        exported = await client.get(f"{b.base}{P}/{inside['id']}/export")
        assert exported.status_code == 404
    # a query for its URL from the other node finds nothing
    resolved = await alice.api(
        "GET", "/api/v2/search", params={"q": inside["uri"], "resolve": "true"}
    )
    assert resolved["statuses"] == []
    assert await alice.api("GET", P, params={"q": inside["uri"], "resolve": "true"}) == []
    # while every account of its own node reads it
    assert (await carol.api("GET", f"{P}/{inside['id']}"))["title"] == "Inside only"
    assert public["visibility"] == "public"
    # a public post of someone nobody on A follows is imported by its URL
    unknown = await carol.api("POST", P, json={"title": "Carol's notes", "summary": "Found"})
    found = await alice.api("GET", P, params={"q": unknown["uri"], "resolve": "true"})
    assert [(a["title"], a["local"]) for a in found] == [("Carol's notes", False)]
