"""The fedihub API's project entities: Project, Invitation, Member and JoinRequest, with the
fields issue 14 names (a contract: fedihub/projects/openapi.py describes them)."""

from __future__ import annotations

from typing import Any

from fedihub import models
from fedihub.api.entities.account import account, acct
from fedihub.api.entities.common import day, iso
from fedihub.runtime import Runtime


def project_entity(
    rt: Runtime,
    project: models.Project,
    *,
    members_count: int,
    role: models.ProjectRole | None,
) -> dict[str, Any]:
    actor = project.actor
    return {
        "id": str(project.id),
        "uri": actor.uri,
        "url": actor.url or actor.uri,
        "acct": f"{actor.username}@{rt.urls.domain}" if actor.domain is None else acct(actor),
        "name": project.name,
        "description": project.description,
        "tags": list(project.tags or []),
        "visibility": project.visibility.value,
        "start_date": day(project.start_date),
        "end_date": day(project.end_date),
        "repositories": list(project.repositories or []),
        "members_count": members_count,
        "role": role.value if role is not None else None,
        "local": project.local,
    }


def invitation_entity(
    rt: Runtime, invitation: models.ProjectInvitation, project: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": str(invitation.id),
        "project": project,
        "account": account(rt, invitation.invitee),
        "inviter": account(rt, invitation.inviter),
        "role": invitation.role.value,
        "message": invitation.message,
        "state": invitation.state.value,
        "created_at": iso(invitation.created_at),
        "expires_at": iso(invitation.expires_at),
    }


def member_entity(rt: Runtime, actor: models.Actor, role: models.ProjectRole) -> dict[str, Any]:
    return {"account": account(rt, actor), "role": role.value}


def join_request_entity(rt: Runtime, request: models.ProjectJoinRequest) -> dict[str, Any]:
    return {
        "account": account(rt, request.actor),
        "message": request.message,
        "created_at": iso(request.created_at),
    }


def task_entity(task: models.ProjectTask, assignee: models.Actor | None) -> dict[str, Any]:
    return {
        "id": str(task.id),
        "uri": task.uri,
        "project_id": str(task.project_id),
        "title": task.title,
        "description": task.description,
        "assignee": str(assignee.id) if assignee is not None else None,
        "status": task.status.value,
        "due": day(task.due),
        "depends_on": [str(i) for i in task.depends_on or []],
        "progress": task.progress,
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
    }


def dataset_entity(
    rt: Runtime, row: models.ProjectDataset, author: models.Actor | None
) -> dict[str, Any]:
    """A project's data set (a Document on the wire)."""
    return {
        "id": str(row.id),
        "uri": row.uri,
        "project_id": str(row.project_id),
        "name": row.name,
        "description": row.description,
        "url": row.url,
        "media_type": row.media_type,
        "size": row.size,
        "digest_multibase": row.digest_multibase,
        "account": account(rt, author) if author is not None else None,
        "created_at": iso(row.created_at),
    }
