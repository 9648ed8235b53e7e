"""Markers (where a user stopped reading) and conversations (direct messages grouped)."""

from __future__ import annotations

from typing import Any

from apikit import bearer, make_token, make_user
from test_entity_shapes import check


async def test_markers_round_trip_and_count_versions(client: Any) -> None:
    ada = await make_user(client.app)
    token = await make_token(ada)
    assert (
        await (
            await client.get("/api/v1/markers?timeline[]=home", headers=bearer(token))
        ).get_json()
        == {}
    )
    saved = await (
        await client.post(
            "/api/v1/markers",
            headers=bearer(token),
            form={
                "home[last_read_id]": "103",
                "notifications[last_read_id]": "7",
            },
        )
    ).get_json()
    assert saved["home"]["last_read_id"] == "103" and saved["notifications"]["last_read_id"] == "7"
    first_version = saved["home"]["version"]
    again = await (
        await client.post(
            "/api/v1/markers", headers=bearer(token), json={"home": {"last_read_id": "150"}}
        )
    ).get_json()
    assert list(again) == ["home"] and again["home"]["version"] == first_version + 1
    both = await (
        await client.get(
            "/api/v1/markers?timeline[]=home&timeline[]=notifications", headers=bearer(token)
        )
    ).get_json()
    assert both["home"]["last_read_id"] == "150" and both["notifications"]["last_read_id"] == "7"
    check("Marker", both["home"])
    only = await (
        await client.get("/api/v1/markers?timeline[]=notifications", headers=bearer(token))
    ).get_json()
    assert list(only) == ["notifications"]
    other = await make_token(await make_user(client.app, "bob"))
    assert (
        await (
            await client.get("/api/v1/markers?timeline[]=home", headers=bearer(other))
        ).get_json()
        == {}
    )


async def test_markers_need_statuses_scopes(client: Any) -> None:
    ada = await make_user(client.app)
    assert (await client.get("/api/v1/markers?timeline[]=home")).status_code == 401
    follow_only = await make_token(ada, "follow")
    assert (
        await client.get("/api/v1/markers?timeline[]=home", headers=bearer(follow_only))
    ).status_code == 403
    read_only = await make_token(ada, "read")
    assert (
        await client.post(
            "/api/v1/markers", headers=bearer(read_only), form={"home[last_read_id]": "1"}
        )
    ).status_code == 403


async def test_a_direct_message_is_a_conversation_for_both_sides(client: Any) -> None:
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    ada_t, bob_t, cy_t = await make_token(ada), await make_token(bob), await make_token(cy)
    first = await (
        await client.post(
            "/api/v1/statuses",
            headers=bearer(ada_t),
            json={"status": "@bob lunch?", "visibility": "direct"},
        )
    ).get_json()
    await client.post("/api/v1/statuses", headers=bearer(ada_t), json={"status": "a public post"})
    reply = await (
        await client.post(
            "/api/v1/statuses",
            headers=bearer(bob_t),
            json={"status": "@ada yes", "visibility": "direct", "in_reply_to_id": first["id"]},
        )
    ).get_json()

    (for_ada,) = await (await client.get("/api/v1/conversations", headers=bearer(ada_t))).get_json()
    check("Conversation", for_ada)
    assert for_ada["id"] == first["id"]
    assert for_ada["last_status"]["id"] == reply["id"]
    assert [a["username"] for a in for_ada["accounts"]] == ["bob"]
    assert for_ada["unread"] is True  # bob answered
    (for_bob,) = await (await client.get("/api/v1/conversations", headers=bearer(bob_t))).get_json()
    assert for_bob["id"] == first["id"] and [a["username"] for a in for_bob["accounts"]] == ["ada"]
    assert for_bob["unread"] is False  # bob wrote the last message
    assert await (await client.get("/api/v1/conversations", headers=bearer(cy_t))).get_json() == []

    read = await client.post(f"/api/v1/conversations/{for_ada['id']}/read", headers=bearer(ada_t))
    assert (await read.get_json())["unread"] is False
    assert (await (await client.get("/api/v1/conversations", headers=bearer(ada_t))).get_json())[0][
        "unread"
    ] is False
    # cy cannot read or hide a conversation she is not in
    assert (
        await client.post(f"/api/v1/conversations/{for_ada['id']}/read", headers=bearer(cy_t))
    ).status_code == 404

    assert (
        await client.delete(f"/api/v1/conversations/{for_ada['id']}", headers=bearer(ada_t))
    ).status_code == 200
    assert await (await client.get("/api/v1/conversations", headers=bearer(ada_t))).get_json() == []
    assert (
        len(await (await client.get("/api/v1/conversations", headers=bearer(bob_t))).get_json())
        == 1
    )
    # a new message brings the hidden conversation back, unread
    await client.post(
        "/api/v1/statuses",
        headers=bearer(bob_t),
        json={"status": "@ada noon?", "visibility": "direct", "in_reply_to_id": reply["id"]},
    )
    (back,) = await (await client.get("/api/v1/conversations", headers=bearer(ada_t))).get_json()
    assert back["id"] == first["id"] and back["unread"] is True


async def test_conversations_need_a_token(client: Any) -> None:
    assert (await client.get("/api/v1/conversations")).status_code == 401
