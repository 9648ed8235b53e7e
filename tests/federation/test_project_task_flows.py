"""ForgeFed's task flows between two real nodes: bob, a member on B, opens a task of ada's
project on A from his node (Offer, then the project's Accept and Create of the Ticket), assigns
it to himself (Assign), and comments on it; ada's comment on A reaches B. A holds the truth."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.nodes import Account, eventually

pytestmark = pytest.mark.federation
P = "/api/fedihub/v1/projects"
T = "/api/fedihub/v1/tasks"


async def _task(account: Account, project_id: str, title: str) -> dict[str, Any] | None:
    found = await account.api("GET", f"{P}/{project_id}/tasks")
    return next((t for t in found if t["title"] == title), None)


async def _comment(account: Account, task_id: str, text: str) -> dict[str, Any] | None:
    found = await account.api("GET", f"{T}/{task_id}/comments")
    return next((c for c in found if text in c["content"]), None)


async def test_a_member_elsewhere_opens_assigns_and_comments_on_a_task(node_pair: Any) -> None:
    a, b = node_pair
    ada, bob = await a.account("ada"), await b.account("bob")

    # Given ada's project on A with bob (B) as a member
    project = await ada.api("POST", P, json={"handle": "optics", "name": "Optics"})
    await ada.api("POST", f"{P}/{project['id']}/invitations", json={"account": bob.handle})

    async def invitation() -> dict[str, Any] | None:
        found = await bob.api("GET", "/api/fedihub/v1/invitations")
        return found[0] if found else None

    invited = await eventually(invitation, what="the invitation on B")
    await bob.api("POST", f"/api/fedihub/v1/invitations/{invited['id']}/accept")
    at_b = invited["project"]["id"]

    async def member_on_both() -> bool:
        found = await ada.api("GET", f"{P}/{project['id']}/members")
        mirrored = await bob.api("GET", f"{P}/{at_b}")
        return bob.handle in {m["account"]["acct"] for m in found} and (
            mirrored["role"] == "member"
        )

    await eventually(member_on_both, what="bob's membership on A and B")

    # When bob opens a task from B: his node offers it, the project decides
    offered = await bob.api("POST", f"{P}/{at_b}/tasks", json={"title": "Align laser"}, expect=202)
    assert offered["offer"].startswith(b.base)

    # Then A has the task, and B its copy
    on_a = await eventually(lambda: _task(ada, project["id"], "Align laser"), what="the task on A")
    on_b = await eventually(lambda: _task(bob, at_b, "Align laser"), what="the task on B")
    assert on_b["uri"] == on_a["uri"]

    # When bob assigns it to himself from B
    me_on_b = (await bob.api("GET", "/api/v1/accounts/verify_credentials"))["id"]
    await bob.api("PATCH", f"{T}/{on_b['id']}", json={"assignee": me_on_b})

    # Then A records the assignment (bob's account as A knows it), and B's copy follows
    async def assigned_on_a() -> bool:
        task = await ada.api("GET", f"{T}/{on_a['id']}")
        if task["assignee"] is None:
            return False
        who = await ada.api("GET", f"/api/v1/accounts/{task['assignee']}")
        return bool(who["acct"] == bob.handle)

    await eventually(assigned_on_a, what="the assignment on A")

    async def assigned_on_b() -> bool:
        return (await bob.api("GET", f"{T}/{on_b['id']}"))["assignee"] == me_on_b

    await eventually(assigned_on_b, what="the assignment on B")

    # When bob comments from B and ada from A, each is the task's comment on both nodes
    await bob.api("POST", f"{T}/{on_b['id']}/comments", json={"status": "Mirror 2 is off"})
    await ada.api("POST", f"{T}/{on_a['id']}/comments", json={"status": "Fixed mirror 2"})
    await eventually(lambda: _comment(ada, on_a["id"], "Mirror 2 is off"), what="bob's on A")
    await eventually(lambda: _comment(bob, on_b["id"], "Fixed mirror 2"), what="ada's on B")
