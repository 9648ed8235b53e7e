"""Projects across three real nodes: the owner on A invites researchers on B and C; B accepts
and C declines from their own nodes; the membership is seen on both sides; an outsider never
sees a members-only project."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.federation.nodes import Account, Node, eventually

pytestmark = pytest.mark.federation
P = "/api/fedihub/v1/projects"


async def _invitation(account: Account) -> dict[str, Any] | None:
    found = await account.api("GET", "/api/fedihub/v1/invitations")
    return found[0] if found else None


async def test_invite_accept_and_decline_across_three_nodes(
    node_trio: tuple[Node, Node, Node],
) -> None:
    a, b, c = node_trio
    ada, bob, cat = await a.account("ada"), await b.account("bob"), await c.account("cat")

    # Given ada's project on A
    project = await ada.api(
        "POST", P, json={"handle": "graphene", "name": "Graphene", "visibility": "members"}
    )

    # When she invites bob on B and cat on C
    to_bob = await ada.api(
        "POST",
        f"{P}/{project['id']}/invitations",
        json={"account": bob.handle, "role": "member", "message": "Welcome aboard"},
    )
    assert to_bob["state"] == "pending" and to_bob["account"]["acct"] == bob.handle
    await ada.api("POST", f"{P}/{project['id']}/invitations", json={"account": cat.handle})

    # Then each sees a pending invitation on her own node, and a direct message mentioning her
    at_b = await eventually(lambda: _invitation(bob), what="the invitation on B")
    assert at_b["state"] == "pending" and at_b["message"] == "Welcome aboard"
    assert at_b["project"]["acct"] == f"graphene@{a.domain}"
    assert at_b["project"]["local"] is False and at_b["inviter"]["acct"] == ada.handle

    async def mentioned() -> dict[str, Any] | None:
        notes = await bob.api("GET", "/api/v1/notifications")
        return next((n for n in notes if n["type"] == "mention"), None)

    note = await eventually(mentioned, what="the invitation's direct message on B")
    assert note["account"]["acct"] == f"graphene@{a.domain}"
    assert note["status"]["visibility"] == "direct"
    at_c = await eventually(lambda: _invitation(cat), what="the invitation on C")

    # When bob accepts and cat declines, each from her own node
    accepted = await bob.api("POST", f"/api/fedihub/v1/invitations/{at_b['id']}/accept")
    assert accepted["state"] == "accepted"
    await cat.api("POST", f"/api/fedihub/v1/invitations/{at_c['id']}/reject")

    # Then A records bob as a member and cat's answer
    async def members_on_a() -> set[str] | None:
        found = await ada.api("GET", f"{P}/{project['id']}/members")
        accts = {m["account"]["acct"] for m in found}
        return accts if bob.handle in accts else None

    assert await eventually(members_on_a, what="bob's membership on A") == {"ada", bob.handle}

    async def cat_declined() -> bool:
        sent = await ada.api("GET", f"{P}/{project['id']}/invitations")
        return any(i["account"]["acct"] == cat.handle and i["state"] == "rejected" for i in sent)

    await eventually(cat_declined, what="cat's Reject on A")

    # and B sees the membership too: the project's Add, and its members collection
    async def members_on_b() -> set[str] | None:
        # a members-only project's members stay hidden from bob on B (404) until its Add arrives
        found = await bob.api("GET", f"{P}/{at_b['project']['id']}/members", expect=None)
        if not isinstance(found, list):
            return None
        accts = {m["account"]["acct"] for m in found}
        return accts if {ada.handle, "bob"} <= accts else None

    await eventually(members_on_b, what="the membership on B")
    shown = await bob.api("GET", f"{P}/{at_b['project']['id']}")
    assert shown["role"] == "member"

    # A members-only project stays hidden from an outsider: cat's node cannot read its members
    async with httpx.AsyncClient(base_url=a.base) as client:
        hidden = await client.get(
            "/projects/graphene/members", headers={"Accept": "application/activity+json"}
        )
    assert hidden.status_code == 404
    assert (await cat.api("GET", f"{P}/{at_c['project']['id']}/members", expect=None)) in (
        [],
        {"error": "Record not found"},
    )


async def _home_has(account: Account, text: str) -> dict[str, Any] | None:
    timeline = await account.api("GET", "/api/v1/timelines/home")
    for status in timeline:
        shown = status["reblog"] or status
        if text in shown["content"]:
            return status
    return None


async def test_a_member_on_another_node_posts_and_the_project_redistributes(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    ada, bob = await a.account("ada"), await b.account("bob")
    anna = await a.account("anna")

    # Given a public project on A with anna (A) and bob (B) as members
    project = await ada.api("POST", P, json={"handle": "sensors", "name": "Sensors"})
    for who in (anna, bob):
        await ada.api(
            "POST",
            f"{P}/{project['id']}/invitations",
            json={"account": f"{who.username}@{a.domain}" if who is anna else who.handle},
        )
    for who in (anna, bob):
        invitation = await eventually(lambda w=who: _invitation(w), what="an invitation")
        await who.api("POST", f"/api/fedihub/v1/invitations/{invitation['id']}/accept")
    at_b = (await bob.api("GET", "/api/fedihub/v1/invitations"))[0]["project"]

    async def bob_is_a_member_on_both_nodes() -> bool:
        found = await ada.api("GET", f"{P}/{project['id']}/members")
        mirrored = await bob.api("GET", f"{P}/{at_b['id']}")
        return bob.handle in {m["account"]["acct"] for m in found} and mirrored["role"] == "member"

    await eventually(bob_is_a_member_on_both_nodes, what="bob's membership on A and B")

    # When bob posts to the project from B
    post = await bob.api("POST", f"{P}/{at_b['id']}/statuses", json={"status": "Calibration done"})
    assert post["account"]["acct"] == "bob"

    # Then A's other members see it (the Group's boost), and it is in the feed on A
    seen = await eventually(
        lambda: _home_has(anna, "Calibration done"), what="bob's post in anna's home on A"
    )
    assert seen["account"]["acct"] == "sensors" and seen["reblog"]["account"]["acct"] == bob.handle

    async def in_feed_on_a() -> bool:
        feed = await ada.api("GET", f"{P}/{project['id']}/statuses")
        return any("Calibration done" in s["content"] for s in feed)

    await eventually(in_feed_on_a, what="bob's post in the feed on A")

    # and anna's reply reaches bob on B, threaded under his post
    on_a = await eventually(lambda: _home_has(anna, "Calibration done"), what="the post on A")
    await anna.api(
        "POST",
        f"{P}/{project['id']}/statuses",
        json={"status": "Great, thanks", "in_reply_to_id": on_a["reblog"]["id"]},
    )

    async def reply_on_b() -> bool:
        context = await bob.api("GET", f"/api/v1/statuses/{post['id']}/context")
        return any("Great, thanks" in s["content"] for s in context["descendants"])

    await eventually(reply_on_b, what="anna's reply on B")


async def test_a_task_assigned_to_a_member_on_another_node_is_done_from_there(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    ada, bob = await a.account("ada"), await b.account("bob")
    project = await ada.api("POST", P, json={"handle": "lab", "name": "Lab"})
    await ada.api("POST", f"{P}/{project['id']}/invitations", json={"account": bob.handle})
    invitation = await eventually(lambda: _invitation(bob), what="the invitation on B")
    await bob.api("POST", f"/api/fedihub/v1/invitations/{invitation['id']}/accept")
    remote_id = invitation["project"]["id"]

    async def member_on_both() -> bool:
        found = await ada.api("GET", f"{P}/{project['id']}/members")
        mirrored = await bob.api("GET", f"{P}/{remote_id}")
        return bob.handle in {m["account"]["acct"] for m in found} and mirrored["role"] == "member"

    await eventually(member_on_both, what="bob's membership on A and B")
    bob_on_a = next(
        m["account"]["id"]
        for m in await ada.api("GET", f"{P}/{project['id']}/members")
        if m["account"]["acct"] == bob.handle
    )

    # Given a task on A assigned to bob
    task = await ada.api(
        "POST", f"{P}/{project['id']}/tasks", json={"title": "Calibrate", "assignee": bob_on_a}
    )

    # Then B mirrors it
    async def mirrored() -> dict[str, Any] | None:
        found = await bob.api("GET", f"{P}/{remote_id}/tasks")
        return found[0] if found else None

    at_b = await eventually(mirrored, what="the task on B")
    assert at_b["title"] == "Calibrate" and at_b["uri"] == task["uri"]

    # When bob marks it done from B, A's progress counts it, and B's copy follows
    await bob.api("PATCH", f"/api/fedihub/v1/tasks/{at_b['id']}", json={"status": "done"})

    async def progress_on_a() -> bool:
        figures = await ada.api("GET", f"{P}/{project['id']}/progress")
        return bool(figures["done"] == 1 and figures["total"] == 1)

    await eventually(progress_on_a, what="the progress on A")

    async def done_on_b() -> bool:
        return bool(
            (await bob.api("GET", f"/api/fedihub/v1/tasks/{at_b['id']}"))["status"] == "done"
        )

    await eventually(done_on_b, what="the task done on B")
