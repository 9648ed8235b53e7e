"""ForgeFed's task flows on the project's node, from members on other nodes: an Offer of a Ticket
opens a task (Accept with the Ticket in `result`), an Assign assigns it, a Note answering the
Ticket is one of its comments; a non-member's Offer or Assign is rejected and changes nothing;
removing a ForgeFed peer revokes her Grant."""

from __future__ import annotations

import json
from typing import Any

from apikit import bearer, json_of, make_token, make_user, remote_actor

from fedihub import models, node
from fedihub.activitypub import parse
from fedihub.projects import remote_tasks
from fedihub.web.common import RUNTIME_KEY

P = "/api/fedihub/v1/projects"
T = "/api/fedihub/v1/tasks"
FORGEFED = ["https://www.w3.org/ns/activitystreams", "https://forgefed.org/ns"]


async def _sent(kind: str) -> list[dict[str, Any]]:
    found = [json.loads(r.body) for r in await models.OutboxActivity.all()]
    return [a for a in found if a["type"] == kind]


async def _setup(app: Any) -> tuple[Any, dict[str, Any], Any, models.Actor, models.Actor]:
    client = app.test_client()
    ada = await make_user(app, "ada")
    ada_h = bearer(await make_token(ada))
    project = await json_of(
        await client.post(P, json={"handle": "lab", "name": "Lab"}, headers=ada_h)
    )
    rita = await remote_actor("rita", "b.example", shared_inbox="https://b.example/inbox")
    await models.ProjectMember.create(project_id=int(project["id"]), actor=rita)
    eve = await remote_actor("eve", "c.example", shared_inbox="https://c.example/inbox")
    return client, project, ada_h, rita, eve


def _offer(actor: models.Actor, project: dict[str, Any], n: int, title: str) -> parse.Activity:
    return parse.activity(
        {
            "@context": FORGEFED,
            "id": f"https://{actor.domain}/offers/{n}",
            "type": "Offer",
            "actor": actor.uri,
            "object": {"type": "Ticket", "name": title, "content": "<p>by hand</p>"},
            "target": project["uri"],
            "to": [project["uri"]],
        }
    )


async def test_offer_and_assign_from_other_nodes_members_only(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    client, project, ada_h, rita, eve = await _setup(app)

    # When a member on another node offers a Ticket
    await remote_tasks.on_offer(rt, rita, _offer(rita, project, 1, "Calibrate"))

    # Then the project opens the task and accepts, naming the new Ticket
    listed = await json_of(await client.get(f"{P}/{project['id']}/tasks"))
    assert [t["title"] for t in listed] == ["Calibrate"]
    (accept,) = await _sent("Accept")
    assert accept["object"] == "https://b.example/offers/1"
    assert accept["result"] == listed[0]["uri"] and accept["to"] == [rita.uri]

    # a non-member's Offer is rejected and opens nothing
    await remote_tasks.on_offer(rt, eve, _offer(eve, project, 2, "Spam"))
    assert len(await json_of(await client.get(f"{P}/{project['id']}/tasks"))) == 1
    (reject,) = await _sent("Reject")
    assert reject["object"] == "https://c.example/offers/2"

    # When rita assigns the task to herself (ForgeFed: object = the person, target = Ticket)
    def assign(actor: models.Actor, n: int, who: str) -> parse.Activity:
        return parse.activity(
            {
                "id": f"https://{actor.domain}/assign/{n}",
                "type": "Assign",
                "actor": actor.uri,
                "object": who,
                "target": listed[0]["uri"],
            }
        )

    await remote_tasks.on_assign(rt, rita, assign(rita, 1, rita.uri))
    shown = await json_of(await client.get(f"{T}/{listed[0]['id']}"))
    assert shown["assignee"] == str(rita.id)
    # a non-member may not assign, nor may a task go to a non-member: both rejected
    await remote_tasks.on_assign(rt, eve, assign(eve, 2, eve.uri))
    await remote_tasks.on_assign(rt, rita, assign(rita, 3, eve.uri))
    assert (await json_of(await client.get(f"{T}/{listed[0]['id']}")))["assignee"] == str(rita.id)
    rejected = {a["object"] for a in await _sent("Reject")}
    assert {"https://c.example/assign/2", "https://b.example/assign/3"} <= rejected


async def test_comments_from_other_nodes_and_from_here_are_the_tasks(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    client, project, ada_h, rita, _eve = await _setup(app)
    task = await json_of(
        await client.post(f"{P}/{project['id']}/tasks", json={"title": "Calibrate"}, headers=ada_h)
    )

    # When rita comments from her node: a Note answering the Ticket, addressed to the project
    note = {
        "id": "https://b.example/notes/1",
        "type": "Note",
        "attributedTo": rita.uri,
        "content": "<p>Sensor 3 drifts</p>",
        "inReplyTo": task["uri"],
        "audience": project["uri"],
        "to": [project["uri"]],
        "cc": [],
    }
    create = parse.activity(
        {
            "id": "https://b.example/notes/1/create",
            "type": "Create",
            "actor": rita.uri,
            "object": note,
            "to": [project["uri"]],
        }
    )
    await node.INBOX_HANDLERS["Create"](rt, rita, create)
    # and ada comments here
    made = await json_of(
        await client.post(
            f"{T}/{task['id']}/comments", json={"status": "Recalibrated"}, headers=ada_h
        )
    )
    assert made["in_reply_to_id"] is None

    # Then both are the task's comments
    comments = await json_of(await client.get(f"{T}/{task['id']}/comments", headers=ada_h))
    assert sorted(c["content"] for c in comments) == [
        "<p>Recalibrated</p>",
        "<p>Sensor 3 drifts</p>",
    ]
    ours = await models.Status.get(id=int(made["id"]))
    assert ours.in_reply_to_uri == task["uri"] and ours.audience_uri == project["uri"]


async def test_removing_a_forgefed_member_revokes_her_grant(app: Any) -> None:
    client, project, ada_h, _rita, _eve = await _setup(app)
    vera = await remote_actor(
        "vera",
        "vervis.example",
        shared_inbox="https://vervis.example/inbox",
        document={"@context": FORGEFED, "type": "Person"},
    )
    stored = await models.Project.get(id=int(project["id"]))
    ada_actor = await models.Actor.get(username="ada", domain=None)
    invitation = await models.ProjectInvitation.create(
        uri="https://node.example/invites/1",
        project=stored,
        inviter=ada_actor,
        invitee=vera,
        state=models.InvitationState.ACCEPTED,
    )
    await models.ProjectMember.create(project=stored, actor=vera)

    removed = await client.delete(f"{P}/{project['id']}/members/{vera.id}", headers=ada_h)
    assert removed.status_code == 200

    (revoke,) = await _sent("Revoke")
    assert revoke["object"].endswith(f"/activities/grant/{invitation.id}")
    assert revoke["to"] == [vera.uri] and "https://forgefed.org/ns" in revoke["@context"]
    assert [r["object"] for r in await _sent("Remove")] == [vera.uri]
