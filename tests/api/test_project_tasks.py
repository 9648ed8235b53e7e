"""Tasks and progress on the project's node: members add and change tasks, assignees must be
members, dependencies never make a cycle, the assignee hears of it in a direct message, the
Ticket goes to members' nodes, and progress counts done over total, per member, over time."""

from __future__ import annotations

import json
from typing import Any

from apikit import bearer, json_of, make_token, make_user, remote_actor

from fedihub import models

P = "/api/fedihub/v1/projects"
T = "/api/fedihub/v1/tasks"


async def test_tasks_assignees_dependencies_and_progress(app: Any) -> None:
    client = app.test_client()
    ada, bob, eve = [await make_user(app, n) for n in ("ada", "bob", "eve")]
    ada_h, bob_h, eve_h = [bearer(await make_token(u)) for u in (ada, bob, eve)]
    project = await json_of(
        await client.post(P, json={"handle": "graphene", "name": "G"}, headers=ada_h)
    )
    tasks = f"{P}/{project['id']}/tasks"
    # bob is a member; a member on another node too (the Ticket goes to her node)
    await models.ProjectMember.create(project_id=int(project["id"]), actor=bob.actor)
    remote = await remote_actor("rita", "b.example", shared_inbox="https://b.example/inbox")
    await models.ProjectMember.create(project_id=int(project["id"]), actor=remote)

    first = await json_of(
        await client.post(
            tasks,
            json={"title": "Calibrate", "assignee": str(bob.actor.id), "due": "2026-03-01"},
            headers=ada_h,
        )
    )
    assert first["status"] == "open" and first["assignee"] == str(bob.actor.id)
    assert first["due"] == "2026-03-01"
    second = await json_of(
        await client.post(
            tasks, json={"title": "Write up", "depends_on": [first["id"]]}, headers=bob_h
        )
    )
    assert second["depends_on"] == [first["id"]]

    # the assignee gets a direct message; the member node gets the Ticket
    notes = await json_of(await client.get("/api/v1/notifications", headers=bob_h))
    assert any("Calibrate" in n["status"]["content"] for n in notes if n["type"] == "mention")
    group = await models.Actor.get(uri=project["uri"])
    sent = [json.loads(r.body) for r in await models.OutboxActivity.filter(actor_id=group.id)]
    ticket = next(a for a in sent if a["type"] == "Create" and a["object"]["type"] == "Ticket")
    assert ticket["object"]["name"] == "Calibrate"
    assert ticket["object"]["assignedTo"] == bob.actor.uri
    assert ticket["object"]["isResolved"] is False
    assert ticket["object"]["endTime"].startswith("2026-03-01")

    # bad input: a non-member assignee, a cycle, a non-member changing a task
    outsider = await client.patch(
        f"{T}/{first['id']}", json={"assignee": str(eve.actor.id)}, headers=ada_h
    )
    assert outsider.status_code == 422
    cycle = await client.patch(
        f"{T}/{first['id']}", json={"depends_on": [second["id"]]}, headers=ada_h
    )
    assert cycle.status_code == 422
    assert (
        await client.patch(f"{T}/{first['id']}", json={"status": "done"}, headers=eve_h)
    ).status_code == 403

    # progress: bob marks his done
    done = await json_of(
        await client.patch(f"{T}/{first['id']}", json={"status": "done"}, headers=bob_h)
    )
    assert done["status"] == "done" and done["progress"] == 100
    figures = await json_of(await client.get(f"{P}/{project['id']}/progress"))
    assert figures["total"] == 2 and figures["done"] == 1
    bobs = next(m for m in figures["per_member"] if m["account"] and m["account"]["acct"] == "bob")
    assert (bobs["total"], bobs["done"]) == (1, 1)
    assert figures["over_time"][-1]["done"] == 1

    assert (await client.delete(f"{T}/{second['id']}", headers=bob_h)).status_code == 403
    assert (await client.delete(f"{T}/{second['id']}", headers=ada_h)).status_code == 200
