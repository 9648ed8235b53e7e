"""Tasks and progress: ForgeFed `Ticket`s hosted on the project's node, whose rows are the truth.

On the project's node a member creates and changes tasks (title, description, assignee: any
member on any node, status open|in_progress|done, due date, dependencies without cycles, a
percentage); each change is published to every member's node as `Create`/`Update` of the
Ticket, and the assignee hears of her assignment in a direct message (what Mastodon shows; it
drops `Ticket`). On a member's node, tasks of a remote project are mirrors of what the project
published; she marks one done (`Resolve`) or reopens it (`Undo{Resolve}`) from there, and the
project's node checks her right to (a member) before it changes anything.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fedihub import models
from fedihub.errors import Forbidden, Invalid, NotFound
from fedihub.ids import new_id
from fedihub.models import TaskStatus
from fedihub.outbox import publish
from fedihub.projects import activities, groups, members, notices
from fedihub.runtime import Runtime

MAX_DEPENDENCIES = 50


@dataclass(frozen=True)
class Changes:
    """What a create or change sets; None leaves a field as it is (`assignee` "" unassigns)."""

    title: str | None = None
    description: str | None = None
    assignee: str | None = None  # an account id, or "" for nobody
    status: str | None = None
    due: str | None = None
    depends_on: list[str] | None = None
    progress: int | None = None


async def _assignee(project: models.Project, raw: str) -> models.Actor | None:
    if raw == "":
        return None
    if not raw.isdigit():
        raise Invalid("assignee must be an account id", field="assignee")
    actor = await models.Actor.get_or_none(id=int(raw))
    if actor is None or await groups.role_of(project, actor) is None:
        raise Invalid("a task is assigned to a member of the project", field="assignee")
    return actor


async def _dependencies(task: models.ProjectTask, raw: list[str]) -> list[int]:
    ids = []
    for value in raw[: MAX_DEPENDENCIES + 1]:
        if not str(value).isdigit():
            raise Invalid("depends_on holds task ids", field="depends_on")
        ids.append(int(value))
    if len(ids) > MAX_DEPENDENCIES:
        raise Invalid(f"at most {MAX_DEPENDENCIES} dependencies", field="depends_on")
    ids = list(dict.fromkeys(ids))
    rows = await models.ProjectTask.filter(project_id=task.project_id).values_list(
        "id", "depends_on"
    )
    graph: dict[int, list[int]] = {int(i): list(d or []) for i, d in rows}
    if any(i not in graph or i == task.id for i in ids):
        raise Invalid("depends_on names tasks of the same project", field="depends_on")
    graph[task.id] = ids
    # a cycle through this task: can it reach itself? (bounded by the project's tasks)
    seen: set[int] = set()
    stack = list(ids)
    while stack:
        current = stack.pop()
        if current == task.id:
            raise Invalid("these dependencies would make a cycle", field="depends_on")
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.get(current, []))
    return ids


def _set_status(task: models.ProjectTask, status: TaskStatus) -> None:
    task.status = status
    if status is TaskStatus.DONE:
        task.progress = 100
        task.done_at = task.done_at or datetime.now(UTC)
    else:
        task.done_at = None


async def _apply(task: models.ProjectTask, project: models.Project, c: Changes) -> bool:
    """Apply changes; True when the assignee changed."""
    if c.title is not None:
        title = c.title.strip()
        if not title or len(title) > 255:
            raise Invalid("title must be 1 to 255 characters", field="title")
        task.title = title
    if c.description is not None:
        if len(c.description) > 20_000:
            raise Invalid("description over 20000 characters", field="description")
        task.description = c.description
    if c.due is not None:
        try:
            task.due = date.fromisoformat(c.due) if c.due else None
        except ValueError:
            raise Invalid("due must be a date like 2026-01-31", field="due") from None
    if c.progress is not None:
        if not 0 <= c.progress <= 100:
            raise Invalid("progress must be 0 to 100", field="progress")
        task.progress = c.progress
    if c.status is not None:
        try:
            _set_status(task, TaskStatus(c.status))
        except ValueError:
            raise Invalid("status must be open, in_progress or done", field="status") from None
    if c.depends_on is not None:
        task.depends_on = await _dependencies(task, c.depends_on)
    changed = False
    if c.assignee is not None:
        assignee = await _assignee(project, c.assignee)
        changed = (assignee.id if assignee else None) != task.assignee_id
        task.assignee_id = assignee.id if assignee else None
    return changed


async def _tell(rt: Runtime, project: models.Project, task: models.ProjectTask, kind: str) -> None:
    recipients = await members.remote_members(project)
    if recipients:
        assignee = await models.Actor.get_or_none(id=task.assignee_id) if task.assignee_id else None
        doc = activities.ticket_activity(rt, project, task, kind, assignee)
        await publish.publish(rt, project.actor, doc, recipients)


async def _assigned(rt: Runtime, project: models.Project, task: models.ProjectTask) -> None:
    if task.assignee_id is None:
        return
    assignee = await models.Actor.get(id=task.assignee_id)
    text = (
        f'Task assigned to you in {html.escape(project.name)}: <a href="'
        f'{html.escape(task.uri, quote=True)}">{html.escape(task.title)}</a>'
    )
    await notices.direct_note(rt, project, assignee, text)


async def create(
    rt: Runtime, project: models.Project, actor: models.Actor, c: Changes
) -> models.ProjectTask:
    if not project.local:
        raise Forbidden("tasks are created on the project's own node")
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may add tasks")
    task_id = new_id()
    task = models.ProjectTask(
        id=task_id,
        uri=f"{project.actor.uri}/tasks/{task_id}",
        project=project,
        title="",
        created_by=actor,
    )
    assigned = await _apply(task, project, Changes(**{**c.__dict__, "title": c.title or ""}))
    await task.save(force_create=True)
    await _tell(rt, project, task, "Create")
    if assigned:
        await _assigned(rt, project, task)
    return task


async def change(
    rt: Runtime, task: models.ProjectTask, actor: models.Actor, c: Changes
) -> models.ProjectTask:
    project = await groups.by_id(task.project_id)
    if not project.local:
        raise Forbidden("a remote project's tasks change on its own node (resolve it from here)")
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may change its tasks")
    assigned = await _apply(task, project, c)
    await task.save()
    await _tell(rt, project, task, "Update")
    if assigned:
        await _assigned(rt, project, task)
    return task


async def delete(rt: Runtime, task: models.ProjectTask, actor: models.Actor) -> None:
    project = await groups.by_id(task.project_id)
    if not project.local:
        raise Forbidden("a remote project's tasks are deleted on its own node")
    await groups.require_manager(project, actor)
    await _tell(rt, project, task, "Delete")
    await task.delete()


async def get(task_id: int, viewer: models.Actor | None) -> models.ProjectTask:
    task = await models.ProjectTask.get_or_none(id=task_id)
    if task is None:
        raise NotFound("Record not found")
    await groups.visible(task.project_id, viewer)
    return task


async def of_project(project: models.Project) -> list[models.ProjectTask]:
    return await models.ProjectTask.filter(project_id=project.id).order_by("id").limit(1000)


async def progress(project: models.Project) -> dict[str, Any]:
    """Tasks done over total, per assignee, and done tasks per day."""
    rows = await of_project(project)
    done = [t for t in rows if t.status is TaskStatus.DONE]
    per: dict[int | None, list[int]] = {}
    for t in rows:
        counts = per.setdefault(t.assignee_id, [0, 0])
        counts[0] += 1
        counts[1] += t.status is TaskStatus.DONE
    days: dict[str, int] = {}
    for t in done:
        if t.done_at is not None:
            key = t.done_at.date().isoformat()
            days[key] = days.get(key, 0) + 1
    running = 0
    over_time = []
    for key in sorted(days):
        running += days[key]
        over_time.append({"date": key, "done": running})
    return {
        "total": len(rows),
        "done": len(done),
        "per_member": per,
        "over_time": over_time,
    }


# ---- from the inbox ----------------------------------------------------------------------------


async def receive_resolve(rt: Runtime, signer: models.Actor, uri: str, *, resolved: bool) -> None:
    """A member's Resolve (or Undo{Resolve}) of a task of a local project, from her own node."""
    task = await models.ProjectTask.get_or_none(uri=uri)
    if task is None:
        return
    project = await groups.by_id(task.project_id)
    if not project.local:
        return
    if await groups.role_of(project, signer) is None:
        raise Forbidden("only the project's members may change its tasks")
    _set_status(task, TaskStatus.DONE if resolved else TaskStatus.OPEN)
    if not resolved:
        task.progress = 0
    await task.save()
    await _tell(rt, project, task, "Update")


async def mirror(
    project: models.Project, uri: str, fields: dict[str, Any], *, deleted: bool = False
) -> None:
    """A remote project's Create/Update/Delete of one of its Tickets, kept here as it says."""
    if deleted:
        await models.ProjectTask.filter(uri=uri, project_id=project.id).delete()
        return
    await models.ProjectTask.update_or_create(defaults=fields, uri=uri, project_id=project.id)
