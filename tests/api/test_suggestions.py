"""Whom to follow: on a fixture graph the expected people come first, each with its reasons in
words; followed, blocked, muted, dismissed and unlisted people never appear; Mastodon's shapes;
computed by the background refresh only. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apikit import bearer, json_of, make_token, make_user
from jsonschema import Draft202012Validator
from test_entity_shapes import check

from fedihub import models
from fedihub.discovery import directory, suggestions
from fedihub.knowledge import articles
from fedihub.models import FollowState, Visibility
from fedihub.web.common import RUNTIME_KEY


async def _person(app: Any, name: str, areas: list[str], bio: str = "") -> models.Actor:
    user = await make_user(app, name)
    actor = user.actor
    actor.research_areas, actor.summary = areas, f"<p>{bio}</p>"
    await actor.save()
    return actor


async def _follow(a: models.Actor, b: models.Actor) -> None:
    await models.Follow.create(follower=a, target=b, state=FollowState.ACCEPTED)


async def _graph(app: Any) -> dict[str, models.Actor]:
    p = {
        "me": await _person(app, "me", ["Catalysis", "Spectroscopy"], "Surface chemistry"),
        "area": await _person(app, "area", ["Catalysis"]),
        "two_areas": await _person(app, "twoareas", ["Catalysis", "Spectroscopy"]),
        "friend1": await _person(app, "friend1", []),
        "friend2": await _person(app, "friend2", []),
        "fof": await _person(app, "fof", []),
        "liked": await _person(app, "liked", []),
        "words": await _person(app, "words", [], "Work on surface chemistry of oxides"),
        "blocked": await _person(app, "blocked", ["Catalysis"]),
        "muted": await _person(app, "muted", ["Catalysis"]),
        "hidden": await _person(app, "hidden", ["Catalysis"]),
        "followed": await _person(app, "followed", ["Catalysis"]),
    }
    for filler in range(20):  # a directory big enough for word rarity to mean something
        await _person(app, f"filler{filler}", ["Botany"], "Plants and soil")
    me = p["me"]
    await _follow(me, p["friend1"])
    await _follow(me, p["friend2"])
    await _follow(me, p["followed"])
    await _follow(p["friend1"], p["fof"])
    await _follow(p["friend2"], p["fof"])
    post = await models.Status.create(
        uri=f"{p['liked'].uri}/statuses/1",
        actor=p["liked"],
        content="<p>x</p>",
        published=datetime.now(UTC),
    )
    await models.Favourite.create(actor=me, status=post)
    await models.Block.create(actor=me, target=p["blocked"])
    await models.Mute.create(actor_id=me.id, target_id=p["muted"].id)
    p["hidden"].discoverable = False
    await p["hidden"].save()
    await directory.sync(app.extensions[RUNTIME_KEY])
    return p


async def test_suggestions_rank_the_expected_people_with_their_reasons(
    app: Any, client: Any
) -> None:
    p = await _graph(app)
    token = await make_token(await models.User.get(actor_id=p["me"].id))
    # nothing is computed in a request
    assert await json_of(await client.get("/api/v2/suggestions", headers=bearer(token))) == []
    assert await suggestions.refresh(app.extensions[RUNTIME_KEY]) >= 1

    body = await json_of(await client.get("/api/fedihub/v1/suggestions", headers=bearer(token)))
    spec = await json_of(await client.get("/api/fedihub/v1/openapi.json"))
    explained = Draft202012Validator(
        {"$ref": "#/components/schemas/ExplainedSuggestion", "components": spec["components"]}
    )
    for item in body:
        assert not [e.message for e in explained.iter_errors(item)]
    names = [s["account"]["username"] for s in body]
    assert names[0] == "twoareas"  # two shared areas outweigh anything else
    assert {"area", "fof", "liked", "words"} <= set(names)
    assert not {"me", "blocked", "muted", "hidden", "followed", "friend1", "friend2"} & set(names)
    reasons = {s["account"]["username"]: [r["text"] for r in s["reasons"]] for s in body}
    assert reasons["twoareas"] == ["also works on Catalysis, Spectroscopy"]
    assert reasons["fof"] == ["followed by 2 people you follow"]
    assert reasons["liked"] == ["you favourited 1 of their post"]
    assert any("surface" in r and "chemistry" in r for r in reasons["words"])

    v2 = await json_of(await client.get("/api/v2/suggestions", headers=bearer(token)))
    for item in v2:
        check("Suggestion", item)
    by_name = {s["account"]["username"]: s for s in v2}
    assert by_name["fof"]["sources"] == ["friends_of_friends"]
    assert by_name["liked"]["source"] == "past_interactions"
    v1 = await json_of(await client.get("/api/v1/suggestions", headers=bearer(token)))
    assert [a["username"] for a in v1] == [s["account"]["username"] for s in v2]

    # dismissed: gone now, and after the next refresh too
    fof_id = by_name["fof"]["account"]["id"]
    await json_of(await client.delete(f"/api/v1/suggestions/{fof_id}", headers=bearer(token)))
    await suggestions.refresh(app.extensions[RUNTIME_KEY])
    after = await json_of(await client.get("/api/v1/suggestions", headers=bearer(token)))
    assert "fof" not in [a["username"] for a in after]


async def test_suggestions_need_a_token_that_reads_accounts(app: Any, client: Any) -> None:
    user = await make_user(app, "someone")
    assert (await client.get("/api/v2/suggestions")).status_code == 401
    token = await make_token(user, "write:statuses")
    assert (await client.get("/api/v2/suggestions", headers=bearer(token))).status_code == 403
    bad = await client.delete(
        "/api/v1/suggestions/not-a-number", headers=bearer(await make_token(user))
    )
    assert bad.status_code in (404, 422)


async def test_what_to_read_follows_areas_follows_and_favourites_and_never_leaks(
    app: Any, client: Any
) -> None:
    rt = app.extensions[RUNTIME_KEY]
    me = await _person(app, "reader", ["Catalysis"])
    friend = await _person(app, "friend", [])
    stranger = await _person(app, "stranger", [])
    blocked = await _person(app, "blockedwriter", [])
    await _follow(me, friend)
    await models.Block.create(actor=me, target=blocked)

    async def write(author: models.Actor, title: str, **kw: Any) -> models.Article:
        user = await models.User.get(actor_id=author.id)
        inp = articles.ArticleInput(title=title, summary="s", body="b", **kw)
        return await articles.create(rt, user, inp, draft=kw.pop("draft", False))

    on_area = await write(stranger, "On catalysis", tags=("catalysis",))
    by_friend = await write(friend, "Friend's notes")
    liked = await write(stranger, "Liked by a friend")
    await models.Favourite.create(actor=friend, status_id=liked.status_id)
    await write(stranger, "Unrelated")
    await write(blocked, "Blocked on catalysis", tags=("catalysis",))
    await write(stranger, "Private catalysis", tags=("catalysis",), visibility=Visibility.PRIVATE)
    await write(me, "My own on catalysis", tags=("catalysis",))

    await suggestions.refresh(rt)
    token = await make_token(await models.User.get(actor_id=me.id))
    body = await json_of(
        await client.get("/api/fedihub/v1/suggestions/articles", headers=bearer(token))
    )
    titles = [s["article"]["title"] for s in body]
    assert titles[0] == "On catalysis"
    assert set(titles) == {"On catalysis", "Friend's notes", "Liked by a friend"}
    reasons = {s["article"]["title"]: [r["text"] for r in s["reasons"]] for s in body}
    assert reasons["On catalysis"] == ["about Catalysis, one of your research areas"]
    assert reasons["Friend's notes"] == ["by friend, whom you follow"]
    assert reasons["Liked by a friend"] == ["favourited by 1 person you follow"]
    assert on_area.id and by_friend.id

    # the post is made private afterwards: it is no longer shown, though still stored
    await models.Status.filter(id=on_area.status_id).update(visibility=Visibility.PRIVATE)
    after = await json_of(
        await client.get("/api/fedihub/v1/suggestions/articles", headers=bearer(token))
    )
    assert "On catalysis" not in [s["article"]["title"] for s in after]
