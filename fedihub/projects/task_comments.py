"""Comments on a project's tasks as the pages show them: the federated comments of feed.py (a
Note answering the task's Ticket, posted in the project and shared by its Group with every
member's node), read oldest first with their authors."""

from __future__ import annotations

from fedihub import models
from fedihub.errors import Invalid
from fedihub.projects import feed
from fedihub.runtime import Runtime

MAX_TEXT = 5000
MAX_READ = 500


async def add(
    rt: Runtime, author: models.User, task: models.ProjectTask, text: str
) -> models.Status:
    """A member's comment on `task`; feed.post refuses non-members."""
    body = text.strip()
    if not body or len(body) > MAX_TEXT:
        raise Invalid(f"a comment is 1 to {MAX_TEXT} characters", field="text")
    return await feed.comment(rt, author, task, body)


async def of_task(project: models.Project, task: models.ProjectTask) -> list[models.Status]:
    """The task's comments from every node, oldest first, each with its author."""
    return (
        await feed.comments(project, task).prefetch_related("actor").order_by("id").limit(MAX_READ)
    )
