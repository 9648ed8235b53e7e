"""Grouped notifications (Mastodon 4.3's /api/v2/notifications), group keys on v1, unread counts."""

from __future__ import annotations

import re
from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status
from test_entity_shapes import check

_NEXT = re.compile(r'<([^>]+)>; rel="next"')


async def _people(client: Any, *names: str) -> dict[str, tuple[Any, str]]:
    out = {}
    for name in names:
        user = await make_user(client.app, name)
        out[name] = (user, await make_token(user))
    return out


async def _busy_ada(client: Any) -> tuple[dict[str, tuple[Any, str]], str]:
    """ada's status favourited by three, boosted by two, ada followed by two, then mentioned."""
    people = await _people(client, "ada", "bob", "cy", "dan", "eve")
    ada_token = people["ada"][1]
    sid = await post_status(client, ada_token, status="a finding")
    for name in ("bob", "cy", "dan"):
        await json_of(
            await client.post(f"/api/v1/statuses/{sid}/favourite", headers=bearer(people[name][1]))
        )
    for name in ("bob", "cy"):
        await json_of(
            await client.post(f"/api/v1/statuses/{sid}/reblog", headers=bearer(people[name][1]))
        )
    ada_id = people["ada"][0].actor.id
    for name in ("bob", "cy"):
        await json_of(
            await client.post(f"/api/v1/accounts/{ada_id}/follow", headers=bearer(people[name][1]))
        )
    await post_status(client, people["eve"][1], status="@ada have a look")
    return people, sid


async def test_groups_count_sample_and_page_like_mastodon(client: Any) -> None:
    people, sid = await _busy_ada(client)
    token = people["ada"][1]
    body = await json_of(await client.get("/api/v2/notifications", headers=bearer(token)))
    check("GroupedNotificationsResults", body)
    groups = body["notification_groups"]
    for group in groups:
        check("NotificationGroup", group)
    assert [g["type"] for g in groups] == ["mention", "follow", "reblog", "favourite"]
    counts = {g["type"]: g["notifications_count"] for g in groups}
    assert counts == {"mention": 1, "follow": 2, "reblog": 2, "favourite": 3}
    favs = groups[3]
    assert favs["group_key"].startswith(f"favourite-{sid}-") and favs["status_id"] == sid
    ids = {name: str(user.actor.id) for name, (user, _) in people.items()}
    assert favs["sample_account_ids"] == [ids["dan"], ids["cy"], ids["bob"]]
    assert groups[0]["group_key"].startswith("ungrouped-")
    assert {a["id"] for a in body["accounts"]} == {ids[n] for n in ("bob", "cy", "dan", "eve")}
    assert [s["id"] for s in body["statuses"]][-1] == sid
    assert (
        int(favs["page_min_id"]) < int(favs["page_max_id"]) == favs["most_recent_notification_id"]
    )

    # v1 carries the same keys
    v1 = await json_of(await client.get("/api/v1/notifications", headers=bearer(token)))
    assert len(v1) == 8
    assert {n["group_key"] for n in v1} == {g["group_key"] for g in groups}
    for n in v1:
        check("Notification", n)

    # grouped_types: what is not listed comes alone
    only_favs = await json_of(
        await client.get("/api/v2/notifications?grouped_types[]=favourite", headers=bearer(token))
    )
    kinds = [g["type"] for g in only_favs["notification_groups"]]
    assert (
        kinds.count("reblog") == 2 and kinds.count("follow") == 2 and kinds.count("favourite") == 1
    )

    # paging: two groups a page, the Link keeping the filters
    path = "/api/v2/notifications?limit=2&exclude_types[]=mention"
    seen: list[str] = []
    while path:
        response = await client.get(path, headers=bearer(token))
        page = await json_of(response)
        seen += [g["type"] for g in page["notification_groups"]]
        found = _NEXT.search(response.headers.get("Link", ""))
        path = ""
        if found and page["notification_groups"]:
            assert "exclude_types%5B%5D=mention" in found.group(1)
            path = found.group(1).split("://", 1)[1].partition("/")[2]
            path = "/" + path
    # as on Mastodon, a group met again further back comes again (clients merge by key)
    assert list(dict.fromkeys(seen)) == ["follow", "reblog", "favourite"]

    # forward from the oldest: min_id pages toward the newest
    oldest = min(int(n["id"]) for n in v1)
    newer = await json_of(
        await client.get(f"/api/v2/notifications?min_id={oldest}&limit=2", headers=bearer(token))
    )
    assert [g["type"] for g in newer["notification_groups"]] == ["reblog", "favourite"]

    # partial avatars: the first account in full, the others partial
    partial = await json_of(
        await client.get(
            "/api/v2/notifications?expand_accounts=partial_avatars", headers=bearer(token)
        )
    )
    check("GroupedNotificationsResults", partial)
    for one in partial["partial_accounts"]:
        check("PartialAccountWithAvatar", one)
    full_ids = {a["id"] for a in partial["accounts"]}
    assert full_ids.isdisjoint({a["id"] for a in partial["partial_accounts"]})
    bad = await client.get("/api/v2/notifications?expand_accounts=some", headers=bearer(token))
    assert bad.status_code == 422

    # one group, its accounts, dismissing it
    key = favs["group_key"]
    alone = await json_of(await client.get(f"/api/v2/notifications/{key}", headers=bearer(token)))
    check("GroupedNotificationsResults", alone)
    assert alone["notification_groups"][0]["notifications_count"] == 3
    assert "page_min_id" not in alone["notification_groups"][0]
    who = await json_of(
        await client.get(f"/api/v2/notifications/{key}/accounts", headers=bearer(token))
    )
    assert [a["id"] for a in who] == [ids["dan"], ids["cy"], ids["bob"]]
    for one in who:
        check("Account", one)
    other = people["bob"][1]
    assert (
        await client.get(f"/api/v2/notifications/{key}", headers=bearer(other))
    ).status_code == 404
    assert (
        await client.post(f"/api/v2/notifications/{key}/dismiss", headers=bearer(other))
    ).status_code == 200
    await json_of(await client.post(f"/api/v2/notifications/{key}/dismiss", headers=bearer(token)))
    assert (
        await client.get(f"/api/v2/notifications/{key}", headers=bearer(token))
    ).status_code == 404
    left = await json_of(await client.get("/api/v1/notifications", headers=bearer(token)))
    assert len(left) == 5
    mention_key = groups[0]["group_key"]
    await json_of(
        await client.post(f"/api/v2/notifications/{mention_key}/dismiss", headers=bearer(token))
    )
    assert (
        await client.get(f"/api/v2/notifications/{mention_key}", headers=bearer(token))
    ).status_code == 404
    for bogus in ("ungrouped-x", "ungrouped-99999999999999999999999", "nothing"):
        response = await client.get(f"/api/v2/notifications/{bogus}", headers=bearer(token))
        assert response.status_code == 404


async def test_unread_counts_follow_the_notifications_marker(client: Any) -> None:
    people, _ = await _busy_ada(client)
    token = people["ada"][1]

    async def counts(query: str = "") -> tuple[int, int]:
        v1 = await json_of(
            await client.get(f"/api/v1/notifications/unread_count{query}", headers=bearer(token))
        )
        v2 = await json_of(
            await client.get(f"/api/v2/notifications/unread_count{query}", headers=bearer(token))
        )
        return v1["count"], v2["count"]

    assert await counts() == (8, 4)
    assert await counts("?limit=3") == (3, 3)
    assert await counts("?types[]=favourite") == (3, 1)
    assert await counts("?grouped_types[]=follow") == (8, 7)
    v1 = await json_of(await client.get("/api/v1/notifications", headers=bearer(token)))
    # read up to the follows: the mention and the second follow remain
    marker = sorted(int(n["id"]) for n in v1)[-3]
    await json_of(
        await client.post(
            "/api/v1/markers",
            json={"notifications": {"last_read_id": str(marker)}},
            headers=bearer(token),
        )
    )
    assert await counts() == (2, 2)
    assert (await client.get("/api/v1/notifications/unread_count")).status_code == 401
