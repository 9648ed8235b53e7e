"""Statuses: every object an actor publishes (Note, Article, Question, or any type we keep but do
not render), with their mentions, tags, edits, likes and the notifications they cause."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id

if TYPE_CHECKING:
    from fedihub.models.actors import Actor


class Visibility(StrEnum):
    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"  # followers only
    DIRECT = "direct"
    INSTITUTION = "institution"  # local users only; never leaves the node
    MEMBERS = "members"  # a members-only project's members only (its members collection)


class Status(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)
    url = fields.CharField(max_length=768, null=True)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="statuses", on_delete=fields.CASCADE
    )
    local = fields.BooleanField(default=False)
    object_type = fields.CharField(max_length=32, default="Note")
    visibility = fields.CharEnumField(Visibility, max_length=16, default=Visibility.PUBLIC)
    content = fields.TextField(default="")  # sanitised HTML
    source = fields.TextField(null=True)  # what a local author typed
    summary = fields.TextField(default="")  # content warning / spoiler text
    name = fields.CharField(max_length=512, null=True)  # title of an Article
    sensitive = fields.BooleanField(default=False)
    language = fields.CharField(max_length=16, null=True)
    in_reply_to_uri = fields.CharField(max_length=768, null=True, db_index=True)
    in_reply_to: fields.ForeignKeyNullableRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    in_reply_to_actor_id = fields.BigIntField(null=True)
    conversation_uri = fields.CharField(max_length=768, null=True)
    # FEP-1b12 `audience`: the project (Group actor) the status was posted in
    audience_uri = fields.CharField(max_length=768, null=True, db_index=True)
    reblog_of: fields.ForeignKeyNullableRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="reblogs", null=True, on_delete=fields.CASCADE
    )
    published = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    # the remote document as received: object types we do not render keep all their fields
    document: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    # Mastodon's Idempotency-Key header: one status per (author, key)
    idempotency_key = fields.CharField(max_length=128, null=True)
    replies_count = fields.IntField(default=0)
    reblogs_count = fields.IntField(default=0)
    favourites_count = fields.IntField(default=0)

    actor_id: int
    in_reply_to_id: int | None
    reblog_of_id: int | None

    class Meta:
        table = "statuses"
        indexes = (("actor_id", "id"), ("local", "visibility", "id"), ("reblog_of_id", "actor_id"))
        unique_together = (("actor", "idempotency_key"),)


class StatusEdit(Model):
    # A previous revision of an edited status (Mastodon's StatusEdit).

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    status: fields.ForeignKeyRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="edits", on_delete=fields.CASCADE
    )
    content = fields.TextField(default="")
    summary = fields.TextField(default="")
    sensitive = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "status_edits"


class Mention(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    status: fields.ForeignKeyRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="mentions", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="mentioned_in", on_delete=fields.CASCADE
    )

    status_id: int
    actor_id: int

    class Meta:
        table = "mentions"
        unique_together = (("status", "actor"),)
        indexes = (("actor_id", "status_id"),)


class StatusTag(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    status: fields.ForeignKeyRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="tags", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)  # lower-cased, without '#'

    status_id: int

    class Meta:
        table = "status_tags"
        unique_together = (("status", "name"),)
        indexes = (("name", "status_id"),)


class Favourite(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="favourites", on_delete=fields.CASCADE
    )
    status: fields.ForeignKeyRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="favourited_by", on_delete=fields.CASCADE
    )
    uri = fields.CharField(max_length=768, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int
    status_id: int

    class Meta:
        table = "favourites"
        unique_together = (("actor", "status"),)


class Notification(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    recipient: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)  # Mastodon's notification type names
    from_actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="notifications_caused", on_delete=fields.CASCADE
    )
    status: fields.ForeignKeyNullableRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    # Mastodon's grouping: favourites and boosts of one status, and follows, that came within
    # 12 hours of each other share a key; None for the types never grouped
    group_key = fields.CharField(max_length=96, null=True)
    # held back by the recipient's notification policy: shown under a notification request
    filtered = fields.BooleanField(default=False)

    recipient_id: int
    from_actor_id: int
    status_id: int | None

    class Meta:
        table = "notifications"
        indexes = (("recipient_id", "id"), ("recipient_id", "group_key"))
