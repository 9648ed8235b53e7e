"""Followed hashtags through the API as Mastodon answers them: a tag's page with `following` and
its history, follow and unfollow, the followed list paged with Link headers, scopes, and public
statuses carrying a followed tag in home and the home stream; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status, remote_actor
from test_entity_shapes import check
from test_streaming import Sse

from fedihub import models
from fedihub.models import Visibility

NOT_FOUND = {"error": "Record not found"}


async def _home(client: Any, token: str) -> list[str]:
    return [
        s["id"]
        for s in await json_of(await client.get("/api/v1/timelines/home", headers=bearer(token)))
    ]


async def test_a_tags_page_says_whether_the_viewer_follows_it_and_shows_its_history(
    client: Any,
) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    token, bob_t = await make_token(ada), await make_token(bob)
    await post_status(client, bob_t, status="first #Catalysis result")
    await post_status(client, token, status="and #catalysis again")

    anonymous = await json_of(await client.get("/api/v1/tags/Catalysis"))
    check("Tag", anonymous)
    assert anonymous["name"] == "catalysis" and anonymous["url"].endswith("/tags/catalysis")
    assert "following" not in anonymous  # Mastodon adds it for a signed-in user only
    today = anonymous["history"][0]
    assert len(anonymous["history"]) == 7 and (today["uses"], today["accounts"]) == ("2", "2")

    before = await json_of(await client.get("/api/v1/tags/catalysis", headers=bearer(token)))
    assert before["following"] is False and before["id"] == anonymous["id"]
    followed = await json_of(
        await client.post("/api/v1/tags/%23Catalysis/follow", headers=bearer(token))
    )
    check("Tag", followed)
    assert followed["following"] is True and followed["name"] == "catalysis"
    again = await json_of(await client.post("/api/v1/tags/catalysis/follow", headers=bearer(token)))
    assert again["following"] is True  # following twice is still one follow
    assert (await json_of(await client.get("/api/v1/tags/catalysis", headers=bearer(token))))[
        "following"
    ] is True
    assert (await json_of(await client.get("/api/v1/tags/catalysis", headers=bearer(bob_t))))[
        "following"
    ] is False
    unfollowed = await json_of(
        await client.post("/api/v1/tags/catalysis/unfollow", headers=bearer(token))
    )
    assert unfollowed["following"] is False
    assert await json_of(await client.get("/api/v1/followed_tags", headers=bearer(token))) == []

    # a tag nobody used yet has a page, with seven empty days
    fresh = await json_of(await client.get("/api/v1/tags/OpenData"))
    assert fresh["name"] == "opendata" and {h["uses"] for h in fresh["history"]} == {"0"}
    # names that are no hashtag are not found, to show or to follow
    for name in ("123", "c%2B%2B", "a" * 101):
        assert await json_of(await client.get(f"/api/v1/tags/{name}"), 404) == NOT_FOUND, name
        assert (
            await json_of(
                await client.post(f"/api/v1/tags/{name}/follow", headers=bearer(token)), 404
            )
            == NOT_FOUND
        )


async def test_followed_tags_are_paged_newest_first_with_mastodons_link_header(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    for name in ("physics", "chemistry", "biology"):
        await json_of(await client.post(f"/api/v1/tags/{name}/follow", headers=bearer(token)))

    everything = await json_of(await client.get("/api/v1/followed_tags", headers=bearer(token)))
    for entity in everything:
        check("Tag", entity)
        assert entity["following"] is True
    assert [t["name"] for t in everything] == ["biology", "chemistry", "physics"]

    first = await client.get("/api/v1/followed_tags?limit=2", headers=bearer(token))
    assert [t["name"] for t in await json_of(first)] == ["biology", "chemistry"]
    rows = await models.FollowedTag.filter(actor_id=ada.actor_id).order_by("-id")
    link = first.headers["Link"]
    assert f"max_id={rows[1].id}" in link and 'rel="next"' in link
    assert f"since_id={rows[0].id}" in link and 'rel="prev"' in link and "limit=2" in link
    second = await client.get(
        f"/api/v1/followed_tags?limit=2&max_id={rows[1].id}", headers=bearer(token)
    )
    assert [t["name"] for t in await json_of(second)] == ["physics"]
    assert 'rel="next"' not in second.headers["Link"]


async def test_public_statuses_with_a_followed_tag_reach_home_until_it_is_unfollowed(
    client: Any,
) -> None:
    # Given: ada follows #science and nobody; cy posts at every level, a remote account posts too
    ada, cy, dan = [await make_user(client.app, n) for n in ("ada", "cy", "dan")]
    ada_t, cy_t, dan_t = [await make_token(u) for u in (ada, cy, dan)]
    zoe = await remote_actor("zoe", "far.example")
    await json_of(await client.post("/api/v1/tags/science/follow", headers=bearer(ada_t)))

    # When
    public = await post_status(client, cy_t, status="open #Science")
    await post_status(client, cy_t, status="#science, unlisted", visibility="unlisted")
    await post_status(client, cy_t, status="#science for followers", visibility="private")
    await post_status(client, cy_t, status="no tag at all")
    await json_of(await client.post(f"/api/v1/statuses/{public}/reblog", headers=bearer(dan_t)))
    remote = await models.Status.create(
        uri=f"{zoe.uri}/notes/1",
        actor=zoe,
        visibility=Visibility.PUBLIC,
        content="<p>#science</p>",
        published=datetime.now(UTC),
    )
    await models.StatusTag.create(status=remote, name="science")
    blocked = await post_status(client, dan_t, status="#science from someone ada blocks")
    await json_of(
        await client.post(f"/api/v1/accounts/{dan.actor_id}/block", headers=bearer(ada_t))
    )

    # Then: the public statuses carrying the tag, local and remote; not the others, not the boost
    # (boosts carry no tags), not the blocked author's
    assert await _home(client, ada_t) == [str(remote.id), public]
    assert blocked not in await _home(client, ada_t)

    # unfollowing takes them out again
    await json_of(await client.post("/api/v1/tags/science/unfollow", headers=bearer(ada_t)))
    assert await _home(client, ada_t) == []


async def test_a_public_status_with_a_followed_tag_reaches_the_home_stream(client: Any) -> None:
    ada, cy = await make_user(client.app, "ada"), await make_user(client.app, "cy")
    ada_t, cy_t = await make_token(ada), await make_token(cy)
    await json_of(await client.post("/api/v1/tags/rust/follow", headers=bearer(ada_t)))
    async with client.request("/api/v1/streaming/user", headers=bearer(ada_t)) as connection:
        await connection.send_complete()
        home = Sse(connection)
        await home.opened()
        await post_status(client, cy_t, status="#rust for followers only", visibility="private")
        tagged = await post_status(client, cy_t, status="learning #Rust")
        event, data = await home.next()
        assert event == "update" and json.loads(data)["id"] == tagged
        await connection.disconnect()


async def test_trending_tags_say_whether_the_viewer_follows_them(client: Any) -> None:
    from fedihub.api.entities.tag import tag_id

    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    history = [{"day": "0", "uses": "3", "accounts": "3"}]
    for rank, name in enumerate(("rust", "python")):
        await models.TrendingTag.create(
            name=name, rank=rank, score=1.0, history=history, computed_at=datetime.now(UTC)
        )
    await json_of(await client.post("/api/v1/tags/python/follow", headers=bearer(token)))
    trending = await json_of(await client.get("/api/v1/trends/tags", headers=bearer(token)))
    assert [(t["name"], t["following"]) for t in trending] == [("rust", False), ("python", True)]
    # a trending tag's page shows the history the trends refresh stored
    page = await json_of(await client.get("/api/v1/tags/python", headers=bearer(token)))
    assert page["history"] == history and page["id"] == tag_id("python")


async def test_followed_tags_need_the_follows_scopes(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    reader, writer = await make_token(ada, "read:follows"), await make_token(ada, "write:follows")
    legacy, statuses_only = (
        await make_token(ada, "follow"),
        await make_token(ada, "read:statuses write:statuses"),
    )
    assert (await client.get("/api/v1/followed_tags")).status_code == 401
    assert (await client.post("/api/v1/tags/rust/follow")).status_code == 401
    for token, status in ((reader, 200), (legacy, 200), (writer, 403), (statuses_only, 403)):
        assert (
            await client.get("/api/v1/followed_tags", headers=bearer(token))
        ).status_code == status
    for token, status in ((writer, 200), (legacy, 200), (reader, 403), (statuses_only, 403)):
        for action in ("follow", "unfollow"):
            answer = await client.post(f"/api/v1/tags/rust/{action}", headers=bearer(token))
            assert answer.status_code == status, (action, status)
