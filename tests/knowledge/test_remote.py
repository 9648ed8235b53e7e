"""Peers' Articles and Pages kept as knowledge posts: hostile ones sanitised and bounded, and
searchable only where their author said yes."""

from __future__ import annotations

from typing import Any

from fedihub import models
from fedihub.activitypub import parse
from fedihub.knowledge import remote, search
from fedihub.runtime import Runtime
from fedihub.social import statuses

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _author(document: dict[str, Any] | None = None) -> models.Actor:
    return await models.Actor.create(
        uri="https://peer.example/users/zoe",
        username="zoe",
        domain="peer.example",
        inbox="https://peer.example/users/zoe/inbox",
        followers_url="https://peer.example/users/zoe/followers",
        document=document,
    )


async def _store(rt: Runtime, author: models.Actor, n: int, **fields: Any) -> models.Article:
    doc = {
        "id": f"https://peer.example/articles/{n}",
        "type": "Article",
        "attributedTo": author.uri,
        "to": [PUBLIC],
        "cc": [],
        "published": "2026-01-02T03:04:05Z",
        **fields,
    }
    status = await statuses.store_remote(rt, author, parse.object_doc(doc), notify=False)
    article = await remote.sync(rt, status)
    assert article is not None
    return article


async def test_hostile_articles_are_sanitised_and_bounded(rt: Runtime) -> None:
    zoe = await _author({"indexable": True})
    untitled = await _store(rt, zoe, 1, content="<p>text</p>", summary="<b>An</b> abstract")
    assert untitled.title == "An abstract"
    html_name = await _store(rt, zoe, 2, name="<script>x</script><b>Bold</b> &amp; title")
    assert html_name.title == "Bold & title"
    huge = await _store(rt, zoe, 3, name="Huge", content="<p>" + "a" * 2_000_000 + "</p>")
    assert len(huge.content) <= remote.MAX_REMOTE_CONTENT + 100
    nasty = await _store(
        rt,
        zoe,
        4,
        name="Nasty",
        content='<p onclick="x()">hi<script>alert(1)</script><a href="javascript:x">j</a>'
        '<iframe src="https://evil.example"></iframe><h1>Head</h1><img src="/local.png"></p>',
    )
    assert "script" not in nasty.content and "javascript" not in nasty.content
    assert "onclick" not in nasty.content and "iframe" not in nasty.content
    assert "<h2>Head</h2>" in nasty.content and "/local.png" not in nasty.content
    status = await models.Status.get(id=nasty.status_id)
    assert status.summary == "" and "peer.example/articles/4" in status.content


async def test_a_remote_post_is_searchable_only_when_its_author_said_yes(rt: Runtime) -> None:
    quiet = await _author(None)  # no flag at all: no
    await _store(rt, quiet, 1, name="Topological insulators")
    assert await search.find(None, search.Query(q="topological")) == []
    quiet.document = {"discoverable": True}
    await quiet.save()
    await _store(rt, quiet, 2, name="Topological superconductors")
    found = await search.find(None, search.Query(q="topological"))
    assert [a.title for a in found] == ["Topological superconductors"]


async def test_an_edit_keeps_a_version_and_a_delete_removes_the_post(rt: Runtime) -> None:
    zoe = await _author({"indexable": True})
    first = await _store(rt, zoe, 1, name="Draft one", content="<p>one</p>")
    second = await _store(rt, zoe, 1, name="Draft two", content="<p>two</p>")
    assert second.id == first.id and second.version == 2
    status = await models.Status.get(id=first.status_id)
    await statuses.delete_remote(rt, zoe, status.uri)
    await remote.deleted(await models.Status.get(id=status.id))
    assert (await models.Article.get(id=first.id)).deleted_at is not None
