"""Projects' inbox handlers, plugged into node.INBOX_HANDLERS (beside social's for the types both
read: Follow, Accept, Reject, Undo).

The signature was checked on receipt and its owner is the activity's actor (`signer`). Here:
an Invite must come from the project's own node and name a local invitee (either layout: AS2 and
Mobilizon put the project in `object` and the invitee in `target`, ForgeFed the reverse); an
Accept or Reject of an invitation must be the invitee's; Add and Remove are believed only from
the project's Group actor itself; Join, Leave and Follow reach local projects. Activities that
concern no project are left alone (social's handlers act on them).
"""

from __future__ import annotations

import logging

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.errors import FedihubError, Forbidden
from fedihub.models import FollowState, InvitationState, ProjectRole, ProjectVisibility
from fedihub.outbox import publish
from fedihub.projects import groups, invitations, members
from fedihub.runtime import Runtime
from fedihub.security import html
from fedihub.social import activities as social_activities
from fedihub.social import follows

log = logging.getLogger(__name__)


async def _local_project(uri: str | None) -> models.Project | None:
    if not uri:
        return None
    return (
        await models.Project.filter(actor__uri=uri, local=True, deleted_at__isnull=True)
        .prefetch_related("actor")
        .first()
    )


async def _project_of_signer(signer: models.Actor) -> models.Project | None:
    """The remote project whose Group actor signed (for Add, Remove, Accept of a Join)."""
    if signer.actor_type != "Group" or signer.domain is None:
        return None
    return await groups.for_actor(signer)


async def _local_person(uri: str | None) -> models.Actor | None:
    if not uri:
        return None
    return await models.Actor.get_or_none(
        uri=uri, domain=None, deleted_at__isnull=True, user__disabled=False
    )


# ---- invitations -------------------------------------------------------------------------------


async def on_invite(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    invitee = await _local_person(activity.target)
    project_uri = activity.object_id
    if invitee is None:
        # ForgeFed's mirror image: object = the invitee, target = the project
        invitee = await _local_person(activity.object_id)
        project_uri = activity.target
    if invitee is None or not project_uri:
        return
    # Mobilizon's able_to_invite?: an invitation is believed only from the group's own node
    if parse.host_of(project_uri) != signer.domain:
        raise Forbidden("an invitation must come from the project's own node")
    group = await resolver.fetch_actor(rt, project_uri)
    if group.actor_type != "Group":
        raise Forbidden("the invitation is not to a project (Group)")
    project = await groups.know_remote(rt, group)
    await invitations.receive_invite(
        rt,
        signer,
        project,
        invitee,
        uri=activity.id,
        role=groups.role_from(activity.instrument),
        message=html.to_plain_text(activity.content),
        expires_at=activity.end_time,
    )


async def _answered_invitation(
    signer: models.Actor, activity: parse.Activity
) -> tuple[models.Project, models.ProjectInvitation] | None:
    """The invitation of a local project an Accept/Reject answers: by the Invite's id (ForgeFed,
    fedihub), or Mobilizon's Member object {actor: invitee, object: group}."""
    row = None
    if activity.object_id:
        row = await models.ProjectInvitation.get_or_none(uri=activity.object_id)
    inner = activity.inner
    if row is None and inner is not None and inner.type == "Member":
        project = await _local_project(inner.object_id)
        if project is None:
            return None
        if inner.actor != signer.uri:
            raise Forbidden("only the invited account can answer its invitation")
        row = (
            await models.ProjectInvitation.filter(project_id=project.id, invitee_id=signer.id)
            .order_by("-id")
            .first()
        )
    if row is None:
        return None
    project = await groups.by_id(row.project_id)
    if not project.local:
        return None
    return project, row


async def on_accept_or_reject(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    accept = activity.type == "Accept"
    found = await _answered_invitation(signer, activity)
    if found is not None:
        project, invitation = found
        await invitations.receive_answer(rt, signer, project, invitation, accept=accept)
        return
    # a remote project's answer to a local user's Join (or members-only Follow)
    remote = await _project_of_signer(signer)
    if remote is None or not activity.object_id:
        return
    request = await models.ProjectJoinRequest.get_or_none(
        uri=activity.object_id, project_id=remote.id
    )
    if request is not None:
        request.state = models.JoinState.ACCEPTED if accept else models.JoinState.REJECTED
        await request.save(update_fields=["state"])


async def on_undo(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    inner = activity.inner
    if inner is not None and inner.type == "Invite" and inner.id:
        await invitations.receive_withdrawal(signer, inner.id)
    elif inner is None and activity.object_id:
        await invitations.receive_withdrawal(signer, activity.object_id)


# ---- joining and leaving -----------------------------------------------------------------------


async def on_join(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    project = await _local_project(activity.object_id)
    if project is None:
        return
    try:
        await members.request_join(
            rt,
            project,
            signer,
            uri=activity.id,
            message=html.to_plain_text(activity.content),
        )
    except FedihubError as exc:
        log.info("join of %s by %s refused: %s", project.actor.uri, signer.uri, exc.public)


async def on_leave(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    project = await _local_project(activity.object_id)
    if project is None:
        return
    if await groups.role_of(project, signer) is not None:
        await members.remove(rt, project, signer)


async def on_follow(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A Follow of a local project: public ones are followed at once (FEP-1b12); for a
    members-only one it is a membership request, or the acceptance of a pending invitation."""
    project = await _local_project(activity.object_id)
    if project is None:
        return
    group = project.actor
    if project.visibility is ProjectVisibility.PUBLIC:
        await follows.receive_follow(rt, signer, group, activity.id)
        return
    if await groups.role_of(project, signer) is not None:
        await follows.receive_follow(rt, signer, group, activity.id)
        return
    invitation = await models.ProjectInvitation.filter(
        project_id=project.id, invitee_id=signer.id, state=InvitationState.PENDING
    ).first()
    if invitation is not None and (await invitations.expire_due(invitation)).state is (
        InvitationState.PENDING
    ):
        # PROTOCOLS.md §4: a Follow from an invited actor counts as acceptance
        row, _ = await models.Follow.update_or_create(
            defaults={"state": FollowState.ACCEPTED, "uri": activity.id},
            follower_id=signer.id,
            target_id=group.id,
        )
        await publish.publish(
            rt, group, social_activities.accept_follow(group, signer, row), [signer]
        )
        await invitations.receive_answer(rt, signer, project, invitation, accept=True)
        return
    try:
        await members.request_join(rt, project, signer, uri=activity.id, kind="Follow")
    except FedihubError as exc:
        log.info("follow of %s by %s refused: %s", group.uri, signer.uri, exc.public)


# ---- a remote project's membership -------------------------------------------------------------


async def _member_actor(rt: Runtime, uri: str | None) -> models.Actor | None:
    if not uri:
        return None
    known = await models.Actor.get_or_none(uri=uri)
    if known is not None:
        return known
    try:
        return await resolver.fetch_actor(rt, uri)
    except FedihubError:
        return None


async def on_add(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    project = await _project_of_signer(signer)
    if project is None:
        return
    if activity.target not in (project.members_url, signer.uri):
        return  # added to another collection (featured posts, say): not ours to read
    member = await _member_actor(rt, activity.object_id)
    if member is None:
        return
    await members.mirror_add(project, member, groups.role_from(activity.instrument))
    if member.domain is None:
        await refresh_members(rt, project)
        if not await models.Follow.filter(follower_id=member.id, target_id=signer.id).exists():
            # a member hears the project's feed as its followers do (its Announces)
            await follows.follow(rt, member, signer)


async def on_remove(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    project = await _project_of_signer(signer)
    if project is None:
        return
    if project.members_url not in (activity.target, activity.origin_id) and (
        signer.uri not in (activity.target, activity.origin_id)
    ):
        return
    member = await models.Actor.get_or_none(uri=activity.object_id or "")
    if member is not None:
        await members.mirror_remove(project, member)


async def refresh_members(rt: Runtime, project: models.Project) -> None:
    """Read a remote project's members collection (one page of inline Member objects, as
    fedihub and Mobilizon serve it) into the local mirror."""
    if not project.members_url:
        return
    try:
        doc = await resolver.fetch_document(rt, project.members_url)
    except FedihubError as exc:
        log.info("members of %s not read: %s", project.members_url, exc.public)
        return
    items = doc.get("orderedItems") or doc.get("items") or []
    if not isinstance(items, list):
        return
    for item in items[: members.MAX_MEMBERS_READ]:
        if not isinstance(item, dict) or parse.first_str(item.get("object")) != project.actor.uri:
            continue
        member = await _member_actor(rt, parse.first_str(item.get("actor")))
        if member is not None:
            role = item.get("role")
            await members.mirror_add(
                project, member, groups.role_from(role if isinstance(role, str) else None)
            )


__all__ = [
    "ProjectRole",
    "on_accept_or_reject",
    "on_add",
    "on_follow",
    "on_invite",
    "on_join",
    "on_leave",
    "on_remove",
    "on_undo",
    "refresh_members",
]
