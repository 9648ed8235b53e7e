"""Projects as Group actors: creating, editing and deleting local ones, knowing remote ones, and
who may see and do what (roles, visibility).

A local project is an `Actor` of type Group with a `Project` row holding its key; its handle
shares the namespace of local users (WebFinger answers `handle@node` for either). A remote project
is the Group actor of a peer with a `Project` row of its own (`local=False`), so that it has a
local id for the API. Imports models, accounts and the outbox; never web or API code.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.accounts import resolver, users
from fedihub.errors import Conflict, Forbidden, Invalid, NotFound
from fedihub.models import ProjectRole, ProjectVisibility
from fedihub.runtime import Runtime
from fedihub.security import html, keys
from fedihub.social import counters

MAX_TAGS = 20
MAX_REPOSITORIES = 20
MAX_DESCRIPTION = 10_000
_TAG = re.compile(r"^[\w-]{1,64}$", re.UNICODE)
# the roles that may invite, remove members, answer join requests and edit the project
MANAGERS = frozenset({ProjectRole.OWNER, ProjectRole.MAINTAINER})
# ForgeFed's role ladder (spec.bs § Values/Roles) and Mobilizon's role names, read on input
ROLE_NAMES: dict[str, ProjectRole] = {
    "owner": ProjectRole.OWNER,
    "admin": ProjectRole.OWNER,
    "creator": ProjectRole.OWNER,
    "administrator": ProjectRole.OWNER,
    "maintainer": ProjectRole.MAINTAINER,
    "maintain": ProjectRole.MAINTAINER,
    "moderator": ProjectRole.MAINTAINER,
    "member": ProjectRole.MEMBER,
    "write": ProjectRole.MEMBER,
    "triage": ProjectRole.MEMBER,
    "report": ProjectRole.MEMBER,
}
FORGEFED_ROLE = {
    ProjectRole.OWNER: "admin",
    ProjectRole.MAINTAINER: "maintain",
    ProjectRole.MEMBER: "write",
}


def role_from(value: str | None, default: ProjectRole = ProjectRole.MEMBER) -> ProjectRole:
    """A role from our names, ForgeFed's or Mobilizon's (a URL's last segment counts)."""
    if not value:
        return default
    name = value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    return ROLE_NAMES.get(name, default)


@dataclass(frozen=True)
class Fields:
    """What a create or update sets; None leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    visibility: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    repositories: list[str] | None = None


def _date(value: str, field: str) -> date | None:
    if value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be a date like 2026-01-31", field=field) from None


def _tags(values: list[str]) -> list[str]:
    out: list[str] = []
    for raw in values[: MAX_TAGS + 1]:
        tag = str(raw).strip().lstrip("#")
        if not tag:
            continue
        if not _TAG.match(tag):
            raise Invalid(f"tag {tag[:70]!r} may use only letters, digits, _ and -", field="tags")
        if tag.lower() not in (t.lower() for t in out):
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise Invalid(f"at most {MAX_TAGS} tags", field="tags")
    return out


def _repositories(values: list[str]) -> list[str]:
    out = []
    for raw in values:
        url = html.safe_link(str(raw).strip())
        if url is None:
            raise Invalid("repositories must be http(s) URLs", field="repositories")
        out.append(url)
    if len(out) > MAX_REPOSITORIES:
        raise Invalid(f"at most {MAX_REPOSITORIES} repositories", field="repositories")
    return out


def _apply(project: models.Project, f: Fields) -> None:
    if f.name is not None:
        name = f.name.strip()
        if not name or len(name) > 255:
            raise Invalid("name must be 1 to 255 characters", field="name")
        project.name = name
    if f.description is not None:
        if len(f.description) > MAX_DESCRIPTION:
            raise Invalid(f"description over {MAX_DESCRIPTION} characters", field="description")
        project.description = f.description
    if f.tags is not None:
        project.tags = _tags(f.tags)
    if f.visibility is not None:
        try:
            project.visibility = ProjectVisibility(f.visibility)
        except ValueError:
            raise Invalid("visibility must be public or members", field="visibility") from None
    if f.start_date is not None:
        project.start_date = _date(f.start_date, "start_date")
    if f.end_date is not None:
        project.end_date = _date(f.end_date, "end_date")
    if f.repositories is not None:
        project.repositories = _repositories(f.repositories)
    if project.start_date and project.end_date and project.end_date < project.start_date:
        raise Invalid("end_date is before start_date", field="end_date")


async def create(rt: Runtime, owner: models.Actor, handle: str, f: Fields) -> models.Project:
    """A local project whose Group actor answers to `handle@node`; `owner` is its first member."""
    name = users.validate_username(handle)
    project = models.Project(local=True, name="")
    _apply(project, replace(f, name=f.name or name))
    if await models.Actor.filter(username__iexact=name, domain=None).exists():
        raise Conflict(f"the handle {name!r} is taken", field="handle")
    if await models.User.filter(username_key=name.lower()).exists():
        raise Conflict(f"the handle {name!r} is taken", field="handle")
    private_key = await asyncio.to_thread(keys.generate_private_key)
    urls = rt.urls
    manual = project.visibility is ProjectVisibility.MEMBERS
    try:
        async with in_transaction():
            actor = await models.Actor.create(
                uri=urls.project(name),
                actor_type="Group",
                username=name,
                domain=None,
                display_name=project.name,
                summary=html.text_to_html(project.description),
                url=urls.project(name),
                inbox=urls.project_inbox(name),
                outbox=urls.project_outbox(name),
                shared_inbox=urls.shared_inbox,
                followers_url=urls.project_followers(name),
                following_url=None,
                featured_url=None,
                public_key_id=urls.project_key_id(name),
                public_key_pem=keys.public_pem(private_key),
                manually_approves=manual,
                discoverable=not manual,
            )
            project.actor = actor
            project.members_url = urls.project_members(name)
            project.private_key_sealed = keys.seal(private_key, rt.secrets.kek)
            await project.save()
            await models.ProjectMember.create(project=project, actor=owner, role=ProjectRole.OWNER)
            # members hear the feed as followers do (members.add does the same for the others)
            await models.Follow.create(
                follower=owner, target=actor, state=models.FollowState.ACCEPTED
            )
    except IntegrityError:
        raise Conflict(f"the handle {name!r} is taken", field="handle") from None
    await counters.refresh_follow_counts(owner.id, actor.id)
    return project


async def update(project: models.Project, f: Fields) -> models.Project:
    """Change a local project's fields; its Group actor follows (name, summary, locked)."""
    if not project.local:
        raise Forbidden("a remote project is edited on its own node")
    _apply(project, f)
    actor = await models.Actor.get(id=project.actor_id)
    actor.display_name = project.name
    actor.summary = html.text_to_html(project.description)
    actor.manually_approves = project.visibility is ProjectVisibility.MEMBERS
    actor.discoverable = not actor.manually_approves
    async with in_transaction():
        await project.save()
        await actor.save()
    project.actor = actor
    return project


async def delete(project: models.Project) -> None:
    """Mark a local project and its Group actor deleted (its ids never name anything else)."""
    if not project.local:
        raise Forbidden("a remote project is deleted on its own node")
    now = datetime.now(UTC)
    project.deleted_at = now
    await project.save(update_fields=["deleted_at"])
    await models.Actor.filter(id=project.actor_id).update(deleted_at=now)


async def by_id(project_id: int) -> models.Project:
    found = (
        await models.Project.filter(id=project_id, deleted_at__isnull=True)
        .prefetch_related("actor")
        .first()
    )
    if found is None:
        raise NotFound("Record not found")
    return found


async def local_by_handle(handle: str) -> models.Project:
    found = (
        await models.Project.filter(
            actor__username__iexact=handle, actor__domain=None, local=True, deleted_at__isnull=True
        )
        .prefetch_related("actor")
        .first()
    )
    if found is None:
        raise NotFound("no such project")
    return found


def speaks_forgefed(actor: models.Actor) -> bool:
    """ForgeFed peers (Vervis, Forgejo) put ForgeFed's context in their actors' documents: they
    get ForgeFed's Grant and Revoke as well."""
    context = (actor.document or {}).get("@context")
    contexts = context if isinstance(context, list) else [context]
    return any(isinstance(c, str) and "forgefed.org" in c for c in contexts)


async def for_actor(actor: models.Actor) -> models.Project | None:
    """The project whose Group actor `actor` is, if any."""
    return (
        await models.Project.filter(actor_id=actor.id, deleted_at__isnull=True)
        .prefetch_related("actor")
        .first()
    )


async def know_remote(rt: Runtime, group: models.Actor) -> models.Project:
    """The local row of a remote project's Group actor (made on first sight)."""
    if group.actor_type != "Group" or group.domain is None:
        raise Invalid("not a remote project", field="acct")
    existing = await for_actor(group)
    doc: dict[str, Any] = dict(group.document or {})
    members = doc.get("members")
    values: dict[str, Any] = {
        "name": (group.display_name or group.username)[:255],
        "description": group.summary,
        "visibility": ProjectVisibility.MEMBERS
        if group.manually_approves
        else ProjectVisibility.PUBLIC,
        "members_url": members if isinstance(members, str) and len(members) <= 768 else None,
    }
    for key, column in (("startTime", "start_date"), ("endTime", "end_date")):
        raw = doc.get(key)
        values[column] = _remote_date(raw)
    if existing is not None:
        await existing.update_from_dict(values).save()
        return existing
    try:
        made = await models.Project.create(actor=group, local=False, **values)
    except IntegrityError:  # another job stored it first
        made = await models.Project.get(actor_id=group.id)
    made.actor = group
    return made


def _remote_date(raw: object) -> date | None:
    if not isinstance(raw, str) or len(raw) < 10:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


async def lookup(rt: Runtime, acct: str) -> models.Project:
    """A project by `handle@domain` (local or remote; a remote one is fetched and kept)."""
    actor = await resolver.resolve_account(rt, acct)
    if actor.is_local:
        project = await for_actor(actor)
        if project is None:
            raise NotFound(f"{acct} is not a project")
        return project
    if actor.actor_type != "Group":
        raise NotFound(f"{acct} is not a project")
    return await know_remote(rt, actor)


async def role_of(project: models.Project, actor: models.Actor | None) -> ProjectRole | None:
    if actor is None:
        return None
    row = await models.ProjectMember.get_or_none(project_id=project.id, actor_id=actor.id)
    return row.role if row else None


async def is_member_node(project: models.Project, domain: str | None) -> bool:
    """Whether a member's account lives on `domain` (None: this node)."""
    return await models.ProjectMember.filter(project_id=project.id, actor__domain=domain).exists()


async def can_view(project: models.Project, viewer: models.Actor | None) -> bool:
    """Public projects are seen by everyone; members-only ones by their members only."""
    if project.visibility is ProjectVisibility.PUBLIC:
        return True
    return await role_of(project, viewer) is not None


async def visible(project_id: int, viewer: models.Actor | None) -> models.Project:
    """The project if `viewer` may see it; NotFound otherwise (a hidden one looks like none)."""
    project = await by_id(project_id)
    if not await can_view(project, viewer):
        raise NotFound("Record not found")
    return project


async def require_manager(project: models.Project, actor: models.Actor) -> ProjectRole:
    role = await role_of(project, actor)
    if role not in MANAGERS:
        raise Forbidden("only the project's owners and maintainers may do this")
    assert role is not None
    return role


async def require_owner(project: models.Project, actor: models.Actor) -> None:
    if await role_of(project, actor) is not ProjectRole.OWNER:
        raise Forbidden("only the project's owners may do this")


async def search(
    viewer: models.Actor | None,
    *,
    q: str | None = None,
    tag: str | None = None,
    mine: bool = False,
    limit: int = 40,
    offset: int = 0,
) -> list[models.Project]:
    """Projects `viewer` may see, newest first: matching `q` in name or description, having
    `tag`, or (mine) those `viewer` is a member of."""
    query = models.Project.filter(deleted_at__isnull=True)
    member_of = Q(members__actor_id=viewer.id) if viewer is not None else Q(id=-1)
    if mine:
        query = query.filter(member_of)
    else:
        query = query.filter(Q(visibility=ProjectVisibility.PUBLIC) | member_of)
    if q:
        query = query.filter(Q(name__icontains=q) | Q(description__icontains=q))
    rows = await query.distinct().order_by("-id").offset(offset).limit(limit * 4 + 10)
    if tag:
        wanted = tag.lstrip("#").lower()
        rows = [row for row in rows if wanted in (t.lower() for t in row.tags or [])]
    rows = rows[:limit]
    actors = {a.id: a for a in await models.Actor.filter(id__in=[r.actor_id for r in rows])}
    for row in rows:
        row.actor = actors[row.actor_id]
    return rows


async def members_count(project_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = dict.fromkeys(project_ids, 0)
    query = models.ProjectMember.filter(project_id__in=project_ids).values_list(
        "project_id", flat=True
    )
    for pid in await models.column(query):
        counts[int(pid)] += 1
    return counts
