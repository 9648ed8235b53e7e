"""Projects on one node: the Group actor (WebFinger, actor document, key, collections), the JSON
API's create, read, update, delete and search, roles, members-only projects hidden from
outsiders, local invitations and join requests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apikit import bearer, json_of, make_token, make_user

from fedihub import models
from fedihub.outbox import delivery
from fedihub.web.common import RUNTIME_KEY

P = "/api/fedihub/v1/projects"
AS = {"Accept": "application/activity+json"}


async def _project(client: Any, token: str, **body: Any) -> dict[str, Any]:
    body.setdefault("handle", "graphene")
    body.setdefault("name", "Graphene sensors")
    made: dict[str, Any] = await json_of(await client.post(P, json=body, headers=bearer(token)))
    return made


async def test_a_project_is_a_group_actor_found_by_webfinger_with_its_own_key(app: Any) -> None:
    client = app.test_client()
    ada = await make_user(app, "ada")
    token = await make_token(ada)

    made = await _project(
        client,
        token,
        description="Cheap sensors from graphene",
        tags=["graphene", "Sensors"],
        start_date="2026-01-01",
        end_date="2026-12-31",
        repositories=["https://git.example.org/graphene"],
    )
    assert made["acct"] == "graphene@fedihub.test"
    assert made["role"] == "owner" and made["members_count"] == 1 and made["local"] is True
    assert made["tags"] == ["graphene", "Sensors"]
    assert made["start_date"] == "2026-01-01" and made["visibility"] == "public"

    finger = await json_of(
        await client.get("/.well-known/webfinger?resource=acct:graphene@fedihub.test")
    )
    self_link = next(link for link in finger["links"] if link["rel"] == "self")
    assert self_link["href"] == made["uri"] == "https://fedihub.test/projects/graphene"

    doc = await json_of(await client.get("/projects/graphene", headers=AS))
    assert doc["type"] == "Group"
    assert doc["inbox"].endswith("/projects/graphene/inbox")
    assert doc["members"].endswith("/projects/graphene/members")
    assert doc["publicKey"]["id"] == "https://fedihub.test/projects/graphene#main-key"
    assert "BEGIN PUBLIC KEY" in doc["publicKey"]["publicKeyPem"]
    assert doc["startTime"] == "2026-01-01T00:00:00Z"
    assert doc["attachment"][0]["href"] == "https://git.example.org/graphene"
    assert doc["manuallyApprovesFollowers"] is False

    members = await json_of(await client.get("/projects/graphene/members", headers=AS))
    assert members["orderedItems"] == [
        {"type": "Member", "actor": ada.actor.uri, "object": doc["id"], "role": "owner"}
    ]

    # the Group signs its deliveries with its own key
    rt = app.extensions[RUNTIME_KEY]
    group = await models.Actor.get(uri=doc["id"])
    auth = await delivery.signer_auth(rt, group.id)
    assert auth.key_id == doc["publicKey"]["id"]

    # a user cannot take the project's handle, nor a project a user's
    refused = await client.post(P, json={"handle": "ada", "name": "x"}, headers=bearer(token))
    assert refused.status_code == 409


async def test_owner_edits_outsider_cannot_and_search_finds_by_text_and_tag(app: Any) -> None:
    client = app.test_client()
    ada, bob = await make_user(app, "ada"), await make_user(app, "bob")
    ada_token, bob_token = await make_token(ada), await make_token(bob)
    made = await _project(client, ada_token, tags=["physics"])
    path = f"{P}/{made['id']}"

    changed = await json_of(
        await client.put(
            path, json={"description": "Now with <b>tags</b>"}, headers=bearer(ada_token)
        )
    )
    assert changed["description"] == "Now with <b>tags</b>"
    page = await client.get("/projects/graphene")
    assert "Now with &lt;b&gt;tags&lt;/b&gt;" in (await page.get_data(as_text=True))

    refused = await client.put(path, json={"name": "mine"}, headers=bearer(bob_token))
    assert refused.status_code == 403
    bad = await client.put(path, json={"end_date": "yesterday"}, headers=bearer(ada_token))
    assert bad.status_code == 422

    found = await json_of(await client.get(P, query_string={"q": "graph"}))
    assert [p["id"] for p in found] == [made["id"]] and found[0]["role"] is None
    assert await json_of(await client.get(P, query_string={"tag": "physics"})) != []
    assert await json_of(await client.get(P, query_string={"tag": "chemistry"})) == []
    mine = await json_of(
        await client.get(P, query_string={"mine": "true"}, headers=bearer(bob_token))
    )
    assert mine == []

    assert (await client.delete(path, headers=bearer(bob_token))).status_code == 403
    assert (await client.delete(path, headers=bearer(ada_token))).status_code == 200
    assert (await client.get(path)).status_code == 404


async def test_members_only_project_is_hidden_from_outsiders_everywhere(app: Any) -> None:
    client = app.test_client()
    ada, eve = await make_user(app, "ada"), await make_user(app, "eve")
    ada_token, eve_token = await make_token(ada), await make_token(eve)
    made = await _project(client, ada_token, handle="secret", name="Secret", visibility="members")
    path = f"{P}/{made['id']}"

    assert (await client.get(path, headers=bearer(eve_token))).status_code == 404
    assert (await client.get(path)).status_code == 404
    assert (await client.get(f"{path}/members", headers=bearer(eve_token))).status_code == 404
    assert await json_of(await client.get(P, headers=bearer(eve_token))) == []
    assert (await client.get("/projects/secret")).status_code == 404
    # the Group actor is public (Mastodon users join by following it): what it holds is not
    actor_doc = await json_of(await client.get("/projects/secret", headers=AS))
    assert actor_doc["manuallyApprovesFollowers"] is True
    assert (await client.get("/projects/secret/outbox", headers=AS)).status_code == 404
    assert (await client.get("/projects/secret/followers", headers=AS)).status_code == 404
    assert (await client.get("/projects/secret/members", headers=AS)).status_code == 404
    assert (await client.get(path, headers=bearer(ada_token))).status_code == 200


async def test_local_invitation_accepted_makes_a_member_and_a_mention(app: Any) -> None:
    client = app.test_client()
    ada, bob, eve = [await make_user(app, n) for n in ("ada", "bob", "eve")]
    ada_token, bob_token, eve_token = [await make_token(u) for u in (ada, bob, eve)]
    made = await _project(client, ada_token)
    invitations = f"{P}/{made['id']}/invitations"

    invited = await json_of(
        await client.post(
            invitations,
            json={"account": "bob@fedihub.test", "role": "maintainer", "message": "Join us"},
            headers=bearer(ada_token),
        )
    )
    assert invited["state"] == "pending" and invited["role"] == "maintainer"
    assert invited["account"]["acct"] == "bob" and invited["inviter"]["acct"] == "ada"
    again = await client.post(invitations, json={"account": "bob"}, headers=bearer(ada_token))
    assert again.status_code == 422 or again.status_code == 409
    unknown = await client.post(
        invitations, json={"account": "nobody@fedihub.test"}, headers=bearer(ada_token)
    )
    assert unknown.status_code == 404
    by_outsider = await client.post(
        invitations, json={"account": "ada@fedihub.test"}, headers=bearer(eve_token)
    )
    assert by_outsider.status_code == 403

    notes = await json_of(await client.get("/api/v1/notifications", headers=bearer(bob_token)))
    assert notes[0]["type"] == "mention" and notes[0]["account"]["acct"] == "graphene"
    assert "Join us" in notes[0]["status"]["content"]
    assert notes[0]["status"]["visibility"] == "direct"

    mine = await json_of(await client.get("/api/fedihub/v1/invitations", headers=bearer(bob_token)))
    assert [i["id"] for i in mine] == [invited["id"]]
    forged = await client.post(
        f"/api/fedihub/v1/invitations/{invited['id']}/accept", headers=bearer(eve_token)
    )
    assert forged.status_code == 404
    accepted = await json_of(
        await client.post(
            f"/api/fedihub/v1/invitations/{invited['id']}/accept", headers=bearer(bob_token)
        )
    )
    assert accepted["state"] == "accepted"
    twice = await client.post(
        f"/api/fedihub/v1/invitations/{invited['id']}/accept", headers=bearer(bob_token)
    )
    assert twice.status_code == 422
    members = await json_of(await client.get(f"{P}/{made['id']}/members"))
    assert {(m["account"]["acct"], m["role"]) for m in members} == {
        ("ada", "owner"),
        ("bob", "maintainer"),
    }


async def test_withdrawn_and_expired_invitations_cannot_be_accepted(app: Any) -> None:
    client = app.test_client()
    ada, bob, cat = [await make_user(app, n) for n in ("ada", "bob", "cat")]
    ada_token, bob_token, cat_token = [await make_token(u) for u in (ada, bob, cat)]
    made = await _project(client, ada_token)
    invitations = f"{P}/{made['id']}/invitations"
    to_bob = await json_of(
        await client.post(invitations, json={"account": "bob"}, headers=bearer(ada_token))
    )
    withdrawn = await json_of(
        await client.delete(
            f"/api/fedihub/v1/invitations/{to_bob['id']}", headers=bearer(ada_token)
        )
    )
    assert withdrawn["state"] == "withdrawn"
    late = await client.post(
        f"/api/fedihub/v1/invitations/{to_bob['id']}/accept", headers=bearer(bob_token)
    )
    assert late.status_code == 422

    to_cat = await json_of(
        await client.post(
            invitations, json={"account": "cat", "expires_in": 60}, headers=bearer(ada_token)
        )
    )
    await models.ProjectInvitation.filter(id=int(to_cat["id"])).update(
        expires_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    listed = await json_of(
        await client.get("/api/fedihub/v1/invitations", headers=bearer(cat_token))
    )
    assert listed[0]["state"] == "expired"
    expired = await client.post(
        f"/api/fedihub/v1/invitations/{to_cat['id']}/accept", headers=bearer(cat_token)
    )
    assert expired.status_code == 422


async def test_join_request_approved_by_a_maintainer(app: Any) -> None:
    client = app.test_client()
    ada, bob = await make_user(app, "ada"), await make_user(app, "bob")
    ada_token, bob_token = await make_token(ada), await make_token(bob)
    made = await _project(client, ada_token)
    base = f"{P}/{made['id']}"

    await json_of(
        await client.post(f"{base}/join", json={"message": "hi"}, headers=bearer(bob_token))
    )
    asked = await json_of(await client.get(f"{base}/join_requests", headers=bearer(ada_token)))
    assert [(r["account"]["acct"], r["message"]) for r in asked] == [("bob", "hi")]
    assert (await client.get(f"{base}/join_requests", headers=bearer(bob_token))).status_code == 403
    await json_of(
        await client.post(
            f"{base}/join_requests/{bob.actor.id}/authorize", headers=bearer(ada_token)
        )
    )
    shown = await json_of(await client.get(base, headers=bearer(bob_token)))
    assert shown["role"] == "member" and shown["members_count"] == 2

    await json_of(await client.post(f"{base}/leave", headers=bearer(bob_token)))
    assert (await json_of(await client.get(base)))["members_count"] == 1
    last_owner = await client.post(f"{base}/leave", headers=bearer(ada_token))
    assert last_owner.status_code == 422
