"""/api/fedihub/v1: a project's tasks and progress. `GET|POST projects/:id/tasks`,
`GET|PATCH|DELETE tasks/:id`, `GET|POST tasks/:id/comments`, `GET projects/:id/progress`. On the
project's node members change tasks here; on a member's node a remote project's task is opened
(202: an `Offer` of a Ticket), assigned (`Assign`), marked done or reopened (`status` done/open:
`Resolve` or `Undo{Resolve}`), each sent to the project, which decides. Scopes `read` and
`write`.
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import (
    current_actor,
    current_user,
    optional_user,
    require_scope,
    scope_if_token,
)
from fedihub.api.common import Params, params, parse_id
from fedihub.api.entities.account import account
from fedihub.api.entities.project import task_entity
from fedihub.api.entities.status import status as status_entity
from fedihub.api.projects import visible
from fedihub.api.timelines import statuses_page
from fedihub.projects import feed, remote_tasks, tasks
from fedihub.web.common import runtime

blueprint = Blueprint("api_project_tasks", __name__)
V1 = "/api/fedihub/v1"


def _changes(p: Params) -> tasks.Changes:
    return tasks.Changes(
        title=p.str("title"),
        description=p.str("description"),
        assignee=p.str("assignee") if p.has("assignee") else None,
        status=p.str("status"),
        due=p.str("due"),
        depends_on=[str(v) for v in p.list("depends_on")] if p.has("depends_on") else None,
        progress=p.int("progress", None, low=0, high=100),
    )


async def _viewer() -> models.Actor | None:
    user = await optional_user()
    return user.actor if user is not None else None


async def _entities(rows: list[models.ProjectTask]) -> list[dict[str, object]]:
    ids = {t.assignee_id for t in rows if t.assignee_id is not None}
    actors = {a.id: a for a in await models.Actor.filter(id__in=ids)} if ids else {}
    return [task_entity(t, actors.get(t.assignee_id or 0)) for t in rows]


@blueprint.get(f"{V1}/projects/<raw_id>/tasks")
@scope_if_token("read")
async def index(raw_id: str) -> Response:
    project = await visible(raw_id, await _viewer())
    return jsonify(await _entities(await tasks.of_project(project)))


@blueprint.post(f"{V1}/projects/<raw_id>/tasks")
@require_scope("write")
async def create(raw_id: str) -> Response | tuple[Response, int]:
    project = await visible(raw_id, current_actor())
    changes = _changes(await params())
    if not project.local:
        offer = await remote_tasks.offer(runtime(), project, current_actor(), changes)
        return jsonify({"offer": offer}), 202
    made = await tasks.create(runtime(), project, current_actor(), changes)
    return jsonify((await _entities([made]))[0])


@blueprint.get(f"{V1}/tasks/<raw_id>")
@scope_if_token("read")
async def show(raw_id: str) -> Response:
    task = await tasks.get(parse_id(raw_id), await _viewer())
    return jsonify((await _entities([task]))[0])


@blueprint.patch(f"{V1}/tasks/<raw_id>")
@require_scope("write")
async def update(raw_id: str) -> Response:
    actor = current_actor()
    task = await tasks.get(parse_id(raw_id), actor)
    project = await visible(str(task.project_id), actor)
    changes = _changes(await params())
    if project.local:
        task = await tasks.change(runtime(), task, actor, changes)
    else:
        await remote_tasks.request(runtime(), project, task, actor, changes)
    return jsonify((await _entities([task]))[0])


@blueprint.delete(f"{V1}/tasks/<raw_id>")
@require_scope("write")
async def destroy(raw_id: str) -> Response:
    actor = current_actor()
    await tasks.delete(runtime(), await tasks.get(parse_id(raw_id), actor), actor)
    return jsonify({})


@blueprint.get(f"{V1}/tasks/<raw_id>/comments")
@scope_if_token("read", "read:statuses")
async def comments(raw_id: str) -> Response:
    viewer = await _viewer()
    task = await tasks.get(parse_id(raw_id), viewer)
    project = await visible(str(task.project_id), viewer)
    return await statuses_page(feed.comments(project, task), viewer)


@blueprint.post(f"{V1}/tasks/<raw_id>/comments")
@require_scope("write", "write:statuses")
async def comment(raw_id: str) -> Response:
    actor = current_actor()
    task = await tasks.get(parse_id(raw_id), actor)
    p = await params()
    made = await feed.comment(runtime(), current_user(), task, p.str("status", "") or "")
    return jsonify(await status_entity(runtime(), made, actor))


@blueprint.get(f"{V1}/projects/<raw_id>/progress")
@scope_if_token("read")
async def progress(raw_id: str) -> Response:
    project = await visible(raw_id, await _viewer())
    figures = await tasks.progress(project)
    rt = runtime()
    per = figures["per_member"]
    ids = [i for i in per if i is not None]
    actors = {a.id: a for a in await models.Actor.filter(id__in=ids)} if ids else {}
    figures["per_member"] = [
        {
            "account": account(rt, actors[i]) if i in actors else None,
            "total": counts[0],
            "done": counts[1],
        }
        for i, counts in per.items()
    ]
    return jsonify(figures)
