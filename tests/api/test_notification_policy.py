"""The notification policy (v2) and the requests holding what it filtered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status
from test_entity_shapes import check

from fedihub import models

P = "/api/v2/notifications/policy"
R = "/api/v1/notifications/requests"


async def _listed(client: Any, token: str, query: str = "") -> list[str]:
    found = await json_of(await client.get(f"/api/v1/notifications{query}", headers=bearer(token)))
    return [n["account"]["username"] for n in found]


async def _age(*users: Any, days: int = 60) -> None:
    for user in users:
        await models.Actor.filter(id=user.actor.id).update(
            created_at=datetime.now(UTC) - timedelta(days=days)
        )


async def test_policy_filters_into_requests_that_accept_and_dismiss(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    cy = await make_user(client.app, "cy")
    await _age(ada, bob, cy)
    ada_t, bob_t, cy_t = [await make_token(u) for u in (ada, bob, cy)]

    default = await json_of(await client.get(P, headers=bearer(ada_t)))
    check("NotificationPolicy", default)
    assert default == {
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "filter",
        "for_limited_accounts": "filter",
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }
    bad = await client.patch(P, json={"for_not_following": "ignore"}, headers=bearer(ada_t))
    assert bad.status_code == 422
    changed = await json_of(
        await client.patch(P, json={"for_not_following": "filter"}, headers=bearer(ada_t))
    )
    assert changed["for_not_following"] == "filter" and changed["for_new_accounts"] == "accept"
    assert (await client.patch(P, json={}, headers=bearer(bob_t))).status_code == 200
    # the v1 policy reads and writes the same, as booleans
    v1 = await json_of(await client.get("/api/v1/notifications/policy", headers=bearer(ada_t)))
    check("V1NotificationPolicy", v1)
    assert v1["filter_not_following"] is True and v1["filter_private_mentions"] is True
    assert v1["filter_new_accounts"] is False
    bad_v1 = await client.patch(
        "/api/v1/notifications/policy", json={"filter_new_accounts": "maybe"}, headers=bearer(cy_t)
    )
    assert bad_v1.status_code == 422
    cy_v1 = await json_of(
        await client.patch(
            "/api/v1/notifications/policy",
            form={"filter_private_mentions": "false"},
            headers=bearer(cy_t),
        )
    )
    assert cy_v1["filter_private_mentions"] is False
    cy_v2 = await json_of(await client.get(P, headers=bearer(cy_t)))
    assert cy_v2["for_private_mentions"] == "accept"

    # ada follows nobody: bob's and cy's mentions wait in requests
    await post_status(client, bob_t, status="@ada one")
    await post_status(client, bob_t, status="@ada two")
    sid = await post_status(client, cy_t, status="@ada three")
    assert await _listed(client, ada_t) == []
    assert sorted(await _listed(client, ada_t, "?include_filtered=true")) == ["bob", "bob", "cy"]
    unread = await json_of(
        await client.get("/api/v1/notifications/unread_count", headers=bearer(ada_t))
    )
    assert unread == {"count": 0}
    policy = await json_of(await client.get(P, headers=bearer(ada_t)))
    assert policy["summary"] == {"pending_requests_count": 2, "pending_notifications_count": 3}

    requests = await json_of(await client.get(R, headers=bearer(ada_t)))
    for one in requests:
        check("NotificationRequest", one)
    by_name = {r["account"]["username"]: r for r in requests}
    assert by_name["bob"]["notifications_count"] == "2"
    assert by_name["cy"]["last_status"]["id"] == sid
    one = await json_of(await client.get(f"{R}/{by_name['bob']['id']}", headers=bearer(ada_t)))
    assert one["id"] == by_name["bob"]["id"]
    assert (
        await client.get(f"{R}/{by_name['bob']['id']}", headers=bearer(bob_t))
    ).status_code == 404
    assert await json_of(await client.get(f"{R}/merged", headers=bearer(ada_t))) == {"merged": True}

    # accepting bob: his mentions join the list, and later ones pass
    await json_of(await client.post(f"{R}/{by_name['bob']['id']}/accept", headers=bearer(ada_t)))
    assert await _listed(client, ada_t) == ["bob", "bob"]
    await post_status(client, bob_t, status="@ada four")
    assert await _listed(client, ada_t) == ["bob", "bob", "bob"]
    # dismissing cy: the held mention is gone
    await json_of(await client.post(f"{R}/{by_name['cy']['id']}/dismiss", headers=bearer(ada_t)))
    assert sorted(await _listed(client, ada_t, "?include_filtered=true")) == ["bob"] * 3
    assert await json_of(await client.get(R, headers=bearer(ada_t))) == []
    # a new request from cy, dismissed in bulk; another accepted in bulk
    await post_status(client, cy_t, status="@ada five")
    cy_request = (await json_of(await client.get(R, headers=bearer(ada_t))))[0]["id"]
    await json_of(
        await client.post(f"{R}/dismiss", json={"id": [cy_request]}, headers=bearer(ada_t))
    )
    await post_status(client, cy_t, status="@ada six")
    cy_request = (await json_of(await client.get(R, headers=bearer(ada_t))))[0]["id"]
    await json_of(
        await client.post(f"{R}/accept", form={"id[]": cy_request}, headers=bearer(ada_t))
    )
    assert sorted(await _listed(client, ada_t)) == ["bob", "bob", "bob", "cy"]


async def test_drop_stores_nothing_and_followed_accounts_pass(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    newbie = await make_user(client.app, "newbie")
    await _age(ada, bob)
    ada_t, bob_t, new_t = [await make_token(u) for u in (ada, bob, newbie)]
    await json_of(
        await client.patch(
            P,
            form={"for_new_accounts": "drop", "for_not_following": "filter"},
            headers=bearer(ada_t),
        )
    )
    await json_of(
        await client.post(f"/api/v1/accounts/{bob.actor.id}/follow", headers=bearer(ada_t))
    )
    await post_status(client, new_t, status="@ada hello from a new account")
    await post_status(client, bob_t, status="@ada from someone ada follows")
    assert await _listed(client, ada_t, "?include_filtered=true") == ["bob"]
    assert await models.Notification.filter(from_actor_id=newbie.actor.id).count() == 0

    # private mentions: filtered from strangers, not from the people one follows
    await json_of(
        await client.patch(
            P,
            json={"for_new_accounts": "accept", "for_not_following": "accept"},
            headers=bearer(ada_t),
        )
    )
    await post_status(client, new_t, status="@ada psst", visibility="direct")
    await post_status(client, bob_t, status="@ada psst", visibility="direct")
    assert await _listed(client, ada_t) == ["bob", "bob"]
    assert [
        r["account"]["username"] for r in await json_of(await client.get(R, headers=bearer(ada_t)))
    ] == ["newbie"]
