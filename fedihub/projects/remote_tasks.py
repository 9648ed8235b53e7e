"""ForgeFed's task flows across nodes (spec.bs § Ticket tracking), both ends.

On a member's node: tasks of a remote project are mirrors of the Tickets its Group publishes
(Create, Update, Delete); a member asks the project, which decides: `Offer{Ticket}` to open one,
`Assign{person, target: Ticket}`, `Resolve` to mark one done, `Undo{Resolve}` to reopen it.

On the project's node: the same activities from members elsewhere. The signature's owner is the
activity's actor (checked on receipt); she must be a member, which is what changing a task takes
on this node too (tasks.py), and an assignee must be a member. An Offer or Assign is answered
`Accept` (the Offer's with the new Ticket in `result`) or `Reject` with no change; the change
itself reaches every member's node as the Ticket's Create or Update.
"""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)


async def offer(
    rt: Runtime, project: models.Project, actor: models.Actor, changes: tasks.Changes
) -> str:
    """A local member opens a task in a remote project: an Offer of a Ticket; returns its id
    (the project answers with an Accept, and its Create of the Ticket brings the task here)."""
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may add tasks")
    title = (changes.title or "").strip()
    if not title or len(title) > 255:
        raise Invalid("title must be 1 to 255 characters", field="title")
    description = changes.description or ""
    if len(description) > 20_000:
        raise Invalid("description over 20000 characters", field="description")
    ident = rt.urls.activity(actor.username, new_id())
    doc = activities.offer_ticket(rt, project, actor, ident, title, description)
    await publish.publish(rt, actor, doc, [project.actor])
    return ident


async def request(
    rt: Runtime,
    project: models.Project,
    task: models.ProjectTask,
    actor: models.Actor,
    changes: tasks.Changes,
) -> None:
    """A local member changes a remote project's task: what travels is its assignee (Assign)
    and done/open (Resolve, Undo); the project decides, and its Update brings the change here."""
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may change its tasks")
    others = {
        k: v
        for k, v in changes.__dict__.items()
        if v is not None and k not in ("status", "assignee")
    }
    if others or changes.status not in ("done", "open", None):
        raise Invalid(
            "a remote project's task is changed on its node; from here: assignee, and status "
            "done or open",
            field="status" if changes.status is not None else next(iter(others), "status"),
        )
    sent = []
    if changes.assignee is not None:
        assignee = await _member(project, changes.assignee)
        ident = rt.urls.activity(actor.username, new_id())
        sent.append(activities.assign(rt, actor, project, assignee.uri, task.uri, ident))
    if changes.status is not None:
        ident = rt.urls.activity(actor.username, new_id())
        sent.append(activities.resolve(rt, actor, task.uri, ident, undo=changes.status == "open"))
    for doc in sent:
        await publish.publish(rt, actor, doc, [project.actor])


async def _member(project: models.Project, raw: str) -> models.Actor:
    """The account (an id here) a task is assigned to: a member, as this node knows them."""
    actor = await models.Actor.get_or_none(id=int(raw)) if raw.isdigit() else None
    if actor is None or await groups.role_of(project, actor) is None:
        raise Invalid("a task is assigned to a member of the project", field="assignee")
    return actor


# ---- on the project's node ---------------------------------------------------------------------


async def _local_project(uri: str | None) -> models.Project | None:
    if not uri:
        return None
    return (
        await models.Project.filter(actor__uri=uri, local=True, deleted_at__isnull=True)
        .prefetch_related("actor")
        .first()
    )


async def _answer(
    rt: Runtime,
    project: models.Project,
    signer: models.Actor,
    activity: parse.Activity,
    *,
    result: str | None = None,
    refused: str | None = None,
) -> None:
    if refused is not None:
        log.info("%s of %s refused: %s", activity.type, signer.uri, refused)
    kind = "Reject" if refused is not None else "Accept"
    doc = activities.answer_flow(rt, project, kind, activity.id, signer, result)
    await publish.publish(rt, project.actor, doc, [signer])


async def on_offer(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A member elsewhere opens a task: Offer{Ticket, target: the project}."""
    project = await _local_project(activity.target)
    ticket = parse.offered_ticket(activity.document)
    if project is None or ticket is None:
        return  # an Offer of something else, or to no project of ours: not ours to answer
    if await groups.role_of(project, signer) is None:
        await _answer(rt, project, signer, activity, refused="not a member")
        return
    changes = tasks.Changes(title=ticket.title, description=ticket.description)
    try:
        task = await tasks.create(rt, project, signer, changes)
    except (Forbidden, Invalid) as exc:
        await _answer(rt, project, signer, activity, refused=exc.public)
        return
    await _answer(rt, project, signer, activity, result=task.uri)


async def on_assign(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A member elsewhere assigns a task: Assign{object: a member, target: the Ticket}."""
    task = await models.ProjectTask.get_or_none(uri=activity.target or "")
    if task is None or not activity.object_id:
        return
    project = await groups.by_id(task.project_id)
    if not project.local:
        return
    assignee = await models.Actor.get_or_none(uri=activity.object_id)
    try:
        if assignee is None:
            raise Invalid("a task is assigned to a member of the project", field="assignee")
        await tasks.change(rt, task, signer, tasks.Changes(assignee=str(assignee.id)))
    except (Forbidden, Invalid) as exc:
        await _answer(rt, project, signer, activity, refused=exc.public)
        return
    await _answer(rt, project, signer, activity, result=task.uri)


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
