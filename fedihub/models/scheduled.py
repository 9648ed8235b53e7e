"""Scheduled statuses (Mastodon's ScheduledStatus): a post kept until its time comes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id

if TYPE_CHECKING:
    from fedihub.models.actors import Actor


class ScheduledStatus(Model):
    # What the author sent, kept as Mastodon's `params` (the API shows them back as they are);
    # the media it will carry point at it through MediaAttachment.scheduled_status_id.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="scheduled_statuses", on_delete=fields.CASCADE
    )
    scheduled_at = fields.DatetimeField(db_index=True)
    params: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    # Mastodon's Idempotency-Key header: one scheduled status per (author, key)
    idempotency_key = fields.CharField(max_length=128, null=True)
    # set by the worker publishing it: from then on the API neither moves nor deletes it, and a
    # second publisher waits until this claim is stale (its worker died)
    publishing_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int

    class Meta:
        table = "scheduled_statuses"
        unique_together = (("actor", "idempotency_key"),)
        indexes = (("actor_id", "scheduled_at"),)
