"""Project meetings across two real nodes: A hosts a project with a Jitsi Meet configured, bob on
B is a member. A meeting ada schedules on A reaches bob's node with its room, shows in his
notifications, his meetings and his calendar feed; a move and a cancellation arrive too; and the
room link is in nothing an outsider can fetch (the Event URL, the project's public documents and
page, a search from another node, another user's API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import create_pg_database, drop_pg_database
from tests.federation.nodes import Account, Node, eventually, free_port

pytestmark = pytest.mark.federation
P = "/api/fedihub/v1/projects"
M = "/api/fedihub/v1/meetings"
JITSI = "https://meet.example.org"


@pytest.fixture
async def nodes(backend: str, tmp_path: Path) -> AsyncIterator[tuple[Node, Node]]:
    urls: list[str | None] = [None, None]
    if backend == "postgres":
        urls = [await create_pg_database(), await create_pg_database()]
    a = Node(tmp_path / "a", free_port(), urls[0], env={"FEDIHUB_JITSI_URL": JITSI})
    b = Node(tmp_path / "b", free_port(), urls[1])
    try:
        for node in (a, b):
            await node.start()
        yield a, b
    finally:
        for node in (a, b):
            node.stop()
        for url in urls:
            if url:
                await drop_pg_database(url)


async def _invitation(account: Account) -> dict[str, Any] | None:
    found = await account.api("GET", "/api/fedihub/v1/invitations")
    return found[0] if found else None


async def _feed(account: Account) -> str:
    url = (await account.api("GET", f"{M}/calendar"))["url"]
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    return answer.text.replace("\r\n ", "")


async def test_a_meeting_reaches_a_member_on_another_node_and_never_an_outsider(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    ada, bob = await a.account("ada"), await b.account("bob")
    eve_a, eve_b = await a.account("eve"), await b.account("eve")
    project = await ada.api("POST", P, json={"handle": "lab", "name": "Lab"})
    await ada.api("POST", f"{P}/{project['id']}/invitations", json={"account": bob.handle})
    invitation = await eventually(lambda: _invitation(bob), what="the invitation on B")
    await bob.api("POST", f"/api/fedihub/v1/invitations/{invitation['id']}/accept")

    async def member_on_both() -> bool:
        found = await ada.api("GET", f"{P}/{project['id']}/members")
        mirrored = await bob.api("GET", f"{P}/{invitation['project']['id']}")
        return bob.handle in {m["account"]["acct"] for m in found} and mirrored["role"] == "member"

    await eventually(member_on_both, what="bob's membership on A and B")

    # Given ada schedules a meeting on A
    made = await ada.api(
        "POST",
        f"{P}/{project['id']}/meetings",
        json={
            "title": "Kick-off",
            "description": "Plans for the spring",
            "start_time": "2026-03-02T15:00",
            "end_time": "2026-03-02T16:00",
            "timezone": "Europe/Berlin",
        },
    )
    room = made["room"]["url"]
    assert room.startswith(f"{JITSI}/")

    # Then bob's node keeps it for him, with the room
    async def on_b() -> dict[str, Any] | None:
        found = await bob.api("GET", M)
        return found[0] if found else None

    at_b = await eventually(on_b, what="the meeting on B")
    assert at_b["uri"] == made["uri"] and at_b["title"] == "Kick-off"
    assert at_b["start_time"] == "2026-03-02T14:00:00.000Z"
    assert at_b["timezone"] == "Europe/Berlin" and at_b["room"]["url"] == room
    assert at_b["project"]["local"] is False
    assert (await bob.api("GET", f"{M}/{at_b['id']}"))["uri"] == made["uri"]

    # And it is in his notifications
    async def notified(word: str) -> bool:
        notes = await bob.api("GET", "/api/v1/notifications")
        return any(
            n["type"] == "mention"
            and word in n["status"]["content"]
            and "Kick-off" in n["status"]["content"]
            for n in notes
        )

    await eventually(lambda: notified("scheduled"), what="bob's notification of the meeting")

    # And in his calendar feed
    feed = await _feed(bob)
    assert f"UID:{made['uri']}\r\n" in feed and "DTSTART:20260302T140000Z" in feed
    assert "SUMMARY:Kick-off" in feed and "STATUS:CONFIRMED" in feed

    # When ada moves it, B follows
    await ada.api(
        "PATCH",
        f"{M}/{made['id']}",
        json={"start_time": "2026-03-03T10:00", "end_time": "2026-03-03T11:00"},
    )

    async def moved() -> bool:
        return bool(
            (await bob.api("GET", f"{M}/{at_b['id']}"))["start_time"].startswith("2026-03-03T09:00")
        )

    await eventually(moved, what="the move on B")
    await eventually(lambda: notified("moved"), what="bob's notification of the move")
    assert "DTSTART:20260303T090000Z" in await _feed(bob)

    # When she cancels it, B's copy and feed say cancelled
    await ada.api("DELETE", f"{M}/{made['id']}")

    async def cancelled() -> bool:
        return bool((await bob.api("GET", f"{M}/{at_b['id']}"))["status"] == "cancelled")

    await eventually(cancelled, what="the cancellation on B")
    await eventually(lambda: notified("cancelled"), what="bob's notification of the cancel")
    assert "STATUS:CANCELLED" in await _feed(bob)

    # Outsiders: nothing they can fetch holds the room
    async with httpx.AsyncClient(timeout=30) as client:
        fetched = [
            await client.get(made["uri"], headers={"Accept": "application/activity+json"}),
            await client.get(made["uri"]),
            await client.get(project["uri"], headers={"Accept": "application/activity+json"}),
            await client.get(project["uri"]),
            await client.get(
                f"{project['uri']}/outbox?page=true",
                headers={"Accept": "application/activity+json"},
            ),
            await client.get(f"{a.base}/projects"),
        ]
    assert fetched[0].status_code == 404 and fetched[1].status_code == 404
    for answer in fetched:
        assert room not in answer.text, answer.request.url
    for outsider in (eve_a, eve_b):
        assert await outsider.api("GET", M) == []
        assert room not in await _feed(outsider)
        for path in (f"{M}/{made['id']}", f"{M}/{at_b['id']}"):
            await outsider.api("GET", path, expect=404)
    # a node asking for the Event (B's instance actor signs: a member lives there) never gets
    # the room either
    found = await eve_b.api(
        "GET", "/api/v2/search", params={"q": made["uri"], "resolve": "true"}, expect=None
    )
    assert room not in str(found)
    notes = await eve_b.api("GET", "/api/v1/notifications")
    assert room not in str(notes)
