"""List timelines and the `list` stream: what members post that the owner may see, newest first,
paged as Mastodon pages; replies as the list's policy says (the stream deciding as the timeline
does); exclusive lists taking their members out of home; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status, remote_actor
from test_entity_shapes import check
from test_streaming import Sse, _ws_message, _ws_ready

from fedihub import models
from fedihub.models import FollowState, RepliesPolicy, Visibility
from fedihub.social import lists, timelines


async def _remote_post(author: models.Actor, n: int, visibility: Visibility, **kw: Any) -> str:
    status = await models.Status.create(
        uri=f"{author.uri}/notes/{n}",
        actor=author,
        visibility=visibility,
        content=f"<p>note {n}</p>",
        published=datetime.now(UTC),
        **kw,
    )
    return str(status.id)


async def _follow(
    follower: models.Actor, target: models.Actor, state: FollowState = FollowState.ACCEPTED
) -> None:
    await models.Follow.create(follower=follower, target=target, state=state)


async def _list_with(client: Any, token: str, *member_ids: int, **fields: Any) -> str:
    made = await json_of(
        await client.post("/api/v1/lists", json={"title": "Lab", **fields}, headers=bearer(token))
    )
    ids = [str(i) for i in member_ids]
    await json_of(
        await client.post(
            f"/api/v1/lists/{made['id']}/accounts", json={"account_ids": ids}, headers=bearer(token)
        )
    )
    return str(made["id"])


async def _ids(client: Any, token: str, path: str) -> list[str]:
    return [s["id"] for s in await json_of(await client.get(path, headers=bearer(token)))]


async def test_list_timeline_shows_what_members_post_for_the_owner_newest_first_and_pages(
    client: Any,
) -> None:
    # Given: ada follows bob and remote zoe, asked to follow locked eve, and does not follow cy;
    # all three are on her list
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    eve = await make_user(client.app, "eve")
    zoe = await remote_actor("zoe", "far.example")
    await _follow(ada.actor, bob.actor)
    await _follow(ada.actor, zoe)
    await _follow(ada.actor, eve.actor, FollowState.PENDING)
    ada_t, bob_t, cy_t, eve_t = [await make_token(u) for u in (ada, bob, cy, eve)]
    list_id = await _list_with(client, ada_t, bob.actor_id, zoe.id, eve.actor_id)

    # When: members post at every level, others post too
    public = await post_status(client, bob_t, status="results are in")
    unlisted = await post_status(client, bob_t, status="quietly", visibility="unlisted")
    private = await post_status(client, bob_t, status="for followers", visibility="private")
    await post_status(client, bob_t, status="@cy between us", visibility="direct")
    await post_status(client, bob_t, status="@ada between us", visibility="direct")
    await post_status(client, eve_t, status="eve, not accepted yet")
    await post_status(client, cy_t, status="cy is no member")
    await post_status(client, ada_t, status="ada is the owner")
    remote_private = await _remote_post(zoe, 1, Visibility.PRIVATE)

    # Then: the followers-only posts are there, no direct message ever is (Mastodon leaves them
    # out of lists), nor what eve (a pending request), cy or ada posted
    path = f"/api/v1/timelines/list/{list_id}"
    body = await json_of(await client.get(path, headers=bearer(ada_t)))
    for entity in body:
        check("Status", entity)
    assert [s["id"] for s in body] == [remote_private, private, unlisted, public]

    first = await client.get(f"{path}?limit=2", headers=bearer(ada_t))
    assert [s["id"] for s in await json_of(first)] == [remote_private, private]
    link = first.headers["Link"]
    assert f"max_id={private}" in link and f"min_id={remote_private}" in link and "limit=2" in link
    assert await _ids(client, ada_t, f"{path}?limit=2&max_id={private}") == [unlisted, public]
    assert await _ids(client, ada_t, f"{path}?limit=2&min_id={public}") == [private, unlisted]
    assert await _ids(client, ada_t, f"{path}?since_id={unlisted}") == [remote_private, private]

    # a muted member leaves the list timeline as they leave home
    await json_of(await client.post(f"/api/v1/accounts/{bob.actor_id}/mute", headers=bearer(ada_t)))
    assert await _ids(client, ada_t, path) == [remote_private]


async def test_replies_follow_the_lists_policy_and_the_stream_decides_as_the_timeline(
    client: Any,
) -> None:
    # Given: ada follows bob, zoe and dan; bob and zoe are on her list; cy she does not follow
    ada, bob, cy, dan = [await make_user(client.app, n) for n in ("ada", "bob", "cy", "dan")]
    zoe = await remote_actor("zoe", "far.example")
    for target in (bob.actor, dan.actor, zoe):
        await _follow(ada.actor, target)
    ada_t, bob_t, cy_t, dan_t = [await make_token(u) for u in (ada, bob, cy, dan)]
    list_id = await _list_with(client, ada_t, bob.actor_id, zoe.id)
    to_cy, to_dan, to_ada = [
        await post_status(client, t, status="a thread") for t in (cy_t, dan_t, ada_t)
    ]
    own = await post_status(client, bob_t, status="a thread of mine")
    to_zoe = await _remote_post(zoe, 1, Visibility.PUBLIC)

    # When: bob replies to each of them, and zoe answers a status this node never saw
    replies = {
        name: await post_status(client, bob_t, status="a reply", in_reply_to_id=parent)
        for name, parent in (
            ("cy", to_cy),
            ("dan", to_dan),
            ("ada", to_ada),
            ("zoe", to_zoe),
            ("self", own),
        )
    }
    unknown_parent = await _remote_post(
        zoe, 2, Visibility.PUBLIC, in_reply_to_uri="https://elsewhere.example/1"
    )

    # Then: replies to oneself and to the owner always show; the rest as the policy says
    expected = {
        "list": {"zoe", "ada", "self"},
        "followed": {"zoe", "dan", "ada", "self"},
        "none": {"ada", "self"},
    }
    row = await models.List.get(id=int(list_id))
    statuses = await models.Status.filter(actor_id__in=[bob.actor_id, zoe.id])
    for policy, shown in expected.items():
        await json_of(
            await client.put(
                f"/api/v1/lists/{list_id}", json={"replies_policy": policy}, headers=bearer(ada_t)
            )
        )
        timeline = set(await _ids(client, ada_t, f"/api/v1/timelines/list/{list_id}"))
        assert {n for n, i in replies.items() if i in timeline} == shown, policy
        assert own in timeline and to_zoe in timeline and unknown_parent not in timeline
        # the live stream's choice (social/lists.hearing) is the timeline's, status by status
        row.replies_policy = RepliesPolicy(policy)
        for status in statuses:
            heard = int(list_id) in await lists.hearing(status, set())
            assert heard == (str(status.id) in timeline), (policy, status.id)
            assert heard == await timelines.for_list(row).filter(id=status.id).exists()


async def test_an_exclusive_list_takes_its_members_out_of_home(client: Any) -> None:
    # Given: ada follows bob and cy, follows #rust, and puts bob (and herself) on an exclusive list
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    await _follow(ada.actor, bob.actor)
    await _follow(ada.actor, cy.actor)
    ada_t, bob_t, cy_t = [await make_token(u) for u in (ada, bob, cy)]
    await json_of(await client.post("/api/v1/tags/rust/follow", headers=bearer(ada_t)))
    list_id = await _list_with(client, ada_t, bob.actor_id, ada.actor_id, exclusive=True)
    plain_list = await _list_with(client, ada_t, cy.actor_id)

    # When
    by_bob = await post_status(client, bob_t, status="in the lab today", visibility="private")
    tagged = await post_status(client, bob_t, status="learning #Rust")
    mention = await post_status(client, bob_t, status="@ada have a look")
    by_cy = await post_status(client, cy_t, status="cy's news")
    own = await post_status(client, ada_t, status="ada's own")

    # Then: bob's posts are in the list and out of home, but for the one carrying a followed tag
    # (Mastodon delivers those whoever posts them) and the one mentioning ada (fedihub's home
    # shows what mentions its owner); ada's own stay, and cy's, whose list is not exclusive
    home = await _ids(client, ada_t, "/api/v1/timelines/home")
    assert home == [own, by_cy, mention, tagged]
    assert await _ids(client, ada_t, f"/api/v1/timelines/list/{list_id}") == [
        own,
        mention,
        tagged,
        by_bob,
    ]
    assert await _ids(client, ada_t, f"/api/v1/timelines/list/{plain_list}") == [by_cy]

    # no longer exclusive: bob is back in home
    await json_of(
        await client.put(
            f"/api/v1/lists/{list_id}", json={"exclusive": False}, headers=bearer(ada_t)
        )
    )
    assert await _ids(client, ada_t, "/api/v1/timelines/home") == [
        own,
        by_cy,
        mention,
        tagged,
        by_bob,
    ]


async def test_a_members_status_reaches_the_list_stream_and_not_an_exclusive_owners_home(
    client: Any,
) -> None:
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    await _follow(ada.actor, bob.actor)
    await _follow(ada.actor, cy.actor)
    ada_t, bob_t, cy_t = [await make_token(u) for u in (ada, bob, cy)]
    list_id = await _list_with(client, ada_t, bob.actor_id, exclusive=True)

    async with (
        client.request(
            f"/api/v1/streaming/list?list={list_id}", headers=bearer(ada_t)
        ) as list_conn,
        client.request("/api/v1/streaming/user", headers=bearer(ada_t)) as home_conn,
    ):
        await list_conn.send_complete()
        await home_conn.send_complete()
        on_list, at_home = Sse(list_conn), Sse(home_conn)
        await on_list.opened()
        await at_home.opened()

        # When: bob (a member) posts for his followers, then cy (no member) posts
        by_bob = await post_status(client, bob_t, status="for my followers", visibility="private")
        by_cy = await post_status(client, cy_t, status="cy here")

        # Then: the list stream hears bob, home hears cy first (bob's post is not for ada's home)
        event, data = await on_list.next()
        assert event == "update" and json.loads(data)["id"] == by_bob
        event, data = await at_home.next()
        assert event == "update" and json.loads(data)["id"] == by_cy

        # and the deletion of bob's post reaches the list stream too
        await json_of(await client.delete(f"/api/v1/statuses/{by_bob}", headers=bearer(bob_t)))
        assert await on_list.next() == ("delete", by_bob)
        await list_conn.disconnect()
        await home_conn.disconnect()


async def test_list_stream_over_websocket_and_its_refusals(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    await _follow(ada.actor, bob.actor)
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    list_id = await _list_with(client, ada_t, bob.actor_id)

    async with client.websocket(f"/api/v1/streaming?access_token={ada_t}") as ws:
        await ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": int(list_id)}))
        await _ws_ready(ws)
        posted = await post_status(client, bob_t, status="hello list")
        message = await _ws_message(ws)
        assert message["stream"] == ["list", list_id] and message["event"] == "update"
        assert json.loads(message["payload"])["id"] == posted

    # bob may not stream ada's list; a list stream needs a list
    async with client.websocket(f"/api/v1/streaming?access_token={bob_t}") as ws:
        await ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": list_id}))
        assert await _ws_message(ws) == {
            "error": "Not authorized to stream this list",
            "status": 401,
        }
    missing = await client.get("/api/v1/streaming/list", headers=bearer(ada_t))
    assert await json_of(missing, 400) == {"error": "Missing list name parameter"}
    foreign = await client.get(f"/api/v1/streaming/list?list={list_id}", headers=bearer(bob_t))
    assert await json_of(foreign, 401) == {"error": "Not authorized to stream this list"}
    anonymous = await client.get(f"/api/v1/streaming/list?list={list_id}")
    assert anonymous.status_code == 401
