"""Statuses, timelines and notifications through the API: shapes as Mastodon documents them
(checked against the OpenAPI description), Link pagination, and every kind of bad input."""

from __future__ import annotations

from typing import Any

from apikit import bearer, make_token, make_user
from test_entity_shapes import check


async def _post(client: Any, token: str, **body: Any) -> Any:
    return await client.post("/api/v1/statuses", json=body, headers=bearer(token))


async def test_status_context_and_notification_match_mastodons_entities(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    ada_token, bob_token = await make_token(ada), await make_token(bob)
    first = await (
        await _post(
            client, ada_token, status="Results on #Catalysis", spoiler_text="long", language="en"
        )
    ).get_json()
    check("Status", first)
    assert (
        first["visibility"] == "public" and first["spoiler_text"] == "long" and first["sensitive"]
    )
    assert first["tags"][0]["name"] == "catalysis" and first["language"] == "en"
    reply = await (
        await _post(client, bob_token, status="@ada nice work", in_reply_to_id=first["id"])
    ).get_json()
    check("Status", reply)
    assert reply["in_reply_to_id"] == first["id"] and reply["in_reply_to_account_id"] == str(
        ada.actor_id
    )
    assert reply["mentions"][0]["acct"] == "ada"
    context = await (
        await client.get(f"/api/v1/statuses/{first['id']}/context", headers=bearer(ada_token))
    ).get_json()
    check("Context", context)
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]
    notes = await (await client.get("/api/v1/notifications", headers=bearer(ada_token))).get_json()
    assert [n["type"] for n in notes] == ["mention"]
    check("Notification", notes[0])
    fav = await (
        await client.post(f"/api/v1/statuses/{first['id']}/favourite", headers=bearer(bob_token))
    ).get_json()
    assert fav["favourited"] and fav["favourites_count"] == 1
    boost = await (
        await client.post(f"/api/v1/statuses/{first['id']}/reblog", headers=bearer(bob_token))
    ).get_json()
    check("Status", boost)
    assert boost["reblog"]["id"] == first["id"] and boost["reblog"]["reblogged"]


async def test_idempotency_key_makes_one_status(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    headers = {**bearer(token), "Idempotency-Key": "abc-123"}
    one = await (
        await client.post("/api/v1/statuses", json={"status": "once"}, headers=headers)
    ).get_json()
    two = await (
        await client.post("/api/v1/statuses", json={"status": "once"}, headers=headers)
    ).get_json()
    assert one["id"] == two["id"]


async def test_bad_input_wrong_scopes_and_foreign_statuses(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    ada_token = await make_token(ada)
    read_only = await make_token(ada, "read")
    bob_token = await make_token(bob)
    assert (await _post(client, read_only, status="x")).status_code == 403
    assert (await client.post("/api/v1/statuses", json={"status": "x"})).status_code == 401
    blank = await _post(client, ada_token, status="   ")
    assert blank.status_code == 422 and "blank" in (await blank.get_json())["error"]
    too_long = await _post(client, ada_token, status="x" * 5001)
    assert too_long.status_code == 422
    bad_visibility = await _post(client, ada_token, status="x", visibility="everyone")
    assert bad_visibility.status_code == 422
    assert (await _post(client, ada_token, status="x", in_reply_to_id="999999")).status_code == 404
    assert (
        await client.get("/api/v1/statuses/not-a-number", headers=bearer(ada_token))
    ).status_code == 404
    mine = await (await _post(client, ada_token, status="mine")).get_json()
    # someone else's status can be read but neither edited nor deleted
    assert (
        await client.delete(f"/api/v1/statuses/{mine['id']}", headers=bearer(bob_token))
    ).status_code == 403
    edit = await client.put(
        f"/api/v1/statuses/{mine['id']}", json={"status": "hijack"}, headers=bearer(bob_token)
    )
    assert edit.status_code == 403
    assert (
        await client.get(f"/api/v1/statuses/{mine['id']}", headers=bearer(bob_token))
    ).status_code == 200


async def test_private_and_direct_statuses_stay_with_their_audience(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    eve = await make_user(client.app, "eve")
    ada_token, bob_token, eve_token = [await make_token(u) for u in (ada, bob, eve)]
    await client.post(f"/api/v1/accounts/{ada.actor_id}/follow", headers=bearer(bob_token))
    private = await (
        await _post(client, ada_token, status="followers only", visibility="private")
    ).get_json()
    direct = await (
        await _post(client, ada_token, status="@bob just you", visibility="direct")
    ).get_json()
    assert (
        await client.get(f"/api/v1/statuses/{private['id']}", headers=bearer(bob_token))
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/statuses/{private['id']}", headers=bearer(eve_token))
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/statuses/{direct['id']}", headers=bearer(eve_token))
    ).status_code == 404
    assert (await client.get(f"/api/v1/statuses/{direct['id']}")).status_code == 404
    public = await (await client.get("/api/v1/timelines/public")).get_json()
    assert not {private["id"], direct["id"]} & {s["id"] for s in public}
    bob_home = {
        s["id"]
        for s in await (
            await client.get("/api/v1/timelines/home", headers=bearer(bob_token))
        ).get_json()
    }
    assert {private["id"], direct["id"]} <= bob_home
    eve_home = {
        s["id"]
        for s in await (
            await client.get("/api/v1/timelines/home", headers=bearer(eve_token))
        ).get_json()
    }
    assert not {private["id"], direct["id"]} & eve_home


async def test_timeline_pages_with_link_headers_that_keep_filters(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    ids = [
        (await (await _post(client, token, status=f"post {i} #paging")).get_json())["id"]
        for i in range(5)
    ]
    page = await client.get("/api/v1/timelines/public?local=true&limit=2")
    assert [s["id"] for s in await page.get_json()] == ids[::-1][:2]
    link = page.headers["Link"]
    assert f"max_id={ids[3]}" in link and "local=true" in link and f"min_id={ids[4]}" in link
    older = await client.get(f"/api/v1/timelines/public?local=true&limit=2&max_id={ids[3]}")
    assert [s["id"] for s in await older.get_json()] == [ids[2], ids[1]]
    newer = await client.get(f"/api/v1/timelines/public?local=true&limit=2&min_id={ids[1]}")
    assert [s["id"] for s in await newer.get_json()] == [ids[3], ids[2]]
    since = await client.get(f"/api/v1/timelines/public?local=true&since_id={ids[2]}")
    assert [s["id"] for s in await since.get_json()] == [ids[4], ids[3]]
    tagged = await client.get("/api/v1/timelines/tag/paging?limit=3")
    assert len(await tagged.get_json()) == 3
