"""Projects on the web: the Group actor and its collections by content negotiation, its inbox,
and the pages to read (list and search, a project's page); forms are web/project_forms.py and
web/project_task_pages.py.

/projects/<handle> answers ActivityStreams to peers and HTML to browsers. A members-only project
shows nothing to non-members: its page, actor document and collections answer 404 unless the
viewer is a member, or (ActivityPub) the signed request comes from a member or from a node where
a member lives (that node's instance actor signs its fetches). The Group actor document itself is
public (a Mastodon user joins by following it; an invitee's node reads it).
"""

from __future__ import annotations

from urllib.parse import urlencode

from quart import Blueprint, Response, render_template, request

from fedihub import models
from fedihub.errors import NotFound
from fedihub.models import ProjectVisibility
from fedihub.projects import activities, groups, members
from fedihub.social import collections
from fedihub.web import inbox, project_kit
from fedihub.web.common import runtime, wants_activity_json
from fedihub.web.federation import as_response, page_request, requester_for_documents

blueprint = Blueprint("projects", __name__)
PAGE = 40


async def _served(handle: str) -> models.Project:
    """The project, if this ActivityPub request may read it (see the module's docstring)."""
    requester = await requester_for_documents()
    project = await groups.local_by_handle(handle)
    if project.visibility is ProjectVisibility.PUBLIC:
        return project
    if requester is not None and (
        await groups.role_of(project, requester) is not None
        or (requester.domain is not None and await groups.is_member_node(project, requester.domain))
    ):
        return project
    raise NotFound("no such project")


@blueprint.get("/projects")
async def index() -> str:
    user, viewer = await project_kit.viewer()
    q = (request.args.get("q") or "").strip()[:200] or None
    tag = (request.args.get("tag") or "").strip()[:64] or None
    mine = request.args.get("mine") == "1" and viewer is not None
    raw_offset = request.args.get("offset", "")
    offset = min(int(raw_offset), 10_000) if raw_offset.isdigit() and len(raw_offset) < 6 else 0
    found = await groups.search(viewer, q=q, tag=tag, mine=mine, limit=PAGE + 1, offset=offset)
    more = len(found) > PAGE
    found = found[:PAGE]
    counts = await groups.members_count([p.id for p in found])
    roles: dict[int, str] = {}
    if viewer is not None and found:
        for row in await models.ProjectMember.filter(
            actor_id=viewer.id, project_id__in=[p.id for p in found]
        ):
            roles[row.project_id] = row.role.value
    return await render_template(
        "projects/index.html",
        projects=[(p, project_kit.path(p), project_kit.handle(p)) for p in found],
        counts=counts,
        roles=roles,
        role_labels=project_kit.ROLE_LABELS,
        q=q or "",
        tag=tag or "",
        mine=mine,
        more_url=_with_offset(offset + PAGE) if more else None,
        newer_url=_with_offset(max(offset - PAGE, 0)) if offset else None,
        invitations=await _pending_invitations(viewer),
    )


def _with_offset(offset: int) -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "lang")]
    if offset:
        kept.append(("offset", str(offset)))
    return f"/projects?{urlencode(kept)}" if kept else "/projects"


async def _pending_invitations(viewer: models.Actor | None) -> int:
    if viewer is None:
        return 0
    return await models.ProjectInvitation.filter(
        invitee_id=viewer.id, state=models.InvitationState.PENDING
    ).count()


@blueprint.get("/projects/<handle>")
async def project(handle: str) -> Response | tuple[str, int]:
    rt = runtime()
    if wants_activity_json():
        # the Group actor itself is served to every peer, members-only or not: a Mastodon user
        # asks to join by following it, and an invitee's node reads it before she answers;
        # what the project holds (members, followers, posts) stays behind _served
        await requester_for_documents()
        found = await groups.local_by_handle(handle)
        return as_response(await activities.group_document(rt, found))
    user, viewer = await project_kit.viewer()
    return await project_kit.project_page(await project_kit.find(handle, viewer), user)


@blueprint.post("/projects/<handle>/inbox")
async def project_inbox(handle: str) -> tuple[Response, int]:
    found = await groups.local_by_handle(handle)
    return await inbox.accept(found.actor)


@blueprint.get("/projects/<handle>/outbox")
async def outbox(handle: str) -> Response:
    requester = await requester_for_documents()
    found = await _served(handle)
    return as_response(await collections.outbox(runtime(), found.actor, requester, page_request()))


@blueprint.get("/projects/<handle>/followers")
async def followers(handle: str) -> Response:
    found = await _served(handle)
    return as_response(await collections.followers(runtime(), found.actor, page_request()))


@blueprint.get("/projects/<handle>/members")
async def members_collection(handle: str) -> Response:
    found = await _served(handle)
    return as_response(activities.members_collection(found, await members.member_rows(found)))
