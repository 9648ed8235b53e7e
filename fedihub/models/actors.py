"""Actors (local and remote, any type: Person, Group, Application, Service), local users,
follows, blocks."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id


class Actor(Model):
    # Every actor the node knows; `domain` is None for the node's own.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)
    actor_type = fields.CharField(max_length=32, default="Person")
    username = fields.CharField(max_length=255)
    domain = fields.CharField(max_length=255, null=True, db_index=True)
    display_name = fields.CharField(max_length=255, default="")
    summary = fields.TextField(default="")  # sanitised HTML
    url = fields.CharField(max_length=768, null=True)
    inbox = fields.CharField(max_length=768, default="")
    outbox = fields.CharField(max_length=768, null=True)
    shared_inbox = fields.CharField(max_length=768, null=True)
    followers_url = fields.CharField(max_length=768, null=True)
    following_url = fields.CharField(max_length=768, null=True)
    featured_url = fields.CharField(max_length=768, null=True)
    icon_url = fields.CharField(max_length=768, null=True)
    header_url = fields.CharField(max_length=768, null=True)
    public_key_id = fields.CharField(max_length=768, null=True, db_index=True)
    public_key_pem = fields.TextField(default="")
    manually_approves = fields.BooleanField(default=False)
    discoverable = fields.BooleanField(default=True)
    # may full-text search find its posts (Mastodon's toot:indexable); remote: only when said true
    indexable = fields.BooleanField(default=True)
    affiliation = fields.CharField(max_length=255, default="")
    research_areas: fields.Field[list[str]] = fields.JSONField(default=list)
    links: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    # the remote document as fetched: fields we do not model are kept, not lost
    document: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    fetched_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)
    statuses_count = fields.IntField(default=0)
    followers_count = fields.IntField(default=0)
    following_count = fields.IntField(default=0)
    last_status_at = fields.DatetimeField(null=True)
    # the person's other accounts, as actor URIs: a local user's aliases (her actor's
    # alsoKnownAs), a peer actor's alsoKnownAs as read (bounded, http(s) only)
    also_known_as: fields.Field[list[str]] = fields.JSONField(default=list)
    # where the account went (Move): the actor row once a Move was accepted, the URI a peer's
    # document names as movedTo; a moved local account posts no more
    moved_to: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="moved_from", null=True, on_delete=fields.SET_NULL
    )
    moved_to_uri = fields.CharField(max_length=768, null=True)
    moved_at = fields.DatetimeField(null=True)

    moved_to_id: int | None

    class Meta:
        table = "actors"
        indexes = (("username", "domain"),)

    @property
    def is_local(self) -> bool:
        return self.domain is None


class User(Model):
    # A local account that can sign in; its public face is `actor`.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="user", on_delete=fields.CASCADE
    )
    username_key = fields.CharField(max_length=64, unique=True)  # lower-cased username
    email = fields.CharField(max_length=320, unique=True)  # lower-cased
    password_hash = fields.CharField(max_length=255)
    private_key_sealed = fields.TextField()  # RSA key, encrypted with the node's key-encryption key
    is_admin = fields.BooleanField(default=False)
    disabled = fields.BooleanField(default=False)
    locale = fields.CharField(max_length=16, default="en")
    # bumped on password change and logout-everywhere: sessions carry the epoch they were made in
    session_epoch = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    actor_id: int

    class Meta:
        table = "users"


class InviteCode(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    code = fields.CharField(max_length=64, unique=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invites", null=True, on_delete=fields.SET_NULL
    )
    max_uses = fields.IntField(null=True)
    uses = fields.IntField(default=0)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invite_codes"


class NodeSetting(Model):
    # Settings an admin changes while the node runs (registration mode, authorized fetch...).

    key = fields.CharField(max_length=64, primary_key=True)
    value: fields.Field[object] = fields.JSONField()

    class Meta:
        table = "node_settings"


class FollowState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"


class Follow(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    follower: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="following_rel", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="followers_rel", on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(FollowState, max_length=16, default=FollowState.PENDING)
    uri = fields.CharField(max_length=768, null=True, unique=True)  # the Follow activity's id
    created_at = fields.DatetimeField(auto_now_add=True)

    follower_id: int
    target_id: int

    class Meta:
        table = "follows"
        unique_together = (("follower", "target"),)
        indexes = (("target_id", "state"),)


class Block(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocks_made", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocks_received", on_delete=fields.CASCADE
    )
    uri = fields.CharField(max_length=768, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int
    target_id: int

    class Meta:
        table = "blocks"
        unique_together = (("actor", "target"),)
