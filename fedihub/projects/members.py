"""Membership: who is in a project with which role, requests to join, leaving and removal.

On the project's node the rows are the truth and every change is published: `Add` or `Remove`
to the members collection, sent to every member's node, and `Accept`/`Reject` to whoever asked.
On a member's node the rows of a remote project mirror what its Group actor said (`Add`,
`Remove`, its members collection). Join requests come as `Join`, or as a `Follow` of a
members-only project (how a Mastodon user asks: `manuallyApprovesFollowers`).
"""

from __future__ import annotations

import logging

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Conflict, Forbidden, Invalid, NotFound
from fedihub.ids import new_id
from fedihub.models import FollowState, JoinState, ProjectRole
from fedihub.outbox import publish
from fedihub.projects import activities, groups
from fedihub.runtime import Runtime
from fedihub.social import activities as social_activities
from fedihub.social import counters

log = logging.getLogger(__name__)
MAX_MEMBERS_READ = 1000  # a remote members collection read at once; more is abuse


async def member_rows(project: models.Project) -> list[tuple[models.Actor, ProjectRole]]:
    rows = (
        await models.ProjectMember.filter(project_id=project.id)
        .prefetch_related("actor")
        .order_by("id")
        .limit(MAX_MEMBERS_READ)
    )
    return [(row.actor, row.role) for row in rows]


async def remote_members(project: models.Project) -> list[models.Actor]:
    """Members' actors on other nodes: where the project's activities go."""
    return await models.Actor.filter(
        project_memberships__project_id=project.id, domain__not_isnull=True
    ).only("id", "uri", "domain", "inbox", "shared_inbox", "deleted_at")


async def audience(project: models.Project) -> list[models.Actor]:
    """Remote members and remote followers: everyone who hears the project."""
    found: dict[int, models.Actor] = {a.id: a for a in await remote_members(project)}
    for actor in await publish.follower_actors(project.actor_id):
        found.setdefault(actor.id, actor)
    return list(found.values())


async def add(
    rt: Runtime, project: models.Project, member: models.Actor, role: ProjectRole
) -> models.ProjectMember:
    """Make `member` a member (local project): stored, then `Add` published to every member's
    node (the new one's too), and a follow of the Group so she hears its feed."""
    try:
        row = await models.ProjectMember.create(project=project, actor=member, role=role)
    except IntegrityError:
        raise Conflict("already a member") from None
    await models.ProjectJoinRequest.filter(project_id=project.id, actor_id=member.id).update(
        state=JoinState.ACCEPTED
    )
    if member.domain is None:
        # a local member follows the project as a remote one does, so both hear it alike
        await models.Follow.get_or_create(
            follower_id=member.id,
            target_id=project.actor_id,
            defaults={"state": FollowState.ACCEPTED},
        )
        await counters.refresh_follow_counts(member.id, project.actor_id)
    recipients = await remote_members(project)
    if recipients:
        await publish.publish(
            rt, project.actor, activities.add_member(rt, project, member, role), recipients
        )
    return row


async def remove(rt: Runtime, project: models.Project, member: models.Actor) -> None:
    """Take `member` out (local project) and tell every member's node, hers included."""
    row = await models.ProjectMember.get_or_none(project_id=project.id, actor_id=member.id)
    if row is None:
        raise NotFound("Record not found")
    if row.role is ProjectRole.OWNER:
        owners = await models.ProjectMember.filter(
            project_id=project.id, role=ProjectRole.OWNER
        ).count()
        if owners <= 1:
            raise Invalid("the project's last owner cannot leave or be removed", field="account")
    recipients = await remote_members(project)
    granted = (
        await models.ProjectInvitation.filter(
            project_id=project.id, invitee_id=member.id, state=models.InvitationState.ACCEPTED
        )
        .order_by("-id")
        .first()
    )
    await row.delete()
    await models.Follow.filter(follower_id=member.id, target_id=project.actor_id).delete()
    if recipients:
        await publish.publish(
            rt, project.actor, activities.remove_member(rt, project, member), recipients
        )
    if member.domain is not None and granted is not None and groups.speaks_forgefed(member):
        # a ForgeFed peer got a Grant when she accepted (invitations.py): it is taken back
        grant = activities.grant_id(rt, project, granted)
        await publish.publish(
            rt, project.actor, activities.revoke(rt, project, member, grant), [member]
        )


async def set_role(project: models.Project, member: models.Actor, role: ProjectRole) -> None:
    row = await models.ProjectMember.get_or_none(project_id=project.id, actor_id=member.id)
    if row is None:
        raise NotFound("Record not found")
    if row.role is ProjectRole.OWNER and role is not ProjectRole.OWNER:
        owners = await models.ProjectMember.filter(
            project_id=project.id, role=ProjectRole.OWNER
        ).count()
        if owners <= 1:
            raise Invalid("the project needs an owner", field="role")
    row.role = role
    await row.save(update_fields=["role"])


# ---- join requests -----------------------------------------------------------------------------


async def request_join(
    rt: Runtime,
    project: models.Project,
    actor: models.Actor,
    *,
    uri: str | None,
    kind: str = "Join",
    message: str = "",
) -> models.ProjectJoinRequest:
    """Record a request to join (a local user's, or a remote Join or Follow); a remote project
    gets our user's `Join`."""
    if await groups.role_of(project, actor) is not None:
        raise Conflict("already a member")
    if await models.Block.filter(actor_id=project.actor_id, target_id=actor.id).exists():
        raise Forbidden("this account may not join the project")
    if not project.local and actor.domain is None:
        uri = rt.urls.activity(actor.username, new_id())
    row, made = await models.ProjectJoinRequest.get_or_create(
        project_id=project.id,
        actor_id=actor.id,
        defaults={"uri": uri, "kind": kind, "message": message[:5000]},
    )
    if not made:
        if row.state is JoinState.PENDING and row.uri == uri:
            return row
        row.uri, row.kind, row.state, row.message = uri, kind, JoinState.PENDING, message[:5000]
        await row.save()
    if not project.local and uri is not None:
        await publish.publish(rt, actor, activities.join(rt, project, actor, uri), [project.actor])
    return row


async def pending_requests(project: models.Project) -> list[models.ProjectJoinRequest]:
    return (
        await models.ProjectJoinRequest.filter(project_id=project.id, state=JoinState.PENDING)
        .prefetch_related("actor")
        .order_by("id")
    )


async def answer_request(
    rt: Runtime, project: models.Project, actor_id: int, *, approve: bool
) -> models.ProjectJoinRequest:
    """A maintainer approves or refuses a pending request; the asker hears `Accept`/`Reject` of
    her Join or Follow."""
    request = (
        await models.ProjectJoinRequest.filter(
            project_id=project.id, actor_id=actor_id, state=JoinState.PENDING
        )
        .prefetch_related("actor")
        .first()
    )
    if request is None:
        raise NotFound("Record not found")
    asker = request.actor
    async with in_transaction():
        request.state = JoinState.ACCEPTED if approve else JoinState.REJECTED
        await request.save(update_fields=["state"])
        if approve and request.kind == "Follow":
            await models.Follow.update_or_create(
                defaults={"state": FollowState.ACCEPTED, "uri": request.uri},
                follower_id=asker.id,
                target_id=project.actor_id,
            )
        if asker.domain is not None and request.uri:
            kind = "Accept" if approve else "Reject"
            await publish.publish(
                rt, project.actor, activities.answer_request(rt, project, request, kind), [asker]
            )
    if approve:
        await add(rt, project, asker, ProjectRole.MEMBER)
        await counters.refresh_follow_counts(asker.id, project.actor_id)
    return request


# ---- leaving -----------------------------------------------------------------------------------


async def leave(rt: Runtime, project: models.Project, actor: models.Actor) -> None:
    """A local user leaves: removed here (local project) or `Leave` sent (remote project)."""
    if project.local:
        await remove(rt, project, actor)
        return
    row = await models.ProjectMember.get_or_none(project_id=project.id, actor_id=actor.id)
    if row is None:
        raise NotFound("Record not found")
    await row.delete()
    uri = rt.urls.activity(actor.username, new_id())
    follow = await models.Follow.get_or_none(follower_id=actor.id, target_id=project.actor_id)
    recipients = [project.actor]
    await publish.publish(rt, actor, activities.leave(rt, project, actor, uri), recipients)
    if follow is not None:
        await publish.publish(
            rt,
            actor,
            social_activities.undo(actor, social_activities.follow(actor, project.actor, follow)),
            recipients,
        )
        await follow.delete()


# ---- mirrors of remote projects ----------------------------------------------------------------


async def mirror_add(project: models.Project, member: models.Actor, role: ProjectRole) -> None:
    """The remote project says `member` is in (its Add, or its members collection)."""
    await models.ProjectMember.update_or_create(
        defaults={"role": role}, project_id=project.id, actor_id=member.id
    )
    if member.domain is None:
        await models.ProjectInvitation.filter(
            project_id=project.id, invitee_id=member.id, state=models.InvitationState.PENDING
        ).update(state=models.InvitationState.ACCEPTED)
        await models.ProjectJoinRequest.filter(project_id=project.id, actor_id=member.id).update(
            state=JoinState.ACCEPTED
        )


async def mirror_remove(project: models.Project, member: models.Actor) -> None:
    await models.ProjectMember.filter(project_id=project.id, actor_id=member.id).delete()
