"""Followed hashtags (Mastodon's TagFollow): public statuses carrying one reach the follower's
home timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id

if TYPE_CHECKING:
    from fedihub.models.actors import Actor


class FollowedTag(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="followed_tags", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)  # lower-cased, without '#', as StatusTag.name
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int

    class Meta:
        table = "followed_tags"
        unique_together = (("actor", "name"),)
        indexes = (("name", "actor_id"),)  # who follows the tags of a new status
