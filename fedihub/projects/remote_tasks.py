"""Tasks of a remote project, on a member's node: mirrors of the Tickets the project's Group
publishes (Create, Update, Delete), and a member's changes sent to the project, which decides:
`Resolve` to mark one done, `Undo{Resolve}` to reopen it (ForgeFed § Close)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.activitypub import parse
from fedihub.errors import Forbidden, Invalid
from fedihub.ids import new_id
from fedihub.models import TaskStatus
from fedihub.outbox import publish
from fedihub.projects import activities, groups, tasks
from fedihub.runtime import Runtime


async def request(
    rt: Runtime,
    project: models.Project,
    task: models.ProjectTask,
    actor: models.Actor,
    changes: tasks.Changes,
) -> None:
    """A local member changes a remote project's task: only done/open travel (Resolve, Undo)."""
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may change its tasks")
    others = {k: v for k, v in changes.__dict__.items() if v is not None and k != "status"}
    if others or changes.status not in ("done", "open"):
        raise Invalid(
            "a remote project's task is changed on its node; from here: status done or open",
            field="status",
        )
    ident = rt.urls.activity(actor.username, new_id())
    doc = activities.resolve(rt, actor, task.uri, ident, undo=changes.status == "open")
    await publish.publish(rt, actor, doc, [project.actor])


async def on_resolve(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    if activity.object_id:
        await tasks.receive_resolve(rt, signer, activity.object_id, resolved=True)


async def on_undo(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    inner = activity.inner
    if inner is not None and inner.type == "Resolve" and inner.object_id:
        if inner.actor and inner.actor != signer.uri:
            raise Forbidden("an actor can only undo its own activities")
        await tasks.receive_resolve(rt, signer, inner.object_id, resolved=False)


async def on_ticket(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A remote project's Create/Update/Delete of one of its tasks, kept as a mirror."""
    if signer.actor_type != "Group" or signer.domain is None:
        return
    project = await groups.for_actor(signer)
    if project is None or project.local:
        return
    if activity.type == "Delete":
        uri = activity.object_id or ""
        if parse.host_of(uri) == signer.domain:
            await tasks.mirror(project, uri, {}, deleted=True)
        return
    embedded = activity.embedded
    if not isinstance(embedded, parse.ObjectDoc) or embedded.type != "Ticket":
        return
    ticket = parse.ticket_doc(embedded.document)
    if parse.host_of(ticket.id) != signer.domain:
        raise Forbidden("a project's tasks live on its own node")
    assignee = (
        await models.Actor.get_or_none(uri=ticket.assigned_to) if ticket.assigned_to else None
    )
    status = (
        TaskStatus(ticket.status)
        if ticket.status
        else (TaskStatus.DONE if ticket.resolved else TaskStatus.OPEN)
    )
    fields: dict[str, Any] = {
        "title": ticket.title or "(untitled)",
        "description": ticket.description,
        "assignee_id": assignee.id if assignee else None,
        "status": status,
        "progress": ticket.progress if ticket.progress is not None else 0,
        "due": ticket.due.date() if ticket.due else None,
        "done_at": datetime.now(UTC) if status is TaskStatus.DONE else None,
        "depends_on": [],
    }
    await tasks.mirror(project, ticket.id, fields)
