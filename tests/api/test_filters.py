"""Filters v2: a user's filters with keywords and statuses, applied in the timelines of their
contexts: `warn` marks statuses with `filtered`, `hide` leaves them out; expired filters and
other contexts do nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status
from test_entity_shapes import check

from fedihub import models


async def _home(client: Any, token: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = await json_of(
        await client.get("/api/v1/timelines/home", headers=bearer(token))
    )
    return got


async def test_keyword_and_status_filters_warn_and_hide_in_their_contexts(
    app: Any, client: Any
) -> None:
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    cats = await post_status(client, token, status="My cat sleeps")
    dogs = await post_status(client, token, status="Dogs bark at catalogues")
    plain = await post_status(client, token, status="Nothing to see")

    warn = await json_of(
        await client.post(
            "/api/v2/filters",
            json={
                "title": "Cats",
                "context": ["home"],
                "filter_action": "warn",
                "keywords_attributes": [{"keyword": "cat", "whole_word": True}],
            },
            headers=bearer(token),
        )
    )
    check("Filter", warn)
    assert [k["keyword"] for k in warn["keywords"]] == ["cat"]

    home = {s["id"]: s for s in await _home(client, token)}
    assert set(home) == {cats, dogs, plain}
    (result,) = home[cats]["filtered"]
    check("FilterResult", result)
    assert result["filter"]["title"] == "Cats" and result["keyword_matches"] == ["cat"]
    assert home[dogs]["filtered"] == []  # "catalogues" is not the whole word
    # not in the public context
    public = await json_of(await client.get("/api/v1/timelines/public", headers=bearer(token)))
    assert all(s["filtered"] == [] for s in public)

    hide = await json_of(
        await client.post(
            "/api/v2/filters",
            json={"title": "Quiet", "context": ["home", "public"], "filter_action": "hide"},
            headers=bearer(token),
        )
    )
    status_row = await json_of(
        await client.post(
            f"/api/v2/filters/{hide['id']}/statuses",
            json={"status_id": plain},
            headers=bearer(token),
        )
    )
    check("FilterStatus", status_row)
    assert plain not in {s["id"] for s in await _home(client, token)}

    # a keyword added later; whole_word off reaches inside words
    keyword = await json_of(
        await client.post(
            f"/api/v2/filters/{hide['id']}/keywords",
            json={"keyword": "bark", "whole_word": False},
            headers=bearer(token),
        )
    )
    check("FilterKeyword", keyword)
    assert {s["id"] for s in await _home(client, token)} == {cats}

    # taken away again, and an expired filter does nothing
    await json_of(
        await client.delete(f"/api/v2/filters/keywords/{keyword['id']}", headers=bearer(token))
    )
    await json_of(
        await client.delete(f"/api/v2/filters/statuses/{status_row['id']}", headers=bearer(token))
    )
    assert {s["id"] for s in await _home(client, token)} == {cats, dogs, plain}
    await models.Filter.filter(id=int(warn["id"])).update(
        expires_at=datetime(2001, 1, 1, tzinfo=UTC)
    )
    assert all(s["filtered"] == [] for s in await _home(client, token))

    listed = await json_of(await client.get("/api/v2/filters", headers=bearer(token)))
    assert [f["title"] for f in listed] == ["Cats", "Quiet"]
    changed = await json_of(
        await client.put(
            f"/api/v2/filters/{hide['id']}",
            json={
                "title": "Calm",
                "keywords_attributes": [{"keyword": "noise"}],
            },
            headers=bearer(token),
        )
    )
    assert changed["title"] == "Calm" and [k["keyword"] for k in changed["keywords"]] == ["noise"]
    await json_of(await client.delete(f"/api/v2/filters/{hide['id']}", headers=bearer(token)))
    assert not await models.FilterKeyword.filter(parent_id=int(hide["id"])).exists()


async def test_filters_are_their_owners_own(app: Any, client: Any) -> None:
    ada, kim = await make_user(app, "ada"), await make_user(app, "kim")
    ada_token, kim_token = await make_token(ada), await make_token(kim)
    made = await json_of(
        await client.post(
            "/api/v2/filters",
            json={"title": "Mine", "context": ["home"]},
            headers=bearer(ada_token),
        )
    )
    for method in ("GET", "PUT", "DELETE"):
        answer = await client.open(
            f"/api/v2/filters/{made['id']}", method=method, headers=bearer(kim_token)
        )
        assert answer.status_code == 404
    bad = await client.post(
        "/api/v2/filters",
        json={"title": "Bad", "context": ["everywhere"]},
        headers=bearer(ada_token),
    )
    assert bad.status_code == 422


async def test_filters_apply_in_threads_and_notifications(app: Any, client: Any) -> None:
    ada, kim = await make_user(app, "ada"), await make_user(app, "kim")
    ada_token, kim_token = await make_token(ada), await make_token(kim)
    root = await post_status(client, ada_token, status="A question about spoilers")
    await post_status(client, kim_token, status="@ada the spoilers are here", in_reply_to_id=root)
    await json_of(
        await client.post(
            "/api/v2/filters",
            json={
                "title": "Spoilers",
                "context": ["thread", "notifications"],
                "filter_action": "hide",
                "keywords_attributes": [{"keyword": "spoilers"}],
            },
            headers=bearer(ada_token),
        )
    )
    thread = await json_of(
        await client.get(f"/api/v1/statuses/{root}/context", headers=bearer(ada_token))
    )
    assert thread["descendants"] == []
    notes = await json_of(await client.get("/api/v1/notifications", headers=bearer(ada_token)))
    assert notes == []
    # kim has no filter: the thread is whole for her
    theirs = await json_of(
        await client.get(f"/api/v1/statuses/{root}/context", headers=bearer(kim_token))
    )
    assert len(theirs["descendants"]) == 1


async def test_grouped_notifications_obey_the_notifications_filters(app: Any, client: Any) -> None:
    ada, kim = await make_user(app, "ada"), await make_user(app, "kim")
    ada_token, kim_token = await make_token(ada), await make_token(kim)
    await post_status(client, kim_token, status="@ada the spoilers are here")
    await post_status(client, kim_token, status="@ada lunch at noon?")
    made = await json_of(
        await client.post(
            "/api/v2/filters",
            json={
                "title": "Spoilers",
                "context": ["notifications"],
                "filter_action": "hide",
                "keywords_attributes": [{"keyword": "spoilers"}],
            },
            headers=bearer(ada_token),
        )
    )

    async def grouped() -> dict[str, Any]:
        got: dict[str, Any] = await json_of(
            await client.get("/api/v2/notifications", headers=bearer(ada_token))
        )
        return got

    hidden = await grouped()
    assert len(hidden["statuses"]) == 1 and "lunch" in hidden["statuses"][0]["content"]
    assert len(hidden["notification_groups"]) == 1  # the spoiler's mention is left out
    assert hidden["statuses"][0]["filtered"] == []

    await json_of(
        await client.put(
            f"/api/v2/filters/{made['id']}",
            json={"filter_action": "warn"},
            headers=bearer(ada_token),
        )
    )
    warned = await grouped()
    assert len(warned["notification_groups"]) == 2
    marked = [s for s in warned["statuses"] if "spoilers" in s["content"]]
    assert len(marked) == 1 and marked[0]["filtered"][0]["filter"]["title"] == "Spoilers"
    assert marked[0]["filtered"][0]["keyword_matches"] == ["spoilers"]
