"""Projects: a project is a `Group` actor (local, or a remote one this node knows), its members
with their roles, the invitations it sent or that reached a local user, and requests to join."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id
from fedihub.models.actors import Actor


class ProjectVisibility(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"  # members-only: content never shown to non-members


class ProjectRole(StrEnum):
    OWNER = "owner"
    MAINTAINER = "maintainer"
    MEMBER = "member"


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class JoinState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Project(Model):
    # One per project Group actor the node knows; `local` ones are hosted (and signed) here.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="project", on_delete=fields.CASCADE
    )
    local = fields.BooleanField(default=True)
    name = fields.CharField(max_length=255)
    description = fields.TextField(default="")  # plain text as typed (local) or sanitised HTML
    tags: fields.Field[list[str]] = fields.JSONField(default=list)
    visibility = fields.CharEnumField(
        ProjectVisibility, max_length=16, default=ProjectVisibility.PUBLIC
    )
    start_date = fields.DateField(null=True)
    end_date = fields.DateField(null=True)
    repositories: fields.Field[list[str]] = fields.JSONField(default=list)
    members_url = fields.CharField(max_length=768, null=True)
    # the Group's RSA key, sealed with the node's key-encryption key (local projects only)
    private_key_sealed = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)

    actor_id: int

    class Meta:
        table = "projects"


class ProjectMember(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="members", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="project_memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(ProjectRole, max_length=16, default=ProjectRole.MEMBER)
    created_at = fields.DatetimeField(auto_now_add=True)

    project_id: int
    actor_id: int

    class Meta:
        table = "project_members"
        unique_together = (("project", "actor"),)
        indexes = (("actor_id", "project_id"),)


class ProjectInvitation(Model):
    # On the project's node: the invitation it sent. On the invitee's node: the one received.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)  # the Invite activity's id
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="invitations", on_delete=fields.CASCADE
    )
    invitee: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="project_invitations", on_delete=fields.CASCADE
    )
    inviter: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="project_invitations_sent", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(ProjectRole, max_length=16, default=ProjectRole.MEMBER)
    message = fields.TextField(default="")
    state = fields.CharEnumField(InvitationState, max_length=16, default=InvitationState.PENDING)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)

    project_id: int
    invitee_id: int
    inviter_id: int

    class Meta:
        table = "project_invitations"
        indexes = (("invitee_id", "state"), ("project_id", "state"))


class ProjectJoinRequest(Model):
    # A `Join`, or a `Follow` of a members-only project: waits for a maintainer.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, null=True, unique=True)  # the Join/Follow's id
    kind = fields.CharField(max_length=16, default="Join")  # Join or Follow: what to Accept
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="join_requests", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="project_join_requests", on_delete=fields.CASCADE
    )
    message = fields.TextField(default="")
    state = fields.CharEnumField(JoinState, max_length=16, default=JoinState.PENDING)
    created_at = fields.DatetimeField(auto_now_add=True)

    project_id: int
    actor_id: int

    class Meta:
        table = "project_join_requests"
        unique_together = (("project", "actor"),)
