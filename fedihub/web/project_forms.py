"""Project forms: create and edit a project (owners and maintainers edit), post to its feed,
join and leave, answer join requests, invite by user@domain, and the invitee's page of pending
invitations (local and remote projects) to accept or decline.

Every form carries the session's CSRF token and works without JavaScript; a form refused for
its input comes back with the field's error (422, or 409 for a taken handle or a duplicate
invitation); a refused right is the error page (403), a hidden project a 404. The services
(fedihub/projects/) decide everything; this module reads forms and chooses pages.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from fedihub import models
from fedihub.errors import Conflict, Forbidden, Invalid, NotFound
from fedihub.models import InvitationState
from fedihub.projects import feed, groups, invitations, members
from fedihub.social import statuses
from fedihub.web import i18n, page_kit, project_kit, session
from fedihub.web.common import runtime
from fedihub.web.i18n import N_
from fedihub.web.page_kit import Redirect

blueprint = Blueprint("project_forms", __name__)
EXPIRY_CHOICES = (
    ("", N_("Never")),
    ("86400", N_("1 day")),
    ("604800", N_("7 days")),
    ("2592000", N_("30 days")),
    ("7776000", N_("90 days")),
)
REFUSED = (Invalid, Conflict)  # what a form shows again; a refused right or a 404 is the error page


def _split(raw: str, *, lines: bool = False) -> list[str]:
    parts = raw.splitlines() if lines else raw.replace("，", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


def _fields(form: MultiDict[str, str]) -> groups.Fields:
    return groups.Fields(
        name=form.get("name", ""),
        description=form.get("description", ""),
        tags=_split(form.get("tags", "")),
        visibility=form.get("visibility", "public"),
        start_date=form.get("start_date", "").strip(),
        end_date=form.get("end_date", "").strip(),
        repositories=_split(form.get("repositories", ""), lines=True),
    )


def _form_of(project: models.Project | None) -> dict[str, str]:
    if project is None:
        return {"visibility": "public"}
    return {
        "name": project.name,
        "description": project.description,
        "tags": ", ".join(project.tags or []),
        "visibility": project.visibility.value,
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "end_date": project.end_date.isoformat() if project.end_date else "",
        "repositories": "\n".join(project.repositories or []),
    }


async def _editor(
    project: models.Project | None, form: dict[str, str], error: str | None, status: int = 200
) -> tuple[str, int]:
    page = await render_template(
        "projects/editor.html",
        project=project,
        project_path=project_kit.path(project) if project else None,
        form=form,
        error=error,
    )
    return page, status


async def _managed(handle: str) -> tuple[models.User, models.Project]:
    user = await page_kit.signed_in()
    project = await project_kit.find(handle, user.actor)
    if not project.local:
        raise Forbidden("a remote project is edited on its own node")
    await groups.require_manager(project, user.actor)
    return user, project


@blueprint.get("/projects/new")
async def new() -> tuple[str, int]:
    await page_kit.signed_in()
    return await _editor(None, _form_of(None), None)


@blueprint.post("/projects/new")
async def create() -> Redirect | tuple[str, int]:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        handle = form.get("handle", "").strip()
        if not handle:
            raise Invalid("handle can't be blank", field="handle")
        made = await groups.create(runtime(), user.actor, handle, _fields(form))
    except REFUSED as exc:
        text = project_kit.error_text(exc, i18n.negotiate(user))
        return await _editor(None, dict(form), text, exc.status)
    return redirect(project_kit.path(made), 303)


@blueprint.get("/projects/<handle>/edit")
async def edit(handle: str) -> tuple[str, int]:
    _user, project = await _managed(handle)
    return await _editor(project, _form_of(project), None)


@blueprint.post("/projects/<handle>/edit")
async def save(handle: str) -> Redirect | tuple[str, int]:
    user, project = await _managed(handle)
    await session.require_csrf()
    form = await request.form
    try:
        await groups.update(project, _fields(form))
    except REFUSED as exc:
        await project.refresh_from_db()
        text = project_kit.error_text(exc, i18n.negotiate(user))
        return await _editor(project, dict(form), text, exc.status)
    return redirect(project_kit.path(project), 303)


# ---- the feed, joining and leaving, join requests -------------------------------------------


@blueprint.post("/projects/<handle>/posts")
async def post(handle: str) -> Redirect | tuple[str, int]:
    user = await page_kit.signed_in()
    await session.require_csrf()
    project = await project_kit.find(handle, user.actor)
    form = await request.form
    text = form.get("status", "")
    draft = statuses.Draft(text_source=text, spoiler_text=form.get("spoiler_text", ""))
    try:
        await feed.post(runtime(), user, project, draft)
    except REFUSED as exc:
        message = project_kit.error_text(exc, i18n.negotiate(user))
        return await project_kit.project_page(
            project, user, error=message, text=text, status=exc.status
        )
    return redirect(project_kit.path(project) + "#feed", 303)


@blueprint.post("/projects/<handle>/join")
async def join(handle: str) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    project = await project_kit.find(handle, user.actor)
    message = (await request.form).get("message", "")
    await members.request_join(runtime(), project, user.actor, uri=None, message=message)
    return redirect(project_kit.path(project), 303)


@blueprint.post("/projects/<handle>/leave")
async def leave(handle: str) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    project = await project_kit.find(handle, user.actor)
    await members.leave(runtime(), project, user.actor)
    if await groups.can_view(project, user.actor):
        return redirect(project_kit.path(project), 303)
    return redirect("/projects?mine=1", 303)


async def _answer_request(handle: str, raw_id: str, *, approve: bool) -> Redirect:
    _user, project = await _managed(handle)
    await session.require_csrf()
    if not raw_id.isdigit() or len(raw_id) > 19:
        raise NotFound("Record not found")
    await members.answer_request(runtime(), project, int(raw_id), approve=approve)
    return redirect(project_kit.path(project) + "#requests", 303)


@blueprint.post("/projects/<handle>/requests/<raw_id>/authorize")
async def authorize(handle: str, raw_id: str) -> Redirect:
    return await _answer_request(handle, raw_id, approve=True)


@blueprint.post("/projects/<handle>/requests/<raw_id>/reject")
async def reject_request(handle: str, raw_id: str) -> Redirect:
    return await _answer_request(handle, raw_id, approve=False)


async def _member_of(project: models.Project, raw_id: str) -> models.Actor:
    actor = await models.Actor.get_or_none(id=_id(raw_id))
    if actor is None or await groups.role_of(project, actor) is None:
        raise NotFound("Record not found")
    return actor


@blueprint.post("/projects/<handle>/members/<raw_id>/role")
async def member_role(handle: str, raw_id: str) -> Redirect:
    user, project = await _managed(handle)
    await session.require_csrf()
    member = await _member_of(project, raw_id)
    try:
        role = models.ProjectRole((await request.form).get("role", ""))
    except ValueError:
        raise Invalid("role must be owner, maintainer or member", field="role") from None
    if role is models.ProjectRole.OWNER:
        await groups.require_owner(project, user.actor)
    await members.set_role(project, member, role)
    return redirect(project_kit.path(project) + "#members", 303)


@blueprint.post("/projects/<handle>/members/<raw_id>/remove")
async def member_remove(handle: str, raw_id: str) -> Redirect:
    _user, project = await _managed(handle)
    await session.require_csrf()
    await members.remove(runtime(), project, await _member_of(project, raw_id))
    return redirect(project_kit.path(project) + "#members", 303)


# ---- invitations ------------------------------------------------------------------------------


async def _invite_page(
    project: models.Project, form: dict[str, str], error: str | None, status: int = 200
) -> tuple[str, int]:
    sent = await invitations.of_project(project)
    page = await render_template(
        "projects/invite.html",
        project=project,
        project_path=project_kit.path(project),
        form=form,
        error=error,
        roles=project_kit.ROLES,
        expiry_choices=EXPIRY_CHOICES,
        sent=sent,
        states=project_kit.INVITATION_STATES,
        role_labels=project_kit.ROLE_LABELS,
        just_sent=request.args.get("sent") == "1",
    )
    return page, status


@blueprint.get("/projects/<handle>/invite")
async def invite_form(handle: str) -> tuple[str, int]:
    _user, project = await _managed(handle)
    return await _invite_page(project, {"role": "member", "expires_in": "604800"}, None)


@blueprint.post("/projects/<handle>/invite")
async def invite(handle: str) -> Redirect | tuple[str, int]:
    user, project = await _managed(handle)
    await session.require_csrf()
    form = await request.form
    raw_expiry = form.get("expires_in", "")
    try:
        if raw_expiry and not raw_expiry.isdigit():
            raise Invalid("choose when the invitation expires", field="expires_in")
        await invitations.invite(
            runtime(),
            project,
            user.actor,
            form.get("account", ""),
            role=form.get("role", "member"),
            message=form.get("message", ""),
            expires_in=int(raw_expiry) if raw_expiry else None,
        )
    except (*REFUSED, NotFound) as exc:
        if isinstance(exc, NotFound):
            exc = Invalid("no such account", field="account")
        text = project_kit.error_text(exc, i18n.negotiate(user))
        return await _invite_page(project, dict(form), text, exc.status)
    return redirect(project_kit.path(project) + "/invite?sent=1", 303)


@blueprint.post("/projects/<handle>/invitations/<raw_id>/withdraw")
async def withdraw(handle: str, raw_id: str) -> Redirect:
    user, project = await _managed(handle)
    await session.require_csrf()
    row = await invitations.get(_id(raw_id))
    if row.project_id != project.id:
        raise NotFound("Record not found")
    await invitations.withdraw(runtime(), row, user.actor)
    return redirect(project_kit.path(project) + "/invite", 303)


def _id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 19:
        raise NotFound("Record not found")
    return int(raw)


@blueprint.get("/invitations")
async def my_invitations() -> str:
    user = await page_kit.signed_in()
    rows = await invitations.addressed_to(user.actor)
    pending = [r for r in rows if r.state is InvitationState.PENDING]
    earlier = [r for r in rows if r.state is not InvitationState.PENDING][:50]

    def shown(row: models.ProjectInvitation) -> dict[str, Any]:
        return {
            "row": row,
            "path": project_kit.path(row.project),
            "handle": project_kit.handle(row.project),
        }

    return await render_template(
        "projects/invitations.html",
        pending=[shown(r) for r in pending],
        earlier=[shown(r) for r in earlier],
        states=project_kit.INVITATION_STATES,
        role_labels=project_kit.ROLE_LABELS,
    )


async def _answer(raw_id: str, *, accept: bool) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    row = await invitations.get(_id(raw_id))
    if row.invitee_id != user.actor.id:
        raise NotFound("Record not found")
    done = await invitations.answer(runtime(), row, user.actor, accept=accept)
    if accept and done.project.local:
        return redirect(project_kit.path(done.project), 303)
    return redirect("/invitations", 303)


@blueprint.post("/invitations/<raw_id>/accept")
async def accept(raw_id: str) -> Redirect:
    return await _answer(raw_id, accept=True)


@blueprint.post("/invitations/<raw_id>/reject")
async def reject(raw_id: str) -> Redirect:
    return await _answer(raw_id, accept=False)
