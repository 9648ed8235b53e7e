"""Invitations: an owner or maintainer invites a local or remote researcher; she answers from her
own node. Workflow `pending → accepted | rejected | withdrawn | expired`.

On the project's node: `invite` stores the invitation, delivers an `Invite` (object = project,
target = invitee: Mobilizon's layout) to the invitee's node and a direct message from the project
to the invitee (what Mastodon and every app show; Mastodon drops `Invite`). An `Accept` is
checked by `receive_answer`: the one answering must be the invitee (the signature's owner, checked
on receipt, is the activity's actor) and the invitation still pending and unexpired.

On the invitee's node: `receive_invite` keeps a received invitation; `answer` sends the
invitee's `Accept` or `Reject` of the Invite's id.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.accounts import resolver
from fedihub.errors import Conflict, FedihubError, Forbidden, Invalid, NotFound
from fedihub.ids import new_id
from fedihub.models import InvitationState, ProjectRole
from fedihub.notifications import policy
from fedihub.outbox import publish
from fedihub.projects import activities, groups, members, notices
from fedihub.runtime import Runtime

MAX_EXPIRES_IN = 90 * 24 * 3600
MAX_MESSAGE = 2000


def _expired(invitation: models.ProjectInvitation, now: datetime) -> bool:
    return invitation.expires_at is not None and invitation.expires_at <= now


async def expire_due(invitation: models.ProjectInvitation) -> models.ProjectInvitation:
    """A pending invitation past its time becomes expired (checked whenever one is read)."""
    if invitation.state is InvitationState.PENDING and _expired(invitation, datetime.now(UTC)):
        invitation.state = InvitationState.EXPIRED
        await invitation.save(update_fields=["state"])
    return invitation


async def _invitee(rt: Runtime, account: str) -> models.Actor:
    account = account.strip()
    if not account:
        raise Invalid("account is required: user@domain or an account id", field="account")
    if account.isdigit():
        found = await models.Actor.get_or_none(id=int(account), deleted_at__isnull=True)
        if found is None:
            raise NotFound("Record not found")
        return found
    if "@" not in account.lstrip("@") and not account.startswith(("https://", "http://")):
        account = f"{account.lstrip('@')}@{rt.urls.domain}"  # a local username alone
    try:
        return await resolver.resolve_account(rt, account)
    except NotFound:
        raise
    except FedihubError as exc:
        raise Invalid(f"cannot find {account}: {exc.public}", field="account") from None


async def invite(
    rt: Runtime,
    project: models.Project,
    inviter: models.Actor,
    account: str,
    *,
    role: str = "member",
    message: str = "",
    expires_in: int | None = None,
) -> models.ProjectInvitation:
    """Invite `account` to a local project (inviter: an owner or maintainer)."""
    if not project.local:
        raise Forbidden("invitations to a remote project are sent from its own node")
    await groups.require_manager(project, inviter)
    try:
        wanted = ProjectRole(role or "member")
    except ValueError:
        raise Invalid("role must be owner, maintainer or member", field="role") from None
    if len(message) > MAX_MESSAGE:
        raise Invalid(f"message over {MAX_MESSAGE} characters", field="message")
    if expires_in is not None and not 60 <= expires_in <= MAX_EXPIRES_IN:
        raise Invalid(f"expires_in must be 60 to {MAX_EXPIRES_IN} seconds", field="expires_in")
    invitee = await _invitee(rt, account)
    if invitee.actor_type not in ("Person", "Service"):
        raise Invalid("only people can be invited", field="account")
    if await groups.role_of(project, invitee) is not None:
        raise Conflict("already a member", field="account")
    if await models.Block.filter(actor_id=project.actor_id, target_id=invitee.id).exists():
        raise Forbidden("this account is blocked by the project")
    pending = await models.ProjectInvitation.filter(
        project_id=project.id, invitee_id=invitee.id, state=InvitationState.PENDING
    )
    for earlier in pending:
        if (await expire_due(earlier)).state is InvitationState.PENDING:
            raise Conflict("this account has a pending invitation already", field="account")
    invitation_id = new_id()
    now = datetime.now(UTC)
    invitation = models.ProjectInvitation(
        id=invitation_id,
        uri=rt.urls.project_activity(project.actor.username, "invite", invitation_id),
        project=project,
        invitee=invitee,
        inviter=inviter,
        role=wanted,
        message=message.strip(),
        expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
        created_at=now,
    )
    async with in_transaction():
        await invitation.save(force_create=True)
        if invitee.domain is not None:
            await publish.publish(rt, inviter, activities.invite(rt, invitation), [invitee])
    await notices.direct_note(rt, project, invitee, _invitation_text(rt, invitation))
    return invitation


def _invitation_text(rt: Runtime, invitation: models.ProjectInvitation) -> str:
    project = invitation.project
    link = html.escape(project.actor.url or project.actor.uri, quote=True)
    handle = html.escape(f"{project.actor.username}@{rt.urls.domain}")
    text = (
        f"{html.escape(invitation.inviter.display_name or invitation.inviter.username)} invites "
        f'you to the project <a href="{link}">{html.escape(project.name)}</a> as '
        f"{invitation.role.value}. To accept, accept the invitation on your node, or follow "
        f"@{handle}."
    )
    if invitation.message:
        text += f"<br>{html.escape(invitation.message)}"
    return text


async def withdraw(rt: Runtime, invitation: models.ProjectInvitation, actor: models.Actor) -> None:
    """The inviter (or a manager) withdraws a pending invitation; the invitee's node hears Undo."""
    project = await groups.by_id(invitation.project_id)
    if not project.local:
        raise Forbidden("only the project's node withdraws its invitations")
    if invitation.inviter_id != actor.id:
        await groups.require_manager(project, actor)
    await expire_due(invitation)
    if invitation.state is not InvitationState.PENDING:
        raise Invalid(f"the invitation is {invitation.state.value}", field="state")
    invitation.state = InvitationState.WITHDRAWN
    invitation.answered_at = datetime.now(UTC)
    await invitation.fetch_related("invitee", "inviter")
    invitation.project = project
    async with in_transaction():
        await invitation.save(update_fields=["state", "answered_at"])
        if invitation.invitee.domain is not None:
            await publish.publish(
                rt,
                invitation.inviter,
                activities.undo_invite(rt, invitation),
                [invitation.invitee],
            )


async def _listed(**where: object) -> list[models.ProjectInvitation]:
    rows = (
        await models.ProjectInvitation.filter(**where)
        .prefetch_related("project__actor", "invitee", "inviter")
        .order_by("-id")
        .limit(200)
    )
    return [await expire_due(row) for row in rows]


async def addressed_to(actor: models.Actor) -> list[models.ProjectInvitation]:
    return await _listed(invitee_id=actor.id)


async def of_project(project: models.Project) -> list[models.ProjectInvitation]:
    return await _listed(project_id=project.id)


async def get(invitation_id: int) -> models.ProjectInvitation:
    row = (
        await models.ProjectInvitation.filter(id=invitation_id)
        .prefetch_related("project__actor", "invitee", "inviter")
        .first()
    )
    if row is None:
        raise NotFound("Record not found")
    return await expire_due(row)


async def answer(
    rt: Runtime, invitation: models.ProjectInvitation, invitee: models.Actor, *, accept: bool
) -> models.ProjectInvitation:
    """The invitee accepts or declines, from her own node."""
    if invitation.invitee_id != invitee.id:
        raise NotFound("Record not found")
    await expire_due(invitation)
    if invitation.state is not InvitationState.PENDING:
        raise Invalid(f"the invitation is {invitation.state.value}", field="state")
    project = invitation.project
    invitation.state = InvitationState.ACCEPTED if accept else InvitationState.REJECTED
    invitation.answered_at = datetime.now(UTC)
    if project.local:
        await invitation.save(update_fields=["state", "answered_at"])
        if accept:
            await members.add(rt, project, invitee, invitation.role)
        return invitation
    kind = "Accept" if accept else "Reject"
    ident = rt.urls.activity(invitee.username, new_id())
    recipients = [project.actor]
    if invitation.inviter.domain is not None and invitation.inviter_id != project.actor_id:
        recipients.append(invitation.inviter)
    async with in_transaction():
        await invitation.save(update_fields=["state", "answered_at"])
        await publish.publish(
            rt, invitee, activities.answer_invite(rt, invitation, kind, ident), recipients
        )
    return invitation


# ---- from the inbox ----------------------------------------------------------------------------


async def receive_invite(
    rt: Runtime,
    inviter: models.Actor,
    project: models.Project,
    invitee: models.Actor,
    *,
    uri: str,
    role: ProjectRole,
    message: str,
    expires_at: datetime | None,
) -> models.ProjectInvitation | None:
    """A remote project's Invite of local `invitee`, already checked to come from the project's
    own node. Refused (a Reject goes back) when the invitee blocks the inviter or the project."""
    blocked = await models.Block.filter(
        actor_id=invitee.id, target_id__in=[inviter.id, project.actor_id]
    ).exists()
    existing = await models.ProjectInvitation.get_or_none(uri=uri)
    if existing is not None:
        return existing
    invitation = models.ProjectInvitation(
        uri=uri,
        project=project,
        invitee=invitee,
        inviter=inviter,
        role=role,
        message=message[:MAX_MESSAGE],
        expires_at=expires_at,
        state=InvitationState.REJECTED if blocked else InvitationState.PENDING,
    )
    await invitation.save(force_create=True)
    if blocked:
        ident = rt.urls.activity(invitee.username, new_id())
        await publish.publish(
            rt,
            invitee,
            activities.answer_invite(rt, invitation, "Reject", ident),
            [project.actor],
        )
        return None
    # the project's direct message about it may have arrived first and been held by her
    # notification policy as a stranger's: an invitation makes the project no stranger
    held = await models.NotificationRequest.get_or_none(
        recipient_id=invitee.id, from_actor_id=project.actor_id
    )
    if held is not None:
        await policy.accept(held)
    return invitation


async def receive_answer(
    rt: Runtime,
    signer: models.Actor,
    project: models.Project,
    invitation: models.ProjectInvitation,
    *,
    accept: bool,
) -> None:
    """The invitee's Accept or Reject reached the project: `signer` must be the invitee."""
    if invitation.invitee_id != signer.id:
        raise Forbidden("only the invited account can answer its invitation")
    if invitation.project_id != project.id or not project.local:
        raise Forbidden("not an invitation of this project")
    await expire_due(invitation)
    if invitation.state is InvitationState.ACCEPTED and accept:
        return  # a replay of an Accept already acted on
    if invitation.state is not InvitationState.PENDING:
        raise Forbidden(f"the invitation is {invitation.state.value}")
    invitation.state = InvitationState.ACCEPTED if accept else InvitationState.REJECTED
    invitation.answered_at = datetime.now(UTC)
    await invitation.save(update_fields=["state", "answered_at"])
    if not accept:
        return
    await invitation.fetch_related("invitee", "inviter")
    invitation.project = project
    await members.add(rt, project, signer, invitation.role)
    if groups.speaks_forgefed(signer):
        await publish.publish(
            rt, project.actor, activities.grant(rt, project, invitation), [signer]
        )
    inviter = invitation.inviter
    if inviter.domain is None:
        # the inviter hears it as a mention from the project, as apps show
        text = (
            f"{html.escape(signer.username)}@{html.escape(signer.domain or '')} accepted the "
            f"invitation to {html.escape(project.name)}."
        )
        await notices.direct_note(rt, project, inviter, text)


async def receive_withdrawal(inviter: models.Actor, uri: str) -> None:
    """The inviter's Undo{Invite}: a pending invitation becomes withdrawn."""
    await models.ProjectInvitation.filter(
        uri=uri, inviter_id=inviter.id, state=InvitationState.PENDING
    ).update(state=InvitationState.WITHDRAWN, answered_at=datetime.now(UTC))
