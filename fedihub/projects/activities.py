"""ActivityStreams documents of projects: the Group actor (FEP-1b12, with Mobilizon's `members`
collection), the members collection of `Member` objects, and the membership activities (Invite
in Mobilizon's layout, Accept, Reject, Join, Leave, Add, Remove, ForgeFed's Grant).

Built from rows; no database writes. camelCase stays in here.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.accounts import activities as actor_documents
from fedihub.activitypub.documents import format_datetime
from fedihub.activitypub.vocabulary import AS_CONTEXT, PUBLIC
from fedihub.ids import new_id
from fedihub.models import ProjectRole, ProjectVisibility, TaskStatus
from fedihub.projects.groups import FORGEFED_ROLE
from fedihub.runtime import Runtime

FORGEFED_CONTEXT = "https://forgefed.org/ns"
# the few terms fedihub adds (README "Projects"): a task's status and percentage
FEDIHUB_NS = "https://fedihub.org/ns#"
GROUP_CONTEXT: list[Any] = [
    *actor_documents.ACTOR_CONTEXT,
    {
        "members": {"@id": "https://joinmobilizon.org/ns#members", "@type": "@id"},
        "Member": "https://joinmobilizon.org/ns#Member",
        "role": "https://joinmobilizon.org/ns#role",
    },
]


def _date(value: Any) -> str | None:
    return f"{value.isoformat()}T00:00:00Z" if value is not None else None


async def group_document(rt: Runtime, project: models.Project) -> dict[str, Any]:
    """The project's Group actor: the person fields Mastodon reads (accounts/activities.py) and
    the project's own (members, dates, tags, repositories as Links)."""
    actor = project.actor
    doc = await actor_documents.actor_document(rt, actor)
    doc["@context"] = GROUP_CONTEXT
    doc["type"] = "Group"
    for absent in ("following", "featured"):
        doc.pop(absent, None)
    doc["members"] = project.members_url or rt.urls.project_members(actor.username)
    doc["postingRestrictedToMods"] = False
    doc["tag"] = [
        {"type": "Hashtag", "href": rt.urls.tag(tag.lower()), "name": f"#{tag}"}
        for tag in project.tags or []
    ]
    doc["attachment"] = [
        {"type": "Link", "mediaType": "text/html", "href": url, "name": "Repository"}
        for url in project.repositories or []
    ]
    start, end = _date(project.start_date), _date(project.end_date)
    if start:
        doc["startTime"] = start
    if end:
        doc["endTime"] = end
    return doc


def member_object(
    project: models.Project, member: models.Actor, role: ProjectRole
) -> dict[str, Any]:
    """Mobilizon's Member object: who, in which group, with which role."""
    return {
        "type": "Member",
        "actor": member.uri,
        "object": project.actor.uri,
        "role": role.value,
    }


def members_collection(
    project: models.Project, rows: list[tuple[models.Actor, ProjectRole]]
) -> dict[str, Any]:
    """The members collection, every member inline (projects are small: bounded by the caller)."""
    return {
        "@context": GROUP_CONTEXT,
        "id": project.members_url,
        "type": "OrderedCollection",
        "attributedTo": project.actor.uri,
        "totalItems": len(rows),
        "orderedItems": [member_object(project, actor, role) for actor, role in rows],
    }


def _wrap(kind: str, ident: str, actor: str, obj: Any, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"@context": AS_CONTEXT, "id": ident, "type": kind, "actor": actor}
    doc["object"] = obj
    doc.update({k: v for k, v in extra.items() if v is not None})
    return doc


def invite(rt: Runtime, invitation: models.ProjectInvitation) -> dict[str, Any]:
    """Mobilizon's (and AS2's) layout: object = the project, target = the invitee."""
    project, invitee = invitation.project, invitation.invitee
    return _wrap(
        "Invite",
        invitation.uri,
        invitation.inviter.uri,
        project.actor.uri,
        target=invitee.uri,
        attributedTo=project.actor.uri,
        instrument=invitation.role.value,
        content=invitation.message or None,
        endTime=format_datetime(invitation.expires_at) if invitation.expires_at else None,
        published=format_datetime(invitation.created_at or datetime.now(UTC)),
        to=[invitee.uri],
        cc=[project.actor.uri],
    )


def undo_invite(rt: Runtime, invitation: models.ProjectInvitation) -> dict[str, Any]:
    inner = invite(rt, invitation)
    inner.pop("@context", None)
    return _wrap(
        "Undo", f"{invitation.uri}/undo", invitation.inviter.uri, inner, to=[invitation.invitee.uri]
    )


def answer_invite(
    rt: Runtime, invitation: models.ProjectInvitation, kind: str, activity_id: str
) -> dict[str, Any]:
    """The invitee's Accept or Reject, whose object is the Invite's id (ForgeFed's form)."""
    return _wrap(
        kind,
        activity_id,
        invitation.invitee.uri,
        invitation.uri,
        to=[invitation.project.actor.uri, invitation.inviter.uri],
    )


def answer_request(
    rt: Runtime, project: models.Project, request: models.ProjectJoinRequest, kind: str
) -> dict[str, Any]:
    """The project's Accept or Reject of a Join (or of a Follow of a members-only project)."""
    handle = project.actor.username
    inner = {
        "id": request.uri,
        "type": request.kind,
        "actor": request.actor.uri,
        "object": project.actor.uri,
    }
    return _wrap(
        kind,
        rt.urls.project_activity(handle, kind, new_id()),
        project.actor.uri,
        inner,
        to=[request.actor.uri],
    )


def join(rt: Runtime, project: models.Project, actor: models.Actor, ident: str) -> dict[str, Any]:
    return _wrap("Join", ident, actor.uri, project.actor.uri, to=[project.actor.uri])


def leave(rt: Runtime, project: models.Project, actor: models.Actor, ident: str) -> dict[str, Any]:
    return _wrap("Leave", ident, actor.uri, project.actor.uri, to=[project.actor.uri])


def add_member(
    rt: Runtime, project: models.Project, member: models.Actor, role: ProjectRole
) -> dict[str, Any]:
    """The project tells its members someone joined: Add{object: member, target: members}."""
    handle = project.actor.username
    return _wrap(
        "Add",
        rt.urls.project_activity(handle, "add", new_id()),
        project.actor.uri,
        member.uri,
        target=project.members_url,
        instrument=role.value,
        to=[project.members_url],
        cc=[member.uri],
    )


def remove_member(rt: Runtime, project: models.Project, member: models.Actor) -> dict[str, Any]:
    """Remove with `origin` and `target` both the project (Mobilizon requires origin)."""
    handle = project.actor.username
    return _wrap(
        "Remove",
        rt.urls.project_activity(handle, "remove", new_id()),
        project.actor.uri,
        member.uri,
        origin=project.actor.uri,
        target=project.members_url,
        to=[project.members_url],
        cc=[member.uri],
    )


def grant(
    rt: Runtime, project: models.Project, invitation: models.ProjectInvitation
) -> dict[str, Any]:
    """ForgeFed's Grant of the role the invitation offered (spec.bs § Offering access); its id
    is the invitation's, so that a removal can Revoke it without storing it."""
    doc = _wrap(
        "Grant",
        grant_id(rt, project, invitation),
        project.actor.uri,
        FORGEFED_ROLE[invitation.role],
        context=project.actor.uri,
        target=invitation.invitee.uri,
        fulfills=invitation.uri,
        allows="invoke",
        to=[invitation.invitee.uri],
    )
    doc["@context"] = [AS_CONTEXT, FORGEFED_CONTEXT]
    return doc


def grant_id(rt: Runtime, project: models.Project, invitation: models.ProjectInvitation) -> str:
    return rt.urls.project_activity(project.actor.username, "grant", invitation.id)


def revoke(
    rt: Runtime, project: models.Project, member: models.Actor, grant_uri: str
) -> dict[str, Any]:
    """ForgeFed's Revoke of a member's Grant (spec.bs § Revoking access), sent on removal."""
    doc = _wrap(
        "Revoke",
        rt.urls.project_activity(project.actor.username, "revoke", new_id()),
        project.actor.uri,
        grant_uri,
        context=project.actor.uri,
        to=[member.uri],
    )
    doc["@context"] = [AS_CONTEXT, FORGEFED_CONTEXT]
    return doc


def announce(
    rt: Runtime, project: models.Project, obj: Any, *, public: bool, key: int | None = None
) -> dict[str, Any]:
    """FEP-1b12: the group shares a member's activity (or, for Mastodon, a post's id) unchanged.
    `key`: what makes the Announce's id (the post's id: a retried redistribution makes the same
    Announce, which the outbox does not deliver twice)."""
    handle = project.actor.username
    followers = project.actor.followers_url
    return _wrap(
        "Announce",
        rt.urls.project_activity(handle, "announce", key if key is not None else new_id()),
        project.actor.uri,
        obj,
        to=[PUBLIC] if public else [followers],
        cc=[followers] if public else [],
        published=format_datetime(datetime.now(UTC)),
    )


def visibility_word(project: models.Project) -> str:
    return "public" if project.visibility is ProjectVisibility.PUBLIC else "members-only"


def ticket(
    rt: Runtime,
    project: models.Project,
    task: models.ProjectTask,
    assignee: models.Actor | None,
) -> dict[str, Any]:
    """ForgeFed's Ticket (spec.bs § Ticket) with the fedihub terms the README documents: the
    title in `summary` and `name`, `isResolved`, `assignedTo`, `dependsOn`, the due date in
    `endTime`, `fedihub:status` and `fedihub:progress`."""
    base = project.actor.uri
    doc: dict[str, Any] = {
        "id": task.uri,
        "type": "Ticket",
        "context": base,
        "attributedTo": base,
        "summary": html.escape(task.title),
        "name": task.title,
        "content": html.escape(task.description),
        "mediaType": "text/html",
        "source": {"content": task.description, "mediaType": "text/markdown; variant=Commonmark"},
        "published": format_datetime(task.created_at or datetime.now(UTC)),
        "isResolved": task.status is TaskStatus.DONE,
        "fedihub:status": task.status.value,
        "fedihub:progress": task.progress,
        "dependsOn": [f"{base}/tasks/{i}" for i in task.depends_on or []],
        "audience": base,
    }
    if task.updated_at is not None:
        doc["updated"] = format_datetime(task.updated_at)
    if assignee is not None:
        doc["assignedTo"] = assignee.uri
    if task.due is not None:
        doc["endTime"] = _date(task.due)
    return doc


def ticket_activity(
    rt: Runtime,
    project: models.Project,
    task: models.ProjectTask,
    kind: str,
    assignee: models.Actor | None,
) -> dict[str, Any]:
    """Create, Update or Delete of a Ticket by the project's Group, to its members' nodes."""
    handle = project.actor.username
    obj: Any = ticket(rt, project, task, assignee) if kind != "Delete" else task.uri
    doc = _wrap(
        kind,
        rt.urls.project_activity(handle, kind, new_id()),
        project.actor.uri,
        obj,
        to=[project.members_url],
    )
    doc["@context"] = [AS_CONTEXT, FORGEFED_CONTEXT, {"fedihub": FEDIHUB_NS}]
    return doc


def resolve(
    rt: Runtime, actor: models.Actor, task_uri: str, ident: str, *, undo: bool
) -> dict[str, Any]:
    """A member's Resolve of a task (ForgeFed § Close), or its Undo (reopening)."""
    inner = {"id": ident, "type": "Resolve", "actor": actor.uri, "object": task_uri}
    if not undo:
        return _wrap("Resolve", ident, actor.uri, task_uri)
    return _wrap("Undo", f"{ident}/undo", actor.uri, inner)


def offer_ticket(
    rt: Runtime, project: models.Project, actor: models.Actor, ident: str, title: str, text: str
) -> dict[str, Any]:
    """A member's Offer of a new Ticket to a remote project (ForgeFed § Opening an issue): the
    Ticket has no id; the project's Accept names the one it made in `result`."""
    doc = _wrap(
        "Offer",
        ident,
        actor.uri,
        {
            "type": "Ticket",
            "attributedTo": actor.uri,
            "summary": html.escape(title),
            "name": title,
            "content": html.escape(text),
            "mediaType": "text/html",
            "source": {"content": text, "mediaType": "text/markdown; variant=Commonmark"},
            "context": project.actor.uri,
        },
        target=project.actor.uri,
        to=[project.actor.uri],
    )
    doc["@context"] = [AS_CONTEXT, FORGEFED_CONTEXT]
    return doc


def assign(
    rt: Runtime,
    actor: models.Actor,
    project: models.Project,
    assignee_uri: str,
    task_uri: str,
    ident: str,
) -> dict[str, Any]:
    """A member's Assign of a task to a member (ForgeFed § Assigning): object = the person,
    target = the Ticket."""
    doc = _wrap("Assign", ident, actor.uri, assignee_uri, target=task_uri, to=[project.actor.uri])
    doc["@context"] = [AS_CONTEXT, FORGEFED_CONTEXT]
    return doc


def answer_flow(
    rt: Runtime,
    project: models.Project,
    kind: str,
    activity_id: str,
    to: models.Actor,
    result: str | None = None,
) -> dict[str, Any]:
    """The project's Accept (with the Ticket in `result`) or Reject of a member's Offer or
    Assign."""
    return _wrap(
        kind,
        rt.urls.project_activity(project.actor.username, kind, new_id()),
        project.actor.uri,
        activity_id,
        result=result,
        to=[to.uri],
    )


def dataset(rt: Runtime, project: models.Project, row: models.ProjectDataset) -> dict[str, Any]:
    """A data set as an AS2 Document with FEP-1311's file metadata (`digestMultibase`, `size`),
    in the project's context (`audience`: FEP-1b12)."""
    doc: dict[str, Any] = {
        "id": row.uri,
        "type": "Document",
        "name": row.name,
        "content": html.escape(row.description),
        "source": {"content": row.description, "mediaType": "text/plain"},
        "url": row.url,
        # hosted by the project's Group, as its Tickets are (what a receiver checks the origin
        # against); who added it is not on the wire
        "attributedTo": project.actor.uri,
        "context": project.actor.uri,
        "audience": project.actor.uri,
        "published": format_datetime(row.created_at or datetime.now(UTC)),
    }
    if row.media_type:
        doc["mediaType"] = row.media_type
    if row.size is not None:
        doc["size"] = row.size
    if row.digest_multibase:
        doc["digestMultibase"] = row.digest_multibase
    return doc


def dataset_create(
    rt: Runtime,
    project: models.Project,
    row: models.ProjectDataset,
    *,
    members_only: bool,
) -> dict[str, Any]:
    """The Group's Create of a data set: to its members collection alone when members-only, else
    public as its feed is."""
    obj = dataset(rt, project, row)
    if members_only:
        to, cc = [project.members_url], []
    else:
        to, cc = [PUBLIC], [project.actor.followers_url, project.members_url]
    obj["to"], obj["cc"] = to, cc
    doc = _wrap(
        "Create",
        rt.urls.project_activity(project.actor.username, "create", new_id()),
        project.actor.uri,
        obj,
        to=to,
        cc=cc,
    )
    doc["@context"] = [
        AS_CONTEXT,
        {
            "digestMultibase": "https://w3id.org/security#digestMultibase",
            "size": "https://joinpeertube.org/ns#size",
        },
    ]
    return doc
