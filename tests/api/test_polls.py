"""Polls through the Mastodon API: posting one with a status (Mastodon's limits and words), the
Poll entity on statuses and at /api/v1/polls/:id, votes and their refusals, hidden totals, polls
of statuses one may not see, the end of a poll (a `poll` notification, once), the Question a
local poll is federated as, and a scheduled status that carries a poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import bearer, json_of, make_token, make_user
from test_entity_shapes import check

from fedihub import models
from fedihub.social import polls
from fedihub.web.common import RUNTIME_KEY

AS = "application/activity+json"


async def _post(client: Any, token: str, **body: Any) -> Any:
    return await client.post("/api/v1/statuses", json=body, headers=bearer(token))


def _poll(*options: str, **extra: Any) -> dict[str, Any]:
    return {"options": list(options), "expires_in": 3600, **extra}


async def test_a_status_with_a_poll_votes_and_the_entity(client: Any) -> None:
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    ada_t, bob_t, cy_t = [await make_token(u) for u in (ada, bob, cy)]
    status = await json_of(
        await _post(client, ada_t, status="Tea or coffee?", poll=_poll("tea", "coffee"))
    )
    check("Status", status)
    poll = status["poll"]
    check("Poll", poll)
    assert [o["title"] for o in poll["options"]] == ["tea", "coffee"]
    assert poll["voted"] is True and poll["own_votes"] == [] and not poll["multiple"]
    assert poll["votes_count"] == 0 and poll["expired"] is False
    ends = datetime.fromisoformat(poll["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < ends - datetime.now(UTC) <= timedelta(hours=1)

    history = await json_of(await client.get(f"/api/v1/statuses/{status['id']}/history"))
    check("StatusEdit", history[0])
    assert history[0]["poll"] == {"options": [{"title": "tea"}, {"title": "coffee"}]}

    anonymous = await json_of(await client.get(f"/api/v1/polls/{poll['id']}"))
    check("Poll", anonymous)
    assert "voted" not in anonymous and "own_votes" not in anonymous

    voted = await json_of(
        await client.post(
            f"/api/v1/polls/{poll['id']}/votes", json={"choices": ["1"]}, headers=bearer(bob_t)
        )
    )
    check("Poll", voted)
    assert voted["voted"] and voted["own_votes"] == [1]
    assert [o["votes_count"] for o in voted["options"]] == [0, 1] and voted["voters_count"] == 1
    # form-encoded, as many apps send it
    form = await client.post(
        f"/api/v1/polls/{poll['id']}/votes", form={"choices[]": "0"}, headers=bearer(cy_t)
    )
    assert (await json_of(form))["votes_count"] == 2

    async def refused(
        token: str, choices: list[Any], words: str, poll_id: str = poll["id"]
    ) -> None:
        answer = await client.post(
            f"/api/v1/polls/{poll_id}/votes", json={"choices": choices}, headers=bearer(token)
        )
        assert answer.status_code == 422, await answer.get_data()
        assert (await answer.get_json())["error"] == f"Validation failed: {words}"

    await refused(bob_t, [0], polls.ALREADY_VOTED)
    await refused(ada_t, [0], polls.SELF_VOTE)
    dan_t = await make_token(await make_user(client.app, "dan"))
    await refused(dan_t, [2], polls.INVALID_CHOICE)
    await refused(dan_t, ["x"], polls.INVALID_CHOICE)
    await refused(dan_t, [0, 1], polls.ALREADY_VOTED)  # two choices on a single-choice poll
    shown = await json_of(
        await client.get(f"/api/v1/statuses/{status['id']}", headers=bearer(bob_t))
    )
    assert shown["poll"]["own_votes"] == [1]

    await models.Poll.filter(id=int(poll["id"])).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    await refused(dan_t, [0], polls.EXPIRED)
    assert (await json_of(await client.get(f"/api/v1/polls/{poll['id']}")))["expired"] is True


async def test_multiple_choice_and_hidden_totals(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    made = await json_of(
        await _post(
            client,
            ada_t,
            status="Which?",
            poll=_poll("a", "b", "c", multiple=True, hide_totals=True),
        )
    )
    poll_id = made["poll"]["id"]
    voted = await json_of(
        await client.post(
            f"/api/v1/polls/{poll_id}/votes", json={"choices": [0, 2]}, headers=bearer(bob_t)
        )
    )
    check("Poll", voted)
    assert voted["multiple"] and voted["own_votes"] == [0, 2]
    assert voted["votes_count"] == 2 and voted["voters_count"] == 1
    assert [o["votes_count"] for o in voted["options"]] == [None, None, None]
    mine = await json_of(await client.get(f"/api/v1/polls/{poll_id}", headers=bearer(ada_t)))
    assert [o["votes_count"] for o in mine["options"]] == [1, 0, 1]


async def test_mastodons_limits_and_words(client: Any) -> None:
    token = await make_token(await make_user(client.app, "ada"))
    cases = [
        (_poll("only"), "Poll options must have more than one item"),
        (_poll("a", "b", "c", "d", "e"), "Poll options can't contain more than 4 items"),
        (_poll("a", "b" * 51), "Poll options cannot be longer than 50 characters each"),
        (_poll("a", "a"), "Poll options contain duplicate items"),
        ({"options": ["a", "b"], "expires_in": 299}, "Poll expires at is too soon"),
        (
            {"options": ["a", "b"], "expires_in": 2_629_747},
            "Poll expires at is too far into the future",
        ),
        ({"options": ["a", "b"]}, "Poll expires at is too far into the future"),
    ]
    for poll, words in cases:
        answer = await _post(client, token, status="q", poll=poll)
        assert answer.status_code == 422, (poll, await answer.get_data())
        assert (await answer.get_json())["error"] == f"Validation failed: {words}"
    assert await models.Status.all().count() == 0
    # as a form, the way Tusky and Mastodon.py's form mode send it
    form = await client.post(
        "/api/v1/statuses",
        data="status=form+poll&poll[options][]=x&poll[options][]=y&poll[expires_in]=600"
        "&poll[multiple]=true",
        headers={**bearer(token), "Content-Type": "application/x-www-form-urlencoded"},
    )
    made = await json_of(form)
    assert [o["title"] for o in made["poll"]["options"]] == ["x", "y"] and made["poll"]["multiple"]


async def test_a_poll_of_a_status_one_may_not_see_is_not_found(client: Any) -> None:
    ada, out = await make_user(client.app, "ada"), await make_user(client.app, "out")
    ada_t, out_t = await make_token(ada), await make_token(out)
    made = await json_of(
        await _post(
            client, ada_t, status="followers only", visibility="private", poll=_poll("a", "b")
        )
    )
    poll_id = made["poll"]["id"]
    assert (await client.get(f"/api/v1/polls/{poll_id}", headers=bearer(out_t))).status_code == 404
    assert (await client.get(f"/api/v1/polls/{poll_id}")).status_code == 404
    vote = await client.post(
        f"/api/v1/polls/{poll_id}/votes", json={"choices": [0]}, headers=bearer(out_t)
    )
    assert vote.status_code == 404
    assert (await client.get("/api/v1/polls/999999", headers=bearer(ada_t))).status_code == 404
    await client.delete(f"/api/v1/statuses/{made['id']}", headers=bearer(ada_t))
    assert (await client.get(f"/api/v1/polls/{poll_id}", headers=bearer(ada_t))).status_code == 404


async def test_the_end_of_a_poll_notifies_voters_and_author_once(client: Any) -> None:
    rt = client.app.extensions[RUNTIME_KEY]
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    made = await json_of(await _post(client, ada_t, status="Vote!", poll=_poll("yes", "no")))
    poll_id = made["poll"]["id"]
    await json_of(
        await client.post(
            f"/api/v1/polls/{poll_id}/votes", json={"choices": [0]}, headers=bearer(bob_t)
        )
    )
    await polls.close_ended(rt)
    assert not await models.Notification.filter(kind="poll").exists()  # not ended yet
    await models.Poll.filter(id=int(poll_id)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    await polls.close_ended(rt)
    await polls.close_ended(rt)
    for token in (ada_t, bob_t):
        notes = await json_of(
            await client.get("/api/v1/notifications?types[]=poll", headers=bearer(token))
        )
        assert [n["type"] for n in notes] == ["poll"], notes
        check("Notification", notes[0])
        assert notes[0]["status"]["poll"]["expired"] and notes[0]["account"]["username"] == "ada"


async def test_a_local_poll_is_federated_as_a_question(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    one = await json_of(await _post(client, ada_t, status="One", poll=_poll("a", "b")))
    anyof = await json_of(
        await _post(client, ada_t, status="Any", poll=_poll("x", "y", multiple=True))
    )
    await client.post(
        f"/api/v1/polls/{one['poll']['id']}/votes", json={"choices": [1]}, headers=bearer(bob_t)
    )
    doc = await json_of(
        await client.get(f"/users/ada/statuses/{one['id']}", headers={"Accept": AS})
    )
    assert doc["type"] == "Question" and "anyOf" not in doc and "closed" not in doc
    assert doc["oneOf"] == [
        {"type": "Note", "name": "a", "replies": {"type": "Collection", "totalItems": 0}},
        {"type": "Note", "name": "b", "replies": {"type": "Collection", "totalItems": 1}},
    ]
    assert doc["votersCount"] == 1 and doc["endTime"] == one["poll"]["expires_at"][:19] + "Z"
    multi = await json_of(
        await client.get(f"/users/ada/statuses/{anyof['id']}", headers={"Accept": AS})
    )
    assert [o["name"] for o in multi["anyOf"]] == ["x", "y"] and "oneOf" not in multi
    await models.Poll.filter(id=int(one["poll"]["id"])).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    closed = await json_of(
        await client.get(f"/users/ada/statuses/{one['id']}", headers={"Accept": AS})
    )
    assert closed["closed"] == closed["endTime"]


async def test_a_scheduled_status_keeps_its_poll(client: Any) -> None:
    token = await make_token(await make_user(client.app, "ada"))
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = await json_of(
        await _post(client, token, status="later", scheduled_at=at, poll=_poll("a", "b"))
    )
    check("ScheduledStatus", body)
    assert body["params"]["poll"] == {
        "options": ["a", "b"],
        "expires_in": 3600,
        "multiple": False,
        "hide_totals": False,
    }
    bad = await _post(client, token, status="later", scheduled_at=at, poll=_poll("a"))
    assert bad.status_code == 422


async def test_an_edit_carries_the_poll_as_on_mastodon(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    made = await json_of(await _post(client, ada_t, status="Q", poll=_poll("a", "b")))
    path = f"/api/v1/statuses/{made['id']}"
    await json_of(
        await client.post(
            f"/api/v1/polls/{made['poll']['id']}/votes",
            json={"choices": [0]},
            headers=bearer(bob_t),
        )
    )

    async def edit(**body: Any) -> Any:
        return await json_of(
            await client.put(path, json={"status": "Q!", **body}, headers=bearer(ada_t))
        )

    same = await edit(poll=_poll("a", "b", hide_totals=True))  # same options: votes kept
    assert same["poll"]["votes_count"] == 1 and same["poll"]["id"] == made["poll"]["id"]
    changed = await edit(poll=_poll("a", "b", "c"))  # other options: the poll starts over
    assert changed["poll"]["votes_count"] == 0 and len(changed["poll"]["options"]) == 3
    mine = await json_of(await client.get(path, headers=bearer(bob_t)))
    assert mine["poll"]["own_votes"] == [] and mine["poll"]["voted"] is False
    doc = await json_of(
        await client.get(f"/users/ada/statuses/{made['id']}", headers={"Accept": AS})
    )
    assert doc["type"] == "Question" and len(doc["oneOf"]) == 3
    gone = await edit()  # no poll: removed, as Mastodon's edit does
    assert gone["poll"] is None
    assert (await client.get(f"/api/v1/polls/{made['poll']['id']}")).status_code == 404
    doc = await json_of(
        await client.get(f"/users/ada/statuses/{made['id']}", headers={"Accept": AS})
    )
    assert doc["type"] == "Note" and "oneOf" not in doc
    back = await edit(poll=_poll("x", "y"))
    assert [o["title"] for o in back["poll"]["options"]] == ["x", "y"]
    bad = await client.put(path, json={"status": "Q", "poll": _poll("x")}, headers=bearer(ada_t))
    assert bad.status_code == 422
