"""/api/fedihub/v1/projects: create, list and search, show, edit, delete, look up a remote one;
members, joining and leaving, join requests. Invitations are api/project_invitations.py.

Scopes `read` and `write` (Mastodon's umbrella scopes). A members-only project is "Record not
found" to everyone but its members, as a hidden status is.
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.accounts import load_actor
from fedihub.api.auth import current_actor, optional_user, require_scope, scope_if_token
from fedihub.api.common import Params, invalid, params, parse_id
from fedihub.api.entities.project import join_request_entity, member_entity, project_entity
from fedihub.errors import NotFound
from fedihub.projects import groups, members
from fedihub.web.common import runtime

blueprint = Blueprint("api_projects", __name__)
P = "/api/fedihub/v1/projects"


def _fields(p: Params) -> groups.Fields:
    def strings(name: str) -> list[str] | None:
        if not p.has(name):
            return None
        values = p.list(name)
        if len(values) == 1 and isinstance(values[0], str) and "," in values[0]:
            values = values[0].split(",")
        return [str(v) for v in values]

    return groups.Fields(
        name=p.str("name"),
        description=p.str("description"),
        tags=strings("tags"),
        visibility=p.str("visibility"),
        start_date=p.str("start_date"),
        end_date=p.str("end_date"),
        repositories=strings("repositories"),
    )


async def entities(
    projects: list[models.Project], viewer: models.Actor | None
) -> list[dict[str, object]]:
    rt = runtime()
    counts = await groups.members_count([p.id for p in projects])
    roles: dict[int, models.ProjectRole] = {}
    if viewer is not None and projects:
        for row in await models.ProjectMember.filter(
            actor_id=viewer.id, project_id__in=[p.id for p in projects]
        ):
            roles[row.project_id] = row.role
    return [
        project_entity(rt, p, members_count=counts[p.id], role=roles.get(p.id)) for p in projects
    ]


async def one(project: models.Project, viewer: models.Actor | None) -> dict[str, object]:
    return (await entities([project], viewer))[0]


async def _viewer() -> models.Actor | None:
    user = await optional_user()
    return user.actor if user is not None else None


async def visible(raw_id: str, viewer: models.Actor | None) -> models.Project:
    return await groups.visible(parse_id(raw_id), viewer)


async def _managed(raw_id: str) -> models.Project:
    actor = current_actor()
    project = await visible(raw_id, actor)
    await groups.require_manager(project, actor)
    return project


@blueprint.post(P)
@require_scope("write")
async def create() -> Response:
    p = await params()
    handle = p.str("handle") or ""
    if not handle:
        raise invalid("handle can't be blank", "handle")
    made = await groups.create(runtime(), current_actor(), handle, _fields(p))
    return jsonify(await one(made, current_actor()))


@blueprint.get(P)
@scope_if_token("read")
async def index() -> Response:
    viewer = await _viewer()
    p = await params()
    mine = bool(p.bool("mine", False))
    if mine and viewer is None:
        raise invalid("mine=true needs a signed-in user", "mine")
    found = await groups.search(
        viewer,
        q=(p.str("q") or "").strip()[:200] or None,
        tag=(p.str("tag") or "").strip()[:64] or None,
        mine=mine,
        limit=p.int("limit", 40, low=1, high=80, clamp=True) or 40,
        offset=p.offset(),
    )
    return jsonify(await entities(found, viewer))


@blueprint.get(f"{P}/lookup")
@scope_if_token("read")
async def lookup() -> Response:
    viewer = await _viewer()
    acct = (await params()).str("acct") or ""
    if not acct:
        raise invalid("acct can't be blank", "acct")
    project = await groups.lookup(runtime(), acct)
    if not await groups.can_view(project, viewer) and project.local:
        raise NotFound("Record not found")
    return jsonify(await one(project, viewer))


@blueprint.get(f"{P}/<raw_id>")
@scope_if_token("read")
async def show(raw_id: str) -> Response:
    viewer = await _viewer()
    return jsonify(await one(await visible(raw_id, viewer), viewer))


@blueprint.put(f"{P}/<raw_id>")
@require_scope("write")
async def update(raw_id: str) -> Response:
    project = await _managed(raw_id)
    changed = await groups.update(project, _fields(await params()))
    return jsonify(await one(changed, current_actor()))


@blueprint.delete(f"{P}/<raw_id>")
@require_scope("write")
async def destroy(raw_id: str) -> Response:
    project = await visible(raw_id, current_actor())
    await groups.require_owner(project, current_actor())
    await groups.delete(project)
    return jsonify({})


# ---- members -----------------------------------------------------------------------------------


@blueprint.get(f"{P}/<raw_id>/members")
@scope_if_token("read")
async def members_index(raw_id: str) -> Response:
    project = await visible(raw_id, await _viewer())
    rt = runtime()
    return jsonify([member_entity(rt, a, r) for a, r in await members.member_rows(project)])


@blueprint.put(f"{P}/<raw_id>/members/<account_id>")
@require_scope("write")
async def member_update(raw_id: str, account_id: str) -> Response:
    project = await _managed(raw_id)
    p = await params()
    try:
        role = models.ProjectRole(p.str("role") or "")
    except ValueError:
        raise invalid("role must be owner, maintainer or member", "role") from None
    member = await load_actor(account_id)
    if role is models.ProjectRole.OWNER:
        await groups.require_owner(project, current_actor())
    await members.set_role(project, member, role)
    return jsonify(member_entity(runtime(), member, role))


@blueprint.delete(f"{P}/<raw_id>/members/<account_id>")
@require_scope("write")
async def member_remove(raw_id: str, account_id: str) -> Response:
    project = await _managed(raw_id)
    await members.remove(runtime(), project, await load_actor(account_id))
    return jsonify({})


@blueprint.post(f"{P}/<raw_id>/join")
@require_scope("write")
async def join(raw_id: str) -> Response:
    actor = current_actor()
    project = await groups.by_id(parse_id(raw_id))
    message = (await params()).str("message") or ""
    await members.request_join(runtime(), project, actor, uri=None, message=message)
    return jsonify(await one(project, actor))


@blueprint.post(f"{P}/<raw_id>/leave")
@require_scope("write")
async def leave(raw_id: str) -> Response:
    actor = current_actor()
    project = await visible(raw_id, actor)
    await members.leave(runtime(), project, actor)
    return jsonify(await one(project, actor))


@blueprint.get(f"{P}/<raw_id>/join_requests")
@require_scope("read")
async def join_requests(raw_id: str) -> Response:
    project = await _managed(raw_id)
    rt = runtime()
    return jsonify([join_request_entity(rt, r) for r in await members.pending_requests(project)])


async def _answer_join_request(raw_id: str, account_id: str, *, approve: bool) -> Response:
    project = await _managed(raw_id)
    if not project.local:
        raise NotFound("Record not found")
    await members.answer_request(runtime(), project, parse_id(account_id), approve=approve)
    return jsonify({})


@blueprint.post(f"{P}/<raw_id>/join_requests/<account_id>/authorize")
@require_scope("write")
async def authorize_join_request(raw_id: str, account_id: str) -> Response:
    return await _answer_join_request(raw_id, account_id, approve=True)


@blueprint.post(f"{P}/<raw_id>/join_requests/<account_id>/reject")
@require_scope("write")
async def reject_join_request(raw_id: str, account_id: str) -> Response:
    return await _answer_join_request(raw_id, account_id, approve=False)
