"""Lists through the API as Mastodon answers them: create, show, update, delete, members (only
accounts the owner follows or asked to follow), an account's lists, scopes, others' lists as
"Record not found", and memberships ending with the follow; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from apikit import bearer, json_of, make_token, make_user, remote_actor
from test_entity_shapes import check

from fedihub import models
from fedihub.models import FollowState
from fedihub.social import lists as lists_service

NOT_FOUND = {"error": "Record not found"}


async def _new_list(client: Any, token: str, **body: Any) -> dict[str, Any]:
    return await json_of(await client.post("/api/v1/lists", json=body, headers=bearer(token)))  # type: ignore[no-any-return]


async def _members(client: Any, token: str, list_id: str, query: str = "") -> list[str]:
    body = await json_of(
        await client.get(f"/api/v1/lists/{list_id}/accounts{query}", headers=bearer(token))
    )
    return [a["username"] for a in body]


async def _add(client: Any, token: str, list_id: str, *ids: int) -> Any:
    form = [("account_ids[]", str(i)) for i in ids]
    return await client.post(f"/api/v1/lists/{list_id}/accounts", form=form, headers=bearer(token))


async def _follow(
    follower: models.Actor, target: models.Actor, state: FollowState = FollowState.ACCEPTED
) -> None:
    await models.Follow.create(follower=follower, target=target, state=state)


async def test_create_show_update_and_delete_a_list_with_mastodons_shapes_and_words(
    client: Any,
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)

    # When: a list with the defaults, and one with every field (as form fields, as Tusky sends them)
    lab = await _new_list(client, token, title="  Lab  ")
    form = {"title": "Close friends", "replies_policy": "followed", "exclusive": "true"}
    close = await json_of(await client.post("/api/v1/lists", form=form, headers=bearer(token)))

    # Then
    for entity in (lab, close):
        check("List", entity)
    assert (lab["title"], lab["replies_policy"], lab["exclusive"]) == ("Lab", "list", False)
    assert (close["replies_policy"], close["exclusive"]) == ("followed", True)
    assert await json_of(await client.get("/api/v1/lists", headers=bearer(token))) == [lab, close]
    assert (
        await json_of(await client.get(f"/api/v1/lists/{lab['id']}", headers=bearer(token))) == lab
    )

    # an update changes what it names and keeps the rest
    renamed = await json_of(
        await client.put(
            f"/api/v1/lists/{lab['id']}", json={"title": "Group"}, headers=bearer(token)
        )
    )
    assert (renamed["title"], renamed["replies_policy"], renamed["exclusive"]) == (
        "Group",
        "list",
        False,
    )
    changed = await json_of(
        await client.put(
            f"/api/v1/lists/{lab['id']}",
            json={"replies_policy": "none", "exclusive": True},
            headers=bearer(token),
        )
    )
    assert (changed["title"], changed["replies_policy"], changed["exclusive"]) == (
        "Group",
        "none",
        True,
    )

    # Mastodon's refusals, word for word
    blank = await client.put(
        f"/api/v1/lists/{lab['id']}", json={"title": " "}, headers=bearer(token)
    )
    assert await json_of(blank, 422) == {"error": "Validation failed: Title can't be blank"}
    untitled = await client.post("/api/v1/lists", json={}, headers=bearer(token))
    assert await json_of(untitled, 422) == {"error": "Validation failed: Title can't be blank"}
    policy = await client.post(
        "/api/v1/lists", json={"title": "x", "replies_policy": "all"}, headers=bearer(token)
    )
    assert await json_of(policy, 422) == {"error": "'all' is not a valid replies_policy"}

    # deleting answers {} and the list is gone
    assert (
        await json_of(await client.delete(f"/api/v1/lists/{lab['id']}", headers=bearer(token)))
        == {}
    )
    assert (
        await json_of(await client.get(f"/api/v1/lists/{lab['id']}", headers=bearer(token)), 404)
        == NOT_FOUND
    )
    assert [
        row["id"] for row in await json_of(await client.get("/api/v1/lists", headers=bearer(token)))
    ] == [close["id"]]


async def test_a_user_has_at_most_fifty_lists(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    await models.List.bulk_create(
        [
            models.List(owner_id=ada.actor_id, title=f"list {n}")
            for n in range(lists_service.MAX_LISTS)
        ]
    )
    refused = await client.post("/api/v1/lists", json={"title": "one more"}, headers=bearer(token))
    assert await json_of(refused, 422) == {
        "error": "Validation failed: You have reached the maximum number of lists"
    }


async def test_members_are_accounts_the_owner_follows_or_asked_to_follow_or_the_owner(
    client: Any,
) -> None:
    # Given: ada follows bob and dan, asked to follow zoe (pending), and does not follow cy
    ada, bob, cy, dan = [await make_user(client.app, n) for n in ("ada", "bob", "cy", "dan")]
    zoe = await remote_actor("zoe", "far.example")
    await _follow(ada.actor, bob.actor)
    await _follow(ada.actor, dan.actor)
    await _follow(ada.actor, zoe, FollowState.PENDING)
    token = await make_token(ada)
    lab = await _new_list(client, token, title="Lab")

    # When / Then: followed, requested and herself may join
    assert (
        await json_of(await _add(client, token, lab["id"], bob.actor_id, zoe.id, ada.actor_id))
        == {}
    )
    assert sorted(await _members(client, token, lab["id"])) == ["ada", "bob", "zoe"]

    # an account she does not follow makes the whole request "Record not found": dan stays out
    assert (
        await json_of(await _add(client, token, lab["id"], dan.actor_id, cy.actor_id), 404)
        == NOT_FOUND
    )
    assert await json_of(await _add(client, token, lab["id"], 123456789), 404) == NOT_FOUND
    assert "dan" not in await _members(client, token, lab["id"])

    # adding a member again is Mastodon's uniqueness error, also as JSON
    again = await client.post(
        f"/api/v1/lists/{lab['id']}/accounts",
        json={"account_ids": [str(bob.actor_id)]},
        headers=bearer(token),
    )
    assert await json_of(again, 422) == {
        "error": "Validation failed: Account has already been taken"
    }

    # removing answers {} whether or not the account was a member
    form = [
        ("account_ids[]", str(bob.actor_id)),
        ("account_ids[]", str(cy.actor_id)),
        ("account_ids[]", "x"),
    ]
    removed = await client.delete(
        f"/api/v1/lists/{lab['id']}/accounts", form=form, headers=bearer(token)
    )
    assert await json_of(removed) == {}
    assert sorted(await _members(client, token, lab["id"])) == ["ada", "zoe"]


async def test_list_members_are_paged_by_account_id_and_limit_zero_gives_all(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    others = [await make_user(client.app, n) for n in ("bob", "cy", "dan")]
    for other in others:
        await _follow(ada.actor, other.actor)
    token = await make_token(ada)
    lab = await _new_list(client, token, title="Lab")
    await json_of(await _add(client, token, lab["id"], *(o.actor_id for o in others)))
    newest_first = [o.actor.username for o in sorted(others, key=lambda u: -u.actor_id)]

    first = await client.get(f"/api/v1/lists/{lab['id']}/accounts?limit=2", headers=bearer(token))
    body = await json_of(first)
    for entity in body:
        check("Account", entity)
    assert [a["username"] for a in body] == newest_first[:2]
    link = first.headers["Link"]
    assert f"max_id={body[1]['id']}" in link and 'rel="next"' in link
    assert f"since_id={body[0]['id']}" in link and 'rel="prev"' in link
    second = await client.get(
        f"/api/v1/lists/{lab['id']}/accounts?limit=2&max_id={body[1]['id']}", headers=bearer(token)
    )
    assert [a["username"] for a in await json_of(second)] == newest_first[2:]
    assert 'rel="next"' not in second.headers["Link"]  # a short page is the last one
    assert sorted(await _members(client, token, lab["id"], "?limit=0")) == ["bob", "cy", "dan"]


async def test_an_accounts_lists_are_the_viewers_lists_holding_it(client: Any) -> None:
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    await _follow(ada.actor, bob.actor)
    await _follow(cy.actor, bob.actor)
    ada_t, cy_t = await make_token(ada), await make_token(cy)
    lab, other = (
        await _new_list(client, ada_t, title="Lab"),
        await _new_list(client, ada_t, title="Other"),
    )
    cys = await _new_list(client, cy_t, title="Cy's")
    await json_of(await _add(client, ada_t, lab["id"], bob.actor_id))
    await json_of(await _add(client, cy_t, cys["id"], bob.actor_id))

    assert await json_of(
        await client.get(f"/api/v1/accounts/{bob.actor_id}/lists", headers=bearer(ada_t))
    ) == [lab]
    assert (
        await json_of(
            await client.get(f"/api/v1/accounts/{cy.actor_id}/lists", headers=bearer(ada_t))
        )
        == []
    )
    missing = await client.get("/api/v1/accounts/987654321/lists", headers=bearer(ada_t))
    assert await json_of(missing, 404) == NOT_FOUND
    assert other["id"] != lab["id"]


async def test_another_users_list_is_not_found_whatever_is_asked(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    await _follow(bob.actor, ada.actor)
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    lab = await _new_list(client, ada_t, title="Lab")
    path = f"/api/v1/lists/{lab['id']}"
    for method, url, body in (
        ("GET", path, None),
        ("PUT", path, {"title": "mine"}),
        ("DELETE", path, None),
        ("GET", f"{path}/accounts", None),
        ("POST", f"{path}/accounts", {"account_ids": [str(ada.actor_id)]}),
        ("DELETE", f"{path}/accounts", {"account_ids": [str(ada.actor_id)]}),
        ("GET", f"/api/v1/timelines/list/{lab['id']}", None),
        ("GET", "/api/v1/lists/not-a-number", None),
        ("GET", "/api/v1/timelines/list/99999999999999999999", None),
    ):
        answer = await client.open(url, method=method, json=body, headers=bearer(bob_t))
        assert await json_of(answer, 404) == NOT_FOUND, (method, url)
    assert (await models.List.get(id=int(lab["id"]))).title == "Lab"


async def test_lists_need_read_lists_or_write_lists_scopes(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    lab = await _new_list(client, await make_token(ada), title="Lab")
    reader, writer = await make_token(ada, "read:lists"), await make_token(ada, "write:lists")
    statuses_only = await make_token(ada, "read:statuses write:statuses")
    reads = [
        "/api/v1/lists",
        f"/api/v1/lists/{lab['id']}",
        f"/api/v1/lists/{lab['id']}/accounts",
        f"/api/v1/accounts/{ada.actor_id}/lists",
        f"/api/v1/timelines/list/{lab['id']}",
    ]
    for path in reads:
        assert (await client.get(path)).status_code == 401, path
        assert (await client.get(path, headers=bearer(reader))).status_code == 200, path
        assert (await client.get(path, headers=bearer(writer))).status_code == 403, path
        assert (await client.get(path, headers=bearer(statuses_only))).status_code == 403, path
    assert (
        await client.post("/api/v1/lists", json={"title": "x"}, headers=bearer(reader))
    ).status_code == 403
    assert (
        await client.put(f"/api/v1/lists/{lab['id']}", json={"title": "y"}, headers=bearer(writer))
    ).status_code == 200
    assert (
        await client.delete(f"/api/v1/lists/{lab['id']}", headers=bearer(statuses_only))
    ).status_code == 403
    assert (
        await client.delete(f"/api/v1/lists/{lab['id']}", headers=bearer(writer))
    ).status_code == 200


async def test_unfollowing_blocking_and_a_deleted_account_end_the_membership(client: Any) -> None:
    from fedihub.inbox import dispatch
    from fedihub.web.common import RUNTIME_KEY

    # Given: ada's list holds bob, cy, remote zoe and herself
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    zoe = await remote_actor("zoe", "far.example")
    for target in (bob.actor, cy.actor, zoe):
        await _follow(ada.actor, target)
    token = await make_token(ada)
    lab = await _new_list(client, token, title="Lab")
    await json_of(
        await _add(client, token, lab["id"], bob.actor_id, cy.actor_id, zoe.id, ada.actor_id)
    )

    # When: ada unfollows bob, blocks cy, and zoe's server deletes her account
    await json_of(
        await client.post(f"/api/v1/accounts/{bob.actor_id}/unfollow", headers=bearer(token))
    )
    await json_of(await client.post(f"/api/v1/accounts/{cy.actor_id}/block", headers=bearer(token)))
    delete = {"id": f"{zoe.uri}#delete", "type": "Delete", "actor": zoe.uri, "object": zoe.uri}
    await dispatch.process(
        client.app.extensions[RUNTIME_KEY], {"activity": delete, "signer": zoe.id}
    )

    # Then: only ada herself is left, and following bob again does not bring him back
    assert await _members(client, token, lab["id"]) == ["ada"]
    await json_of(
        await client.post(f"/api/v1/accounts/{bob.actor_id}/follow", headers=bearer(token))
    )
    assert await _members(client, token, lab["id"]) == ["ada"]
    lists_of_bob = await client.get(f"/api/v1/accounts/{bob.actor_id}/lists", headers=bearer(token))
    assert await json_of(lists_of_bob) == []
