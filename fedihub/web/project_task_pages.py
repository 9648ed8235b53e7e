"""A project's tasks as pages: create and edit (members of a local project), a task's page, and
moving a task across the board's columns (open, in progress, done). On a member's node a remote
project's task is only marked done or reopened: projects/remote_tasks.py sends that to the
project, which decides; everything else changes on the project's own node.
"""

from __future__ import annotations

from quart import Blueprint, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from fedihub import models
from fedihub.errors import Conflict, Forbidden, Invalid, NotFound
from fedihub.projects import groups, members, remote_tasks, task_comments, tasks
from fedihub.web import i18n, page_kit, project_kit, session
from fedihub.web.auth import safe_next
from fedihub.web.common import runtime
from fedihub.web.page_kit import Redirect

blueprint = Blueprint("project_task_pages", __name__)
REFUSED = (Invalid, Conflict)


def _id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 19:
        raise NotFound("Record not found")
    return int(raw)


async def _task(
    project: models.Project, raw_id: str, reader: models.Actor | None
) -> models.ProjectTask:
    task = await tasks.get(_id(raw_id), reader)
    if task.project_id != project.id:
        raise NotFound("Record not found")
    return task


async def _member(handle: str) -> tuple[models.User, models.Project]:
    """The signed-in member and her project (a non-member who may see it: 403)."""
    user = await page_kit.signed_in()
    project = await project_kit.find(handle, user.actor)
    if await groups.role_of(project, user.actor) is None:
        raise Forbidden("only the project's members may change its tasks")
    return user, project


def _changes(form: MultiDict[str, str]) -> tasks.Changes:
    raw_progress = form.get("progress", "").strip()
    if raw_progress and not raw_progress.lstrip("-").isdigit():
        raise Invalid("progress must be 0 to 100", field="progress")
    return tasks.Changes(
        title=form.get("title", ""),
        description=form.get("description", ""),
        assignee=form.get("assignee", ""),
        status=form.get("status", "open"),
        due=form.get("due", "").strip(),
        depends_on=form.getlist("depends_on"),
        progress=int(raw_progress) if raw_progress else None,
    )


def _form_of(task: models.ProjectTask | None) -> dict[str, object]:
    if task is None:
        return {"status": "open", "assignee": "", "depends_on": []}
    return {
        "title": task.title,
        "description": task.description,
        "assignee": str(task.assignee_id or ""),
        "status": task.status.value,
        "due": task.due.isoformat() if task.due else "",
        "progress": str(task.progress),
        "depends_on": [str(i) for i in task.depends_on or []],
    }


async def _editor(
    project: models.Project,
    task: models.ProjectTask | None,
    form: dict[str, object],
    error: str | None,
    status: int = 200,
) -> tuple[str, int]:
    others = [t for t in await tasks.of_project(project) if task is None or t.id != task.id]
    page = await render_template(
        "projects/task_form.html",
        project=project,
        project_path=project_kit.path(project),
        task=task,
        form=form,
        error=error,
        members=await members.member_rows(project),
        others=others,
        statuses=project_kit.STATUSES,
    )
    return page, status


def _kept(form: MultiDict[str, str]) -> dict[str, object]:
    kept: dict[str, object] = dict(form)
    kept["depends_on"] = form.getlist("depends_on")
    return kept


@blueprint.get("/projects/<handle>/tasks/new")
async def new(handle: str) -> tuple[str, int]:
    _user, project = await _member(handle)
    if not project.local:
        raise Forbidden("tasks are created on the project's own node")
    return await _editor(project, None, _form_of(None), None)


@blueprint.post("/projects/<handle>/tasks/new")
async def create(handle: str) -> Redirect | tuple[str, int]:
    user, project = await _member(handle)
    await session.require_csrf()
    form = await request.form
    try:
        made = await tasks.create(runtime(), project, user.actor, _changes(form))
    except REFUSED as exc:
        text = project_kit.error_text(exc, i18n.negotiate(user))
        return await _editor(project, None, _kept(form), text, exc.status)
    return redirect(f"{project_kit.path(project)}/tasks/{made.id}", 303)


async def _task_page(
    project: models.Project,
    task: models.ProjectTask,
    reader: models.Actor | None,
    *,
    error: str | None = None,
    text: str = "",
    status: int = 200,
) -> tuple[str, int]:
    ids = {i for i in (task.assignee_id, task.created_by_id) if i is not None}
    actors = await project_kit.names(ids)
    depends = await models.ProjectTask.filter(
        project_id=project.id, id__in=task.depends_on or []
    ).order_by("id")
    role = await groups.role_of(project, reader)
    page = await render_template(
        "projects/task.html",
        project=project,
        project_path=project_kit.path(project),
        task=task,
        assignee=actors.get(task.assignee_id or 0),
        creator=actors.get(task.created_by_id or 0),
        depends=depends,
        member=role is not None,
        manager=role in groups.MANAGERS,
        statuses=project_kit.STATUSES,
        status_labels=project_kit.STATUS_LABELS,
        comments=await task_comments.of_task(project, task),
        error=error,
        text=text,
    )
    return page, status


@blueprint.get("/projects/<handle>/tasks/<raw_id>")
async def show(handle: str, raw_id: str) -> tuple[str, int]:
    _user, reader = await project_kit.viewer()
    project = await project_kit.find(handle, reader)
    return await _task_page(project, await _task(project, raw_id, reader), reader)


@blueprint.post("/projects/<handle>/tasks/<raw_id>/comments")
async def comment(handle: str, raw_id: str) -> Redirect | tuple[str, int]:
    user, project = await _member(handle)
    await session.require_csrf()
    task = await _task(project, raw_id, user.actor)
    text = (await request.form).get("text", "")
    try:
        made = await task_comments.add(runtime(), user, task, text)
    except REFUSED as exc:
        message = project_kit.error_text(exc, i18n.negotiate(user))
        return await _task_page(
            project, task, user.actor, error=message, text=text, status=exc.status
        )
    return redirect(f"{project_kit.path(project)}/tasks/{task.id}#comment-{made.id}", 303)


@blueprint.get("/projects/<handle>/tasks/<raw_id>/edit")
async def edit(handle: str, raw_id: str) -> tuple[str, int]:
    user, project = await _member(handle)
    if not project.local:
        raise Forbidden("a remote project's tasks change on its own node")
    task = await _task(project, raw_id, user.actor)
    return await _editor(project, task, _form_of(task), None)


@blueprint.post("/projects/<handle>/tasks/<raw_id>/edit")
async def save(handle: str, raw_id: str) -> Redirect | tuple[str, int]:
    user, project = await _member(handle)
    await session.require_csrf()
    task = await _task(project, raw_id, user.actor)
    form = await request.form
    try:
        await tasks.change(runtime(), task, user.actor, _changes(form))
    except REFUSED as exc:
        await task.refresh_from_db()
        text = project_kit.error_text(exc, i18n.negotiate(user))
        return await _editor(project, task, _kept(form), text, exc.status)
    return redirect(f"{project_kit.path(project)}/tasks/{task.id}", 303)


@blueprint.post("/projects/<handle>/tasks/<raw_id>/status")
async def move(handle: str, raw_id: str) -> Redirect:
    """Move a task to another column of the board (a remote project's: done or open only)."""
    user, project = await _member(handle)
    await session.require_csrf()
    task = await _task(project, raw_id, user.actor)
    form = await request.form
    changes = tasks.Changes(status=form.get("status", ""))
    if project.local:
        await tasks.change(runtime(), task, user.actor, changes)
    else:
        await remote_tasks.request(runtime(), project, task, user.actor, changes)
    default = f"{project_kit.path(project)}#tasks"
    return redirect(safe_next(form.get("next") or default), 303)


@blueprint.post("/projects/<handle>/tasks/<raw_id>/delete")
async def delete(handle: str, raw_id: str) -> Redirect:
    user, project = await _member(handle)
    await session.require_csrf()
    task = await _task(project, raw_id, user.actor)
    await tasks.delete(runtime(), task, user.actor)
    return redirect(f"{project_kit.path(project)}#tasks", 303)
