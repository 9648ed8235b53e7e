"""What the project pages share: finding a project by its handle (local `name` or remote
`name@domain`, a members-only one hidden from non-members as the API hides it), the page's own
path, the signed-in member, error messages with the project forms' field names, and the project
page itself (feed, members, join requests, tasks board, progress chart), which forms that fail
render again with their error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from quart import render_template
from tortoise.expressions import Q

from fedihub import models
from fedihub.errors import FedihubError, NotFound
from fedihub.models import JoinState, ProjectVisibility, TaskStatus
from fedihub.projects import groups, members, tasks
from fedihub.web import auth, i18n, page_kit, project_chart
from fedihub.web.common import runtime
from fedihub.web.i18n import N_

ROLES = (
    ("member", N_("Member")),
    ("maintainer", N_("Maintainer")),
    ("owner", N_("Owner")),
)
ROLE_LABELS = dict(ROLES)
STATUSES = (
    ("open", N_("Open")),
    ("in_progress", N_("In progress")),
    ("done", N_("Done")),
)
STATUS_LABELS = dict(STATUSES)
INVITATION_STATES = {
    "pending": N_("Pending"),
    "accepted": N_("Accepted"),
    "rejected": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
    "expired": N_("Expired"),
}
FIELD_LABELS = {
    "handle": N_("Handle"),
    "name": N_("Name"),
    "description": N_("Description"),
    "tags": N_("Tags"),
    "visibility": N_("Visibility"),
    "start_date": N_("Start date"),
    "end_date": N_("End date"),
    "repositories": N_("Repositories"),
    "account": N_("Account"),
    "role": N_("Role"),
    "message": N_("Message"),
    "expires_in": N_("Expires"),
    "title": N_("Title"),
    "assignee": N_("Assignee"),
    "status": N_("Status"),
    "due": N_("Due date"),
    "depends_on": N_("Depends on"),
    "progress": N_("Progress (%)"),
    "text": N_("Text"),
}

# the services' messages a project page shows (fedihub/projects/), translated where shown
SERVICE_MESSAGES = (
    N_("name must be 1 to 255 characters"),
    N_("visibility must be public or members"),
    N_("start_date must be a date like 2026-01-31"),
    N_("end_date must be a date like 2026-01-31"),
    N_("end_date is before start_date"),
    N_("repositories must be http(s) URLs"),
    N_("handle can't be blank"),
    N_("only the project's owners and maintainers may do this"),
    N_("only the project's owners may do this"),
    N_("title must be 1 to 255 characters"),
    N_("due must be a date like 2026-01-31"),
    N_("progress must be 0 to 100"),
    N_("status must be open, in_progress or done"),
    N_("a task is assigned to a member of the project"),
    N_("these dependencies would make a cycle"),
    N_("depends_on names tasks of the same project"),
    N_("only the project's members may add tasks"),
    N_("only the project's members may change its tasks"),
    N_("only the project's members may comment on its tasks"),
    N_("role must be owner, maintainer or member"),
    N_("only people can be invited"),
    N_("already a member"),
    N_("this account has a pending invitation already"),
    N_("account is required: user@domain or an account id"),
    N_("no such account"),
    N_("choose when the invitation expires"),
    N_("the project's last owner cannot leave or be removed"),
    N_("the project needs an owner"),
    N_("only the project's members may post to it"),
    N_("posting to a members-only project's feed is not available yet"),
    N_("a remote project is edited on its own node"),
    N_("tasks are created on the project's own node"),
    N_("a remote project's tasks change on its own node"),
    N_("a remote project's tasks are commented on its own node"),
    N_("this account may not join the project"),
    N_("this account is blocked by the project"),
)


def path(project: models.Project) -> str:
    """The project's page here: /projects/name, or /projects/name@domain for a remote one."""
    actor = project.actor
    return f"/projects/{actor.username}" + (f"@{actor.domain}" if actor.domain else "")


def handle(project: models.Project) -> str:
    actor = project.actor
    return f"@{actor.username}@{actor.domain or runtime().urls.domain}"


async def viewer() -> tuple[models.User | None, models.Actor | None]:
    user = await auth.viewer()
    return user, (user.actor if user is not None else None)


async def find(raw: str, reader: models.Actor | None) -> models.Project:
    """The project named `raw` if `reader` may see it; NotFound otherwise."""
    name, _, domain = raw.partition("@")
    if not name or len(raw) > 300:
        raise NotFound("Record not found")
    if domain:
        found = (
            await models.Project.filter(
                actor__username__iexact=name,
                actor__domain__iexact=domain,
                local=False,
                deleted_at__isnull=True,
            )
            .prefetch_related("actor")
            .first()
        )
        if found is None:
            raise NotFound("Record not found")
    else:
        found = await groups.local_by_handle(name)
    if not await groups.can_view(found, reader):
        raise NotFound("Record not found")
    return found


def error_text(exc: FedihubError, locale: str) -> str:
    """'Field: message' in the page's language, with the project forms' field names."""
    label = FIELD_LABELS.get(exc.field or "")
    if label is None:
        return i18n.error_text(exc, locale)
    separator = "：" if locale == "zh" else ": "
    return f"{i18n.translate(label, locale)}{separator}{i18n.translate(exc.public, locale)}"


async def front(reader: models.Actor | None, limit: int = 6) -> list[dict[str, Any]]:
    """The newest projects `reader` may see, for the front page."""
    found = await groups.search(reader, limit=limit)
    counts = await groups.members_count([p.id for p in found])
    return [
        {"project": p, "path": path(p), "handle": handle(p), "members": counts[p.id]} for p in found
    ]


async def names(ids: set[int]) -> dict[int, models.Actor]:
    return {a.id: a for a in await models.Actor.filter(id__in=ids)} if ids else {}


async def board(
    project: models.Project,
) -> dict[str, list[tuple[models.ProjectTask, models.Actor | None]]]:
    """The project's tasks in their columns, each with its assignee."""
    rows = await tasks.of_project(project)
    actors = await names({t.assignee_id for t in rows if t.assignee_id is not None})
    columns: dict[str, list[tuple[models.ProjectTask, models.Actor | None]]] = {
        s.value: [] for s in TaskStatus
    }
    for task in rows:
        columns[task.status.value].append((task, actors.get(task.assignee_id or 0)))
    return columns


async def chart(project: models.Project, locale: str) -> project_chart.Chart:
    figures = await tasks.progress(project)
    ids = {i for i in figures["per_member"] if i is not None}
    labels = {i: a.display_name or a.username for i, a in (await names(ids)).items()}
    return project_chart.chart(
        figures,
        labels,
        i18n.translate("All tasks", locale),
        i18n.translate("Unassigned", locale),
        datetime.now(UTC).date(),
    )


async def project_page(
    project: models.Project,
    user: models.User | None,
    *,
    error: str | None = None,
    text: str = "",
    status: int = 200,
) -> tuple[str, int]:
    """The project page; a failed post shows it again with the error and the text kept."""
    reader = user.actor if user is not None else None
    locale = i18n.negotiate(user)
    role = await groups.role_of(project, reader)
    manager = role in groups.MANAGERS
    feed = await page_kit.page(
        models.Status.filter(
            Q(audience_uri=project.actor.uri),
            deleted_at__isnull=True,
            reblog_of_id__isnull=True,
        )
    )
    asked = (
        reader is not None
        and role is None
        and await models.ProjectJoinRequest.filter(
            project_id=project.id, actor_id=reader.id, state=JoinState.PENDING
        ).exists()
    )
    context: dict[str, Any] = {
        "project": project,
        "project_path": path(project),
        "handle": handle(project),
        "members": await members.member_rows(project),
        "role": role.value if role else None,
        "manager": manager,
        "asked": asked,
        "requests": await members.pending_requests(project) if manager and project.local else [],
        "can_post": role is not None and project.visibility is ProjectVisibility.PUBLIC,
        "items": await page_kit.statuses(feed.rows, reader),
        "paged": feed,
        "board": await board(project),
        "chart": await chart(project, locale),
        "role_labels": ROLE_LABELS,
        "role_choices": ROLES,
        "statuses": STATUSES,
        "error": error,
        "text": text,
    }
    return await render_template("projects/show.html", **context), status
