"""Search of knowledge posts on SQLite FTS5 and PostgreSQL full-text search, Chinese included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fedihub import models
from fedihub.accounts import users
from fedihub.knowledge import articles, search
from fedihub.models import Visibility
from fedihub.runtime import Runtime


async def _user(rt: Runtime, name: str) -> models.User:
    user = await users.create(rt, name, f"{name}@uni.example", "correct horse battery")
    await user.fetch_related("actor")
    return user


async def _post(rt: Runtime, user: models.User, title: str, body: str = "", **kw: object) -> int:
    inp = articles.ArticleInput(title=title, body=body, **kw)  # type: ignore[arg-type]
    return (await articles.create(rt, user, inp, draft=False)).id


async def test_english_and_chinese_queries_find_the_posts_containing_them(rt: Runtime) -> None:
    ada = await _user(rt, "ada")
    ml = await _post(rt, ada, "机器学习入门", "本文介绍深度学习与神经网络。", language="zh")
    bio = await _post(rt, ada, "Protein folding", "We fold proteins with neural networks.")
    other = await _post(rt, ada, "Gardening", "Tomatoes and 学生 in the garden.")
    found = await search.find(None, search.Query(q="神经网络"))
    assert [a.id for a in found] == [ml]
    assert [a.id for a in await search.find(None, search.Query(q="学习"))] == [ml]
    assert [a.id for a in await search.find(None, search.Query(q="neural"))] == [bio]
    assert {a.id for a in await search.find(None, search.Query(q="学"))} == set()
    assert [a.id for a in await search.find(None, search.Query(q="tomatoes garden"))] == [other]
    assert await search.find(None, search.Query(q="tomatoes proteins")) == []


async def test_the_title_match_ranks_first_and_filters_apply(rt: Runtime) -> None:
    ada, bob = await _user(rt, "ada"), await _user(rt, "bob")
    mention = await _post(rt, ada, "Notes", "graphene once")
    titled = await _post(
        rt, bob, "Graphene graphene", "graphene graphene graphene", tags=("physics",)
    )
    ranked = await search.find(None, search.Query(q="graphene"))
    assert [a.id for a in ranked] == [titled, mention]
    by_tag = await search.find(None, search.Query(q="graphene", tag="physics"))
    assert [a.id for a in by_tag] == [titled]
    by_account = await search.find(None, search.Query(account_id=ada.actor_id))
    assert [a.id for a in by_account] == [mention]
    assert [a.id for a in await search.find(None, search.Query(domain=""))] == [titled, mention]
    assert await search.find(None, search.Query(domain="elsewhere.example")) == []
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await search.find(None, search.Query(since=later)) == []
    assert len(await search.find(None, search.Query(until=later))) == 2


async def test_search_shows_only_what_the_viewer_may_see(rt: Runtime) -> None:
    ada, bob = await _user(rt, "ada"), await _user(rt, "bob")
    await _post(rt, ada, "Quasar open")
    inst = await _post(rt, ada, "Quasar inside", visibility=Visibility.INSTITUTION)
    await _post(rt, ada, "Quasar followers", visibility=Visibility.PRIVATE)
    draft = await articles.create(rt, ada, articles.ArticleInput(title="Quasar draft"), draft=True)
    anonymous = {a.title for a in await search.find(None, search.Query(q="quasar"))}
    assert anonymous == {"Quasar open"}
    seen_by_bob = {a.title for a in await search.find(bob.actor, search.Query(q="quasar"))}
    assert seen_by_bob == {"Quasar open", "Quasar inside"}
    seen_by_ada = {a.id for a in await search.find(ada.actor, search.Query(q="quasar"))}
    assert inst in seen_by_ada and draft.id not in seen_by_ada and len(seen_by_ada) == 3
