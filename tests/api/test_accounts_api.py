"""/api/v1/accounts: own account, profile updates, lookup, search, lists, relationships, actions."""

from __future__ import annotations

import re
from typing import Any

from apikit import bearer, make_token, make_user, remote_actor
from mediakit import png

from fedihub import models
from fedihub.models import FollowState

PNG = png(1, 1)  # well formed: an avatar whose chunks do not parse is refused


async def test_verify_credentials_is_the_credential_account(client: Any) -> None:
    ada = await make_user(client.app, "ada", admin=True)
    body = await (
        await client.get(
            "/api/v1/accounts/verify_credentials", headers=bearer(await make_token(ada))
        )
    ).get_json()
    assert body["id"] == str(ada.actor.id) and body["acct"] == "ada" and body["username"] == "ada"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", body["created_at"])
    assert body["avatar"] == "https://fedihub.test/avatars/original/missing.png"
    assert (
        body["url"] == "https://fedihub.test/@ada"
        and body["uri"] == "https://fedihub.test/users/ada"
    )
    assert body["source"]["privacy"] == "public" and body["source"]["follow_requests_count"] == 0
    assert body["role"]["name"] == "Owner"
    assert body["last_status_at"] is None and body["emojis"] == [] and body["fields"] == []


async def test_update_credentials_in_form_array_form(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    response = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=bearer(token),
        form={
            "display_name": "Ada L.",
            "note": "Counting engines.\n\n<b>bold</b>",
            "locked": "true",
            "bot": "1",
            "discoverable": "false",
            "fields_attributes[0][name]": "Affiliation",
            "fields_attributes[0][value]": "Analytical Society",
            "fields_attributes[1][name]": "Home",
            "fields_attributes[1][value]": "https://ada.example/",
            "source[privacy]": "private",
            "source[sensitive]": "true",
            "source[language]": "en",
        },
    )
    body = await response.get_json()
    assert response.status_code == 200, body
    assert body["display_name"] == "Ada L." and body["locked"] is True and body["bot"] is True
    assert body["discoverable"] is False
    assert body["note"] == "<p>Counting engines.</p><p>&lt;b&gt;bold&lt;/b&gt;</p>"
    assert body["source"]["note"] == "Counting engines.\n\n<b>bold</b>"
    assert body["source"]["privacy"] == "private" and body["source"]["sensitive"] is True
    assert body["source"]["language"] == "en"
    assert [f["name"] for f in body["fields"]] == ["Affiliation", "Home"]
    assert body["fields"][1]["value"].startswith('<a href="https://ada.example/"')
    assert body["source"]["fields"][1] == {
        "name": "Home",
        "value": "https://ada.example/",
        "verified_at": None,
    }
    again = await (
        await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    ).get_json()
    assert again["source"]["privacy"] == "private" and again["locked"] is True


async def test_update_credentials_in_json_and_with_an_avatar_upload(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    response = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=bearer(token),
        json={
            "note": "hello",
            "fields_attributes": {"0": {"name": "Web", "value": "https://x.example"}},
            "source": {"privacy": "unlisted"},
        },
    )
    body = await response.get_json()
    assert response.status_code == 200, body
    assert body["note"] == "<p>hello</p>" and body["fields"][0]["name"] == "Web"
    assert body["source"]["privacy"] == "unlisted"
    import io

    from quart.datastructures import FileStorage

    upload = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=bearer(token),
        files={
            "avatar": FileStorage(io.BytesIO(PNG), filename="me.png", content_type="image/png"),
            "header": FileStorage(io.BytesIO(PNG), filename="h.png", content_type="image/png"),
        },
        form={"display_name": "Ada"},
    )
    body = await upload.get_json()
    assert upload.status_code == 200, body
    assert body["avatar"].startswith("https://fedihub.test/media/avatars/") and body[
        "avatar"
    ].endswith(".png")
    assert body["header"].startswith("https://fedihub.test/media/headers/")
    assert body["note"] == "<p>hello</p>"  # untouched fields stay
    served = await client.get(body["avatar"].removeprefix("https://fedihub.test"))
    assert served.status_code == 200 and await served.get_data() == PNG


async def test_update_credentials_refuses_bad_input_with_422_and_saves_nothing(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    import io

    from quart.datastructures import FileStorage

    cases: list[dict[str, Any]] = [
        {"form": {"display_name": "x" * 300}},
        {"form": {"source[privacy]": "everyone"}},
        {
            "form": {
                "display_name": "New",
                "fields_attributes[0][name]": "Web",
                "fields_attributes[0][value]": "",
            }
        },
        {
            "files": {"avatar": FileStorage(io.BytesIO(b"not an image"), filename="a.png")},
            "form": {"display_name": "New"},
        },
    ]
    for kwargs in cases:
        response = await client.patch(
            "/api/v1/accounts/update_credentials", headers=bearer(token), **kwargs
        )
        assert response.status_code == 422, kwargs
        assert (await response.get_json())["error"].startswith("Validation failed: ")
    actor = await models.Actor.get(id=ada.actor.id)
    assert actor.display_name == "ada" and actor.icon_url is None


async def test_lookup_and_get_account_by_id_local_and_remote(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await remote_actor("bob", "social.example", display_name="Bob")
    for acct in ("ada", "@ada", "ada@fedihub.test", "ADA"):
        response = await client.get("/api/v1/accounts/lookup", query_string={"acct": acct})
        assert (await response.get_json())["id"] == str(ada.actor.id), acct
    remote = await (await client.get("/api/v1/accounts/lookup?acct=bob@social.example")).get_json()
    assert remote["acct"] == "bob@social.example" and remote["url"] == bob.uri
    by_id = await (await client.get(f"/api/v1/accounts/{bob.id}")).get_json()
    assert by_id["display_name"] == "Bob"
    for path in (
        "/api/v1/accounts/lookup?acct=nobody",
        "/api/v1/accounts/123",
        "/api/v1/accounts/abc",
        "/api/v1/accounts/99999999999999999999999",
        "/api/v1/accounts/-1",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert await response.get_json() == {"error": "Record not found"}
    missing = await client.get("/api/v1/accounts/lookup")
    assert missing.status_code == 422


async def test_search_by_prefix_and_known_remote_acct(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    await make_user(client.app, "adam")
    await make_user(client.app, "zed")
    await remote_actor("adele", "social.example")
    token = await make_token(ada)
    names = [
        a["acct"]
        for a in await (
            await client.get("/api/v1/accounts/search?q=ad", headers=bearer(token))
        ).get_json()
    ]
    assert names == ["ada", "adam"]
    remote = await (
        await client.get("/api/v1/accounts/search?q=@adele@social.example", headers=bearer(token))
    ).get_json()
    assert [a["acct"] for a in remote] == ["adele@social.example"]
    unknown = await (
        await client.get("/api/v1/accounts/search?q=x@unknown.example", headers=bearer(token))
    ).get_json()
    assert unknown == []
    anonymous = await client.get("/api/v1/accounts/search?q=ad")
    assert anonymous.status_code == 401


async def test_follow_unfollow_and_relationships(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    token = await make_token(ada)
    followed = await (
        await client.post(f"/api/v1/accounts/{bob.actor.id}/follow", headers=bearer(token))
    ).get_json()
    assert followed["following"] is True and followed["id"] == str(bob.actor.id)
    rels = await (
        await client.get(
            f"/api/v1/accounts/relationships?id[]={bob.actor.id}&id[]=abc&id[]={ada.actor.id}",
            headers=bearer(token),
        )
    ).get_json()
    assert [r["id"] for r in rels] == [str(bob.actor.id), str(ada.actor.id)]
    assert rels[0]["following"] is True and rels[0]["followed_by"] is False
    assert set(rels[0]) >= {
        "showing_reblogs",
        "notifying",
        "blocking",
        "blocked_by",
        "muting",
        "muting_notifications",
        "requested",
        "requested_by",
        "domain_blocking",
        "endorsed",
        "note",
    }
    single = await (
        await client.get(f"/api/v1/accounts/relationships?id={bob.actor.id}", headers=bearer(token))
    ).get_json()
    assert single[0]["following"] is True
    unfollowed = await (
        await client.post(f"/api/v1/accounts/{bob.actor.id}/unfollow", headers=bearer(token))
    ).get_json()
    assert unfollowed["following"] is False
    self_follow = await client.post(
        f"/api/v1/accounts/{ada.actor.id}/follow", headers=bearer(token)
    )
    assert self_follow.status_code == 422
    unknown = await client.post("/api/v1/accounts/1234/follow", headers=bearer(token))
    assert unknown.status_code == 404
    read_only = await client.post(
        f"/api/v1/accounts/{bob.actor.id}/follow", headers=bearer(await make_token(ada, "read"))
    )
    assert read_only.status_code == 403


async def test_follow_of_a_locked_account_is_requested_until_authorized(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    bob.actor.manually_approves = True
    await bob.actor.save()
    ada_token, bob_token = await make_token(ada), await make_token(bob)
    asked = await (
        await client.post(f"/api/v1/accounts/{bob.actor.id}/follow", headers=bearer(ada_token))
    ).get_json()
    assert asked["requested"] is True and asked["following"] is False
    pending = await (
        await client.get("/api/v1/follow_requests", headers=bearer(bob_token))
    ).get_json()
    assert [a["id"] for a in pending] == [str(ada.actor.id)]
    me = await (
        await client.get("/api/v1/accounts/verify_credentials", headers=bearer(bob_token))
    ).get_json()
    assert me["source"]["follow_requests_count"] == 1
    ok = await client.post(
        f"/api/v1/follow_requests/{ada.actor.id}/authorize", headers=bearer(bob_token)
    )
    assert (await ok.get_json())["followed_by"] is True
    assert await models.Follow.filter(follower_id=ada.actor.id, state=FollowState.ACCEPTED).exists()
    again = await client.post(
        f"/api/v1/follow_requests/{ada.actor.id}/reject", headers=bearer(bob_token)
    )
    assert again.status_code == 404
    bad = await client.post("/api/v1/follow_requests/nope/authorize", headers=bearer(bob_token))
    assert bad.status_code == 404


async def test_reject_removes_the_request(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    bob.actor.manually_approves = True
    await bob.actor.save()
    await client.post(
        f"/api/v1/accounts/{bob.actor.id}/follow", headers=bearer(await make_token(ada))
    )
    bob_token = await make_token(bob)
    rejected = await (
        await client.post(
            f"/api/v1/follow_requests/{ada.actor.id}/reject", headers=bearer(bob_token)
        )
    ).get_json()
    assert rejected["requested_by"] is False and rejected["followed_by"] is False
    assert (
        await (await client.get("/api/v1/follow_requests", headers=bearer(bob_token))).get_json()
        == []
    )


async def test_block_ends_follows_and_mute_is_stored(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    token = await make_token(ada)
    await client.post(f"/api/v1/accounts/{bob.actor.id}/follow", headers=bearer(token))
    blocked = await (
        await client.post(f"/api/v1/accounts/{bob.actor.id}/block", headers=bearer(token))
    ).get_json()
    assert blocked["blocking"] is True and blocked["following"] is False
    seen_by_bob = await (
        await client.get(
            f"/api/v1/accounts/relationships?id[]={ada.actor.id}",
            headers=bearer(await make_token(bob)),
        )
    ).get_json()
    assert seen_by_bob[0]["blocked_by"] is True
    unblocked = await (
        await client.post(f"/api/v1/accounts/{bob.actor.id}/unblock", headers=bearer(token))
    ).get_json()
    assert unblocked["blocking"] is False
    muted = await (
        await client.post(
            f"/api/v1/accounts/{bob.actor.id}/mute",
            headers=bearer(token),
            json={"notifications": False, "duration": 3600},
        )
    ).get_json()
    assert (
        muted["muting"] is True
        and muted["muting_notifications"] is False
        and muted["muting_expires_at"]
    )
    assert await models.Mute.filter(actor_id=ada.actor.id, target_id=bob.actor.id).exists()
    unmuted = await (
        await client.post(f"/api/v1/accounts/{bob.actor.id}/unmute", headers=bearer(token))
    ).get_json()
    assert unmuted["muting"] is False


async def test_followers_and_following_pages_with_link_headers(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    fans = [await remote_actor(f"fan{i}", "social.example") for i in range(5)]
    for fan in fans:
        await models.Follow.create(follower=fan, target=ada.actor, state=FollowState.ACCEPTED)
    await models.Follow.create(
        follower=await remote_actor("shy", "social.example"), target=ada.actor
    )
    first = await client.get(f"/api/v1/accounts/{ada.actor.id}/followers?limit=2&foo=bar")
    names = [a["username"] for a in await first.get_json()]
    assert names == ["fan4", "fan3"]
    link = first.headers["Link"]
    match = re.search(r'<([^>]+)>; rel="next"', link)
    assert (
        match
        and "foo=bar" in match.group(1)
        and "limit=2" in match.group(1)
        and "max_id=" in match.group(1)
    )
    assert 'rel="prev"' in link and "min_id=" in link
    second = await client.get(match.group(1).removeprefix("https://fedihub.test"))
    assert [a["username"] for a in await second.get_json()] == ["fan2", "fan1"]
    prev = re.search(r'<([^>]+)>; rel="prev"', second.headers["Link"]).group(1)  # type: ignore[union-attr]
    back = await client.get(prev.removeprefix("https://fedihub.test"))
    assert [a["username"] for a in await back.get_json()] == ["fan4", "fan3"]
    following = await client.get(f"/api/v1/accounts/{fans[0].id}/following")
    assert [a["username"] for a in await following.get_json()] == ["ada"]
    empty = await client.get(f"/api/v1/accounts/{fans[1].id}/followers")
    assert await empty.get_json() == [] and "Link" not in empty.headers


async def test_familiar_followers(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    carol = await remote_actor("carol", "social.example")
    await models.Follow.create(follower=ada.actor, target=bob.actor, state=FollowState.ACCEPTED)
    await models.Follow.create(follower=bob.actor, target=carol, state=FollowState.ACCEPTED)
    body = await (
        await client.get(
            f"/api/v1/accounts/familiar_followers?id[]={carol.id}&id[]={ada.actor.id}",
            headers=bearer(await make_token(ada)),
        )
    ).get_json()
    assert body[0]["id"] == str(carol.id) and [a["username"] for a in body[0]["accounts"]] == [
        "bob"
    ]
    assert body[1] == {"id": str(ada.actor.id), "accounts": []}


async def test_follow_of_a_remote_account_answers_requested_at_once(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await remote_actor("bob", "social.example")
    token = await make_token(ada)
    response = await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=bearer(token))
    body = await response.get_json()
    assert response.status_code == 200, body
    assert body["requested"] is True and body["following"] is False
    row = await models.Follow.get(follower_id=ada.actor.id, target_id=bob.id)
    assert row.state == FollowState.PENDING
