"""Knowledge posts read by real third parties: Mastodon.py signed in on another fedihub node sees
an article as Mastodon shows one (title, summary, link, its files) and answers it, the answer
threading under the article at home; a followers-only article's picture is copied by the
follower's node through a signed fetch and served there only to its readers; bovine-herd
receives a published article as Create(Article) with its name, summary and url."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.federation.nodes import Account, Node, eventually
from tests.federation.test_knowledge_posts import _follow
from tests.federation.test_mastodon_py_client import _client
from tests.peers.bovine import BovinePeer

pytestmark = pytest.mark.federation
P = "/api/fedihub/v1/articles"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def _upload(author: Account, name: str, data: bytes, content_type: str) -> dict[str, Any]:
    media: dict[str, Any] = await author.api(
        "POST", "/api/v2/media", files={"file": (name, data, content_type)}
    )
    return media


async def test_a_mastodon_client_on_another_node_reads_and_answers_a_knowledge_post(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice, bob = await a.account("alice"), await b.account("bob")
    await _follow(bob, alice)
    api = await asyncio.to_thread(_client, b, "bob")

    # When alice publishes a knowledge post with a PDF on A
    paper = await _upload(alice, "paper.pdf", PDF, "application/pdf")
    made = await alice.api(
        "POST",
        P,
        json={
            "title": "Perovskite cells that last",
            "summary": "A thousand hours under light.",
            "body": "# Method\n\nLong text that Mastodon users read on the page.\n",
            "tags": ["solar"],
            "media_ids": [paper["id"]],
        },
    )

    # Then bob's Mastodon app on B shows it as Mastodon shows articles
    async def in_home() -> Any:
        timeline = await asyncio.to_thread(api.timeline_home)
        return next((s for s in timeline if "A thousand hours" in s["content"]), None)

    status = await eventually(in_home, what="the article in bob's home timeline (Mastodon.py)")
    assert "Perovskite cells that last" in status["content"]
    assert made["url"] in status["content"] and "Long text" not in status["content"]
    assert status["account"]["acct"] == alice.handle and status["spoiler_text"] == ""
    assert [(m["type"], m["remote_url"]) for m in status["media_attachments"]] == [
        ("unknown", paper["url"])
    ]

    # When bob answers it from his app, the answer threads under the article on A
    answer = await asyncio.to_thread(
        api.status_post, "Which encapsulation did you use?", in_reply_to_id=status["id"]
    )
    assert answer["in_reply_to_id"] == status["id"]

    async def threaded() -> bool:
        context = await alice.api("GET", f"/api/v1/statuses/{made['status_id']}/context")
        return any("Which encapsulation" in s["content"] for s in context["descendants"])

    await eventually(threaded, what="bob's answer under the article on A")
    assert (await alice.api("GET", f"{P}/{made['id']}"))["replies_count"] == 1


async def test_a_followers_only_articles_picture_reaches_only_its_readers_on_both_nodes(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice, bob = await a.account("alice"), await b.account("bob")
    carol = await b.account("carol")  # on bob's node, not a follower
    await _follow(bob, alice)
    picture = await _upload(alice, "plot.png", _png(), "image/png")
    made = await alice.api(
        "POST",
        P,
        json={
            "title": "Unpublished figures",
            "summary": "For my followers.",
            "visibility": "private",
            "media_ids": [picture["id"]],
        },
    )
    shown = await alice.api("GET", f"{P}/{made['id']}")
    # entities give their viewers capability URLs (?expires=&sig=), which open with no
    # credentials; the checks by who asks are made on the plain route
    origin_signed = shown["media_attachments"][0]["url"]
    origin = origin_signed.split("?", 1)[0]
    assert origin.startswith(f"{a.base}/media/restricted/") and "sig=" in origin_signed

    # B copies the picture with a signed fetch (its node got the post), and serves its copy
    # only to bob
    async def cached() -> dict[str, Any] | None:
        timeline = await bob.api("GET", "/api/v1/timelines/home")
        status = next((s for s in timeline if "For my followers." in s["content"]), None)
        media = status["media_attachments"][0] if status else None
        return media if media and media["url"].startswith(f"{b.base}/media/") else None

    copy_signed = (await eventually(cached, what="B's copy of the picture"))["url"]
    copy = copy_signed.split("?", 1)[0]
    assert copy.startswith(f"{b.base}/media/restricted/")
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(copy_signed)).status_code == 200  # what bob's app was given
        assert (await client.get(origin_signed)).status_code == 200  # what alice's was given
        assert (await client.get(origin)).status_code == 404  # unsigned: nobody
        assert (await client.get(copy)).status_code == 404
        for reader, url, code in (
            (bob, copy, 200),
            (carol, copy, 404),
            (alice, origin, 200),
            (bob, origin, 404),  # a token of B means nothing on A
        ):
            answer = await client.get(url, headers={"Authorization": f"Bearer {reader.token}"})
            assert answer.status_code == code, (reader.username, url, answer.status_code)
        assert (await client.get(copy, headers={"Authorization": f"Bearer {bob.token}"})).headers[
            "Content-Type"
        ] == "image/png"


async def test_bovine_receives_a_published_article_as_create_article(
    node: Node, bovine_peer: BovinePeer
) -> None:
    alice = await node.account("alice")
    await bovine_peer.follow(alice.uri)
    await bovine_peer.wait_for_inbox(lambda a: a.get("type") == "Accept")

    async def has_follower() -> bool:
        return (await alice.api("GET", f"/api/v1/accounts/{alice.id}"))["followers_count"] == 1

    await eventually(has_follower, what="bovine as alice's follower")
    made = await alice.api(
        "POST",
        P,
        json={"title": "Notes on bovine", "summary": "An ActivityPub server.", "body": "Text."},
    )

    def is_article(activity: dict[str, Any]) -> bool:
        obj = activity.get("object")
        return (
            activity.get("type") == "Create"
            and isinstance(obj, dict)
            and obj.get("type") == "Article"
        )

    created = await bovine_peer.wait_for_inbox(is_article)
    article = created["object"]
    assert created["actor"] == alice.uri and article["id"] == made["uri"]
    assert article["name"] == "Notes on bovine"
    assert "An ActivityPub server." in article["summary"]
    url = article["url"]
    assert (url["href"] if isinstance(url, dict) else url) == made["url"]
