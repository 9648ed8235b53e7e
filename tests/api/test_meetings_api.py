"""Meetings through /api/fedihub/v1 on the project's node: a member schedules one with a room on
the configured Jitsi, the Event goes to members on other nodes with the room and Mobilizon's
fields, members hear of it (and of a move and a cancellation) in a direct message, outsiders
see nothing, bad input names its field, each member's calendar feed lists her meetings at a
secret URL, and the answers match fedihub/meetings/openapi.py."""

from __future__ import annotations

import dataclasses
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from apikit import bearer, json_of, make_token, make_user, remote_actor

from fedihub import config, models
from fedihub.errors import Forbidden
from fedihub.meetings.openapi import PATHS, SCHEMAS
from fedihub.web.common import RUNTIME_KEY

P = "/api/fedihub/v1/projects"
M = "/api/fedihub/v1/meetings"
JITSI = "https://meet.example.org"
MASTODON = Path(__file__).resolve().parent.parent / "fixtures" / "mastodon-openapi.json"
_RULE = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def settings(settings: config.Settings) -> config.Settings:
    return dataclasses.replace(settings, jitsi_url=JITSI)


@cache
def _components() -> dict[str, Any]:
    mastodon = json.loads(MASTODON.read_text(encoding="utf-8"))["components"]
    return {"schemas": {**mastodon["schemas"], **SCHEMAS}}


def _check(path: str, method: str, value: Any) -> None:
    schema = PATHS[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(
        {**schema, "components": _components()}, format_checker=jsonschema.FormatChecker()
    ).validate(value)


async def _sent(group: models.Actor) -> list[dict[str, Any]]:
    rows = await models.OutboxActivity.filter(actor_id=group.id).order_by("id")
    return [json.loads(r.body) for r in rows]


async def _mentions(client: Any, who: dict[str, str]) -> list[str]:
    notes = await json_of(await client.get("/api/v1/notifications", headers=who))
    return [n["status"]["content"] for n in notes if n["type"] == "mention"]


async def _world(app: Any) -> dict[str, Any]:
    client = app.test_client()
    ada, bob, eve = [await make_user(app, n) for n in ("ada", "bob", "eve")]
    heads = [bearer(await make_token(u)) for u in (ada, bob, eve)]
    project = await json_of(
        await client.post(P, json={"handle": "graphene", "name": "Graphene"}, headers=heads[0])
    )
    await models.ProjectMember.create(project_id=int(project["id"]), actor=bob.actor)
    rita = await remote_actor("rita", "b.example", shared_inbox="https://b.example/inbox")
    await models.ProjectMember.create(project_id=int(project["id"]), actor=rita)
    return {
        "client": client,
        "ada": ada,
        "bob": bob,
        "rita": rita,
        "ada_h": heads[0],
        "bob_h": heads[1],
        "eve_h": heads[2],
        "project": project,
        "group": await models.Actor.get(uri=project["uri"]),
    }


async def test_a_meeting_is_scheduled_moved_and_cancelled_for_every_member(app: Any) -> None:
    w = await _world(app)
    client, project = w["client"], w["project"]

    # Given ada schedules a meeting in Berlin time
    made = await json_of(
        await client.post(
            f"{P}/{project['id']}/meetings",
            json={
                "title": "Weekly sync",
                "description": "Agenda: figures",
                "start_time": "2026-03-02T15:00",
                "end_time": "2026-03-02T16:00",
                "timezone": "Europe/Berlin",
            },
            headers=w["ada_h"],
        )
    )
    # Then it is stored in UTC with its zone, with an unguessable Jitsi room
    assert made["start_time"] == "2026-03-02T14:00:00.000Z"
    assert made["end_time"] == "2026-03-02T15:00:00.000Z"
    assert made["timezone"] == "Europe/Berlin" and made["status"] == "scheduled"
    room = made["room"]["url"]
    assert made["room"]["engine"] == "jitsi" and room.startswith(f"{JITSI}/fedihub-")
    assert len(room.rsplit("/", 1)[1]) >= 32
    assert made["organizer"]["id"] == str(w["ada"].actor.id)

    # And the Event goes to the member on another node, owned by the Group, with the room
    sent = await _sent(w["group"])
    create = next(a for a in sent if a["type"] == "Create" and a["object"]["type"] == "Event")
    event = create["object"]
    assert create["actor"] == project["uri"] and event["audience"] == project["uri"]
    assert event["attributedTo"] == w["ada"].actor.uri
    assert event["name"] == "Weekly sync" and event["timezone"] == "Europe/Berlin"
    assert event["startTime"].startswith("2026-03-02T14:00:00")
    assert event["eventStatus"] == "EventScheduled" and event["ical:status"] == "CONFIRMED"
    assert event["location"] == {"type": "VirtualLocation", "name": "Jitsi Meet", "url": room}
    assert {"type": "PropertyValue", "propertyID": "mz:visio:jitsi_meet", "value": room} in event[
        "attachment"
    ]
    assert room not in event["summary"]
    assert "https://www.w3.org/ns/activitystreams#Public" not in json.dumps(create)
    # a direct message to rita (what a Mastodon member reads), with the room
    dm = next(a for a in sent if a["type"] == "Create" and a["object"]["type"] == "Note")
    assert dm["to"] == [w["rita"].uri] and "Weekly sync" in dm["object"]["content"]
    # And bob (a local member) is notified; ada (who scheduled it) is not
    assert any(
        "Meeting scheduled" in c and "Weekly sync" in c for c in await _mentions(client, w["bob_h"])
    )
    assert not await _mentions(client, w["ada_h"])

    # members see it; an outsider neither sees nor schedules
    mine = await json_of(await client.get(M, headers=w["bob_h"]))
    assert [m["id"] for m in mine] == [made["id"]] and mine[0]["room"]["url"] == room
    assert (await client.get(f"{M}/{made['id']}", headers=w["eve_h"])).status_code == 404
    assert await json_of(await client.get(M, headers=w["eve_h"])) == []
    refused = await client.post(
        f"{P}/{project['id']}/meetings",
        json={"title": "x", "start_time": "2026-03-02T15:00", "end_time": "2026-03-02T16:00"},
        headers=w["eve_h"],
    )
    assert refused.status_code == 403
    # a plain member may not move someone else's meeting
    moved_by_bob = await client.patch(
        f"{M}/{made['id']}", json={"start_time": "2026-03-03T15:00"}, headers=w["bob_h"]
    )
    assert moved_by_bob.status_code == 403

    # When ada moves it, an Update says so and members hear of it
    moved = await json_of(
        await client.patch(
            f"{M}/{made['id']}",
            json={"start_time": "2026-03-03T15:00", "end_time": "2026-03-03T16:30"},
            headers=w["ada_h"],
        )
    )
    assert moved["start_time"] == "2026-03-03T14:00:00.000Z"
    assert moved["previous_start_time"] == "2026-03-02T14:00:00.000Z"
    update = [a for a in await _sent(w["group"]) if a["type"] == "Update"][-1]
    assert update["object"]["eventStatus"] == "EventRescheduled"
    assert update["object"]["previousStartTime"].startswith("2026-03-02T14:00:00")
    assert any("Meeting moved" in c for c in await _mentions(client, w["bob_h"]))

    # When she cancels it, it stays, cancelled, and the cancellation federates
    cancelled = await json_of(await client.delete(f"{M}/{made['id']}", headers=w["ada_h"]))
    assert cancelled["status"] == "cancelled"
    update = [a for a in await _sent(w["group"]) if a["type"] == "Update"][-1]
    assert update["object"]["eventStatus"] == "EventCancelled"
    assert update["object"]["ical:status"] == "CANCELLED"
    assert any("Meeting cancelled" in c for c in await _mentions(client, w["bob_h"]))

    # from/to select by time
    window = f"{M}?from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z"
    assert len(await json_of(await client.get(window, headers=w["bob_h"]))) == 1
    later = f"{M}?from=2026-04-01T00:00:00Z"
    assert await json_of(await client.get(later, headers=w["bob_h"])) == []


async def test_bad_meetings_get_a_422_naming_the_field(app: Any) -> None:
    w = await _world(app)
    client, url = w["client"], f"{P}/{w['project']['id']}/meetings"
    good = {"title": "Sync", "start_time": "2026-03-02T15:00", "end_time": "2026-03-02T16:00"}
    for change, field in (
        ({"end_time": "2026-03-02T14:00"}, "end_time"),
        ({"end_time": "2026-03-02T15:00"}, "end_time"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"start_time": "next tuesday"}, "start_time"),
        ({"end_time": "2026-03-12T16:00"}, "end_time"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
    ):
        body = {k: v for k, v in {**good, **change}.items() if v is not None}
        answer = await client.post(url, json=body, headers=w["ada_h"])
        assert answer.status_code == 422, (change, await answer.get_data())
        assert field in (await answer.get_json())["error"], change
    assert await models.Meeting.all().count() == 0
    bad_window = await client.get(f"{M}?from=soon", headers=w["ada_h"])
    assert bad_window.status_code == 422 and "from" in (await bad_window.get_json())["error"]
    assert (await client.get(f"{M}/12345", headers=w["ada_h"])).status_code == 404
    assert (await client.get(M)).status_code == 401


async def test_the_calendar_feed_is_rfc_5545_at_a_secret_url_that_can_be_reset(app: Any) -> None:
    w = await _world(app)
    client = w["client"]
    title = "Kick-off; budget, plans — " + "long title " * 8
    made = await json_of(
        await client.post(
            f"{P}/{w['project']['id']}/meetings",
            json={
                "title": title.strip(),
                "description": "line one\nline two",
                "start_time": "2026-03-02T15:00:00+01:00",
                "end_time": "2026-03-02T16:00:00+01:00",
                "timezone": "Europe/Berlin",
            },
            headers=w["ada_h"],
        )
    )
    feed_url = (await json_of(await client.get(f"{M}/calendar", headers=w["bob_h"])))["url"]
    assert feed_url.startswith("https://fedihub.test/meetings/calendar/")
    path = feed_url.removeprefix("https://fedihub.test")
    answer = await client.get(path)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/calendar")
    body = (await answer.get_data()).decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert f"UID:{made['uri']}\r\n" in unfolded
    assert "DTSTART:20260302T140000Z\r\n" in unfolded
    assert "DTEND:20260302T150000Z\r\n" in unfolded
    assert "DTSTAMP:" in unfolded and "STATUS:CONFIRMED" in unfolded
    assert "SUMMARY:Kick-off\\; budget\\, plans — long title" in unfolded
    assert "DESCRIPTION:line one\\nline two" in unfolded
    assert made["room"]["url"] in unfolded

    # a cancelled meeting says so
    await json_of(await client.delete(f"{M}/{made['id']}", headers=w["ada_h"]))
    body = (await (await client.get(path)).get_data()).decode("utf-8").replace("\r\n ", "")
    assert "STATUS:CANCELLED" in body and "SEQUENCE:1" in body

    # an outsider's feed is empty; a reset closes the old URL
    eve_url = (await json_of(await client.get(f"{M}/calendar", headers=w["eve_h"])))["url"]
    eve_body = await (await client.get(eve_url.removeprefix("https://fedihub.test"))).get_data()
    assert b"BEGIN:VEVENT" not in eve_body
    fresh = (await json_of(await client.post(f"{M}/calendar/reset", headers=w["bob_h"])))["url"]
    assert fresh != feed_url
    assert (await client.get(path)).status_code == 404
    assert (await client.get(fresh.removeprefix("https://fedihub.test"))).status_code == 200
    assert (await client.get("/meetings/calendar/guess.ics")).status_code == 404


async def test_the_event_is_not_served_to_an_unsigned_fetch(app: Any) -> None:
    w = await _world(app)
    client = w["client"]
    made = await json_of(
        await client.post(
            f"{P}/{w['project']['id']}/meetings",
            json={"title": "S", "start_time": "2026-03-02T15:00", "end_time": "2026-03-02T16:00"},
            headers=w["ada_h"],
        )
    )
    path = made["uri"].removeprefix("https://fedihub.test")
    answer = await client.get(path, headers={"Accept": "application/activity+json"})
    assert answer.status_code == 404
    assert made["room"]["url"].encode() not in await answer.get_data()


def test_every_meetings_route_is_described(app: Any) -> None:
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/fedihub/v1/") or "meetings" not in rule.rule:
            continue
        path = _RULE.sub(
            lambda m: "{id}" if m.group(1) == "raw_id" else "{" + m.group(1) + "}", rule.rule
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    assert served == {(path, method) for path, item in PATHS.items() for method in item}


async def test_answers_validate_against_the_fragment(app: Any) -> None:
    w = await _world(app)
    client = w["client"]
    one = f"{M}/{{id}}"
    made = await json_of(
        await client.post(
            f"{P}/{w['project']['id']}/meetings",
            json={"title": "S", "start_time": "2026-03-02T15:00", "end_time": "2026-03-02T16:00"},
            headers=w["ada_h"],
        )
    )
    _check(f"{P}/{{id}}/meetings", "post", made)
    calls = [
        ("get", f"{P}/{w['project']['id']}/meetings", f"{P}/{{id}}/meetings", None),
        ("get", M, M, None),
        ("get", f"{M}/{made['id']}", one, None),
        ("patch", f"{M}/{made['id']}", one, {"title": "T"}),
        ("get", f"{M}/calendar", f"{M}/calendar", None),
        ("post", f"{M}/calendar/reset", f"{M}/calendar/reset", None),
        ("delete", f"{M}/{made['id']}", one, None),
    ]
    for method, path, described, body in calls:
        answer = await client.open(path, method=method.upper(), json=body, headers=w["ada_h"])
        _check(described, method, await json_of(answer))


async def test_without_a_video_engine_a_meeting_has_no_room(
    app: Any, settings: config.Settings
) -> None:
    app.extensions[RUNTIME_KEY].settings = dataclasses.replace(settings, jitsi_url="")
    w = await _world(app)
    made = await json_of(
        await w["client"].post(
            f"{P}/{w['project']['id']}/meetings",
            json={"title": "S", "start_time": "2026-03-02T15:00", "end_time": "2026-03-02T16:00"},
            headers=w["ada_h"],
        )
    )
    assert made["room"] is None
    event = next(a for a in await _sent(w["group"]) if a["type"] == "Create")["object"]
    assert "location" not in event and event["isOnline"] is False


def _inbound(kind: str, actor: models.Actor, obj: Any) -> Any:
    from fedihub.activitypub import parse

    return parse.activity(
        {
            "id": f"{actor.uri}/activities/{kind.lower()}/{abs(hash(json.dumps(obj)))}",
            "type": kind,
            "actor": actor.uri,
            "object": obj,
        }
    )


async def test_a_remote_projects_event_is_kept_for_its_members_here_and_a_forgery_is_not(
    app: Any,
) -> None:
    rt = app.extensions[RUNTIME_KEY]
    handlers = rt.wiring.inbox_handlers
    bob = await make_user(app, "bob")
    bob_h = bearer(await make_token(bob))
    group = await remote_actor("lab", "a.example", actor_type="Group")
    project = await models.Project.create(actor=group, local=False, name="Lab")
    await models.ProjectMember.create(project=project, actor=bob.actor)
    organizer = await remote_actor("ada", "a.example")
    event = {
        "id": "https://a.example/projects/lab/meetings/7",
        "type": "Event",
        "name": "Sync",
        "content": "Agenda",
        "startTime": "2026-03-02T14:00:00Z",
        "endTime": "2026-03-02T15:00:00Z",
        "timezone": "Europe/Berlin",
        "eventStatus": "EventScheduled",
        "attributedTo": organizer.uri,
        "audience": group.uri,
        "to": ["https://a.example/projects/lab/members"],
        "location": {"type": "VirtualLocation", "name": "Jitsi Meet", "url": f"{JITSI}/r1"},
    }
    # the whole Create chain runs: social leaves the Event alone, meetings keep it
    await handlers["Create"](rt, group, _inbound("Create", group, event))
    client = app.test_client()
    mine = await json_of(await client.get(M, headers=bob_h))
    assert [(m["title"], m["room"]["url"]) for m in mine] == [("Sync", f"{JITSI}/r1")]
    assert mine[0]["organizer"]["id"] == str(organizer.id)
    assert not await models.Status.filter(uri=event["id"]).exists()

    cancelled = {**event, "eventStatus": "EventCancelled"}
    await handlers["Update"](rt, group, _inbound("Update", group, cancelled))
    assert (await json_of(await client.get(M, headers=bob_h)))[0]["status"] == "cancelled"

    # another project may not speak for this one's meetings
    other = await remote_actor("other", "c.example", actor_type="Group")
    await models.Project.create(actor=other, local=False, name="Other")
    forged = {**event, "audience": other.uri, "name": "Forged"}
    with pytest.raises(Forbidden):
        await handlers["Update"](rt, other, _inbound("Update", other, forged))
    assert (await models.Meeting.get(uri=event["id"])).title == "Sync"


async def test_a_join_of_a_meeting_is_answered_ignore(app: Any) -> None:
    w = await _world(app)
    rt = app.extensions[RUNTIME_KEY]
    made = await json_of(
        await w["client"].post(
            f"{P}/{w['project']['id']}/meetings",
            json={"title": "S", "start_time": "2026-03-02T15:00", "end_time": "2026-03-02T16:00"},
            headers=w["ada_h"],
        )
    )
    join = _inbound("Join", w["rita"], made["uri"])
    await rt.wiring.inbox_handlers["Join"](rt, w["rita"], join)
    ignore = [a for a in await _sent(w["group"]) if a["type"] == "Ignore"]
    assert [a["object"] for a in ignore] == [join.id]


async def test_a_bigbluebutton_room_is_created_when_opened_and_joined_with_a_checksum(
    app: Any, settings: config.Settings
) -> None:
    import httpx

    rt = app.extensions[RUNTIME_KEY]
    rt.settings = dataclasses.replace(
        settings,
        jitsi_url="",
        bbb_url="https://bbb.example.org/bigbluebutton/",
        bbb_secret="shared-secret",
    )
    calls: list[str] = []

    def bbb(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, text="<response><returncode>SUCCESS</returncode></response>")

    real, rt.http = rt.http, httpx.AsyncClient(transport=httpx.MockTransport(bbb))
    try:
        w = await _world(app)
        made = await json_of(
            await w["client"].post(
                f"{P}/{w['project']['id']}/meetings",
                json={
                    "title": "S",
                    "start_time": "2026-03-02T15:00",
                    "end_time": "2026-03-02T16:00",
                },
                headers=w["ada_h"],
            )
        )
        assert made["room"]["engine"] == "bbb" and not calls  # nothing created before use
        door = made["room"]["url"].removeprefix("https://fedihub.test")
        opened = await w["client"].get(f"{door}?name=Bob")
        assert opened.status_code == 302
        target = opened.headers["Location"]
        assert target.startswith("https://bbb.example.org/bigbluebutton/api/join?")
        assert "fullName=Bob" in target and "checksum=" in target
        assert len(calls) == 1 and "/api/create?" in calls[0]
        # a wrong secret finds no room; a cancelled meeting's room is closed
        assert (await w["client"].get(door[:-3] + "xyz")).status_code == 404
        await json_of(await w["client"].delete(f"{M}/{made['id']}", headers=w["ada_h"]))
        assert (await w["client"].get(door)).status_code == 410
    finally:
        await rt.http.aclose()
        rt.http = real


async def test_the_event_is_served_whole_to_a_member_only(app: Any) -> None:
    from visibility_world import _remote, signed_get

    from fedihub.security import keys

    client = app.test_client()
    ada = await make_user(app, "ada")
    ada_h = bearer(await make_token(ada))
    project = await json_of(
        await client.post(P, json={"handle": "graphene", "name": "G"}, headers=ada_h)
    )
    key = keys.generate_private_key()
    rita = await _remote("rita", "b.example", key)  # a member
    ben = await _remote("ben", "b.example", key)  # not one, on a member's node
    olga = await _remote("olga", "c.example", key)  # not one, elsewhere
    await models.ProjectMember.create(project_id=int(project["id"]), actor=rita)
    made = await json_of(
        await client.post(
            f"{P}/{project['id']}/meetings",
            json={"title": "S", "start_time": "2026-03-02T15:00", "end_time": "2026-03-02T16:00"},
            headers=ada_h,
        )
    )
    room, url = made["room"]["url"], made["uri"]
    path = url.removeprefix("https://fedihub.test")
    accept = "application/activity+json"

    whole = await client.get(path, headers=signed_get(url, rita, key, accept))
    event = await json_of(whole)
    assert event["type"] == "Event" and event["location"]["url"] == room
    stripped = await json_of(await client.get(path, headers=signed_get(url, ben, key, accept)))
    assert stripped["name"] == "S" and "location" not in stripped
    assert room not in json.dumps(stripped)
    refused = await client.get(path, headers=signed_get(url, olga, key, accept))
    assert refused.status_code == 404 and room.encode() not in await refused.get_data()
