"""/api/fedihub/v1: invitations to projects. An owner or maintainer invites
(`POST projects/:id/invitations`) and withdraws (`DELETE invitations/:id`); the invitee lists
those addressed to her, local and remote projects alike (`GET invitations`), and answers
(`POST invitations/:id/accept|reject`) from her own node. Scopes `read` and `write`.
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import params, parse_id
from fedihub.api.entities.project import invitation_entity
from fedihub.api.projects import entities, visible
from fedihub.errors import NotFound
from fedihub.projects import groups, invitations
from fedihub.web.common import runtime

blueprint = Blueprint("api_project_invitations", __name__)
V1 = "/api/fedihub/v1"


async def _entities(rows: list[models.ProjectInvitation]) -> list[dict[str, object]]:
    rt = runtime()
    unique = list({row.project_id: row.project for row in rows}.values())
    projects = dict(
        zip([p.id for p in unique], await entities(unique, current_actor()), strict=True)
    )
    return [invitation_entity(rt, row, projects[row.project_id]) for row in rows]


@blueprint.post(f"{V1}/projects/<raw_id>/invitations")
@require_scope("write")
async def create(raw_id: str) -> Response:
    inviter = current_actor()
    project = await visible(raw_id, inviter)
    p = await params()
    expires_in = p.int("expires_in", None, low=60, high=invitations.MAX_EXPIRES_IN)
    made = await invitations.invite(
        runtime(),
        project,
        inviter,
        p.str("account") or "",
        role=p.str("role") or "member",
        message=p.str("message") or "",
        expires_in=expires_in,
    )
    return jsonify((await _entities([made]))[0])


@blueprint.get(f"{V1}/projects/<raw_id>/invitations")
@require_scope("read")
async def of_project(raw_id: str) -> Response:
    actor = current_actor()
    project = await visible(raw_id, actor)
    await groups.require_manager(project, actor)
    return jsonify(await _entities(await invitations.of_project(project)))


@blueprint.get(f"{V1}/invitations")
@require_scope("read")
async def index() -> Response:
    return jsonify(await _entities(await invitations.addressed_to(current_actor())))


async def _mine(raw_id: str) -> models.ProjectInvitation:
    row = await invitations.get(parse_id(raw_id))
    if row.invitee_id != current_actor().id:
        raise NotFound("Record not found")
    return row


async def _answer(raw_id: str, *, accept: bool) -> Response:
    row = await _mine(raw_id)
    done = await invitations.answer(runtime(), row, current_actor(), accept=accept)
    return jsonify((await _entities([done]))[0])


@blueprint.post(f"{V1}/invitations/<raw_id>/accept")
@require_scope("write")
async def accept(raw_id: str) -> Response:
    return await _answer(raw_id, accept=True)


@blueprint.post(f"{V1}/invitations/<raw_id>/reject")
@require_scope("write")
async def reject(raw_id: str) -> Response:
    return await _answer(raw_id, accept=False)


@blueprint.delete(f"{V1}/invitations/<raw_id>")
@require_scope("write")
async def withdraw(raw_id: str) -> Response:
    actor = current_actor()
    row = await invitations.get(parse_id(raw_id))
    project = await groups.by_id(row.project_id)
    if row.inviter_id != actor.id and await groups.role_of(project, actor) is None:
        raise NotFound("Record not found")
    await invitations.withdraw(runtime(), row, actor)
    return jsonify((await _entities([row]))[0])
