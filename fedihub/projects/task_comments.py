"""Comments on the tasks of a local project: members write them, whoever may see the project
reads them on the task's page. They stay on the project's node for now (no Note to members'
nodes yet), so a remote project's task is commented on its own node.
"""

from __future__ import annotations

from fedihub import models
from fedihub.errors import Forbidden, Invalid
from fedihub.projects import groups

MAX_TEXT = 5000
MAX_READ = 500


async def add(
    project: models.Project, task: models.ProjectTask, author: models.Actor, text: str
) -> models.ProjectTaskComment:
    """A member's comment on `task` (a task of the local `project`)."""
    if not project.local or task.project_id != project.id:
        raise Forbidden("a remote project's tasks are commented on its own node")
    if await groups.role_of(project, author) is None:
        raise Forbidden("only the project's members may comment on its tasks")
    body = text.strip()
    if not body or len(body) > MAX_TEXT:
        raise Invalid(f"a comment is 1 to {MAX_TEXT} characters", field="text")
    return await models.ProjectTaskComment.create(task=task, author=author, text=body)


async def of_task(task: models.ProjectTask) -> list[models.ProjectTaskComment]:
    """The task's comments, oldest first, each with its author."""
    return (
        await models.ProjectTaskComment.filter(task_id=task.id)
        .prefetch_related("author")
        .order_by("id")
        .limit(MAX_READ)
    )
