"""Lists (Mastodon's List): a user's named selection of accounts they follow, read as a timeline.

A membership points at the follow that allows it, so whatever ends the follow (an unfollow, a
block, a rejected request, the account's deletion) ends the membership in the same DELETE, as
Mastodon's list_accounts.follow_id foreign key does. Only the owner's own membership has no follow.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id

if TYPE_CHECKING:
    from fedihub.models.actors import Actor, Follow


class RepliesPolicy(StrEnum):
    # which replies by members the list shows, besides replies to the owner and to oneself
    FOLLOWED = "followed"  # replies to anyone the owner follows
    LIST = "list"  # replies to members of the list
    NONE = "none"  # no others


class List(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    owner: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="lists", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    replies_policy = fields.CharEnumField(RepliesPolicy, max_length=16, default=RepliesPolicy.LIST)
    # Mastodon 4.2's exclusive lists: their members' posts leave the owner's home timeline
    exclusive = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int

    class Meta:
        table = "lists"
        indexes = (("owner_id", "id"),)


class ListAccount(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    list: fields.ForeignKeyRelation[List] = fields.ForeignKeyField(
        "models.List", related_name="memberships", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="list_memberships", on_delete=fields.CASCADE
    )
    follow: fields.ForeignKeyNullableRelation[Follow] = fields.ForeignKeyField(
        "models.Follow", related_name="list_memberships", null=True, on_delete=fields.CASCADE
    )

    list_id: int
    actor_id: int
    follow_id: int | None

    class Meta:
        table = "list_accounts"
        unique_together = (("list", "actor"),)
        # by member (who hears of a status, exclusive lists), and by follow for the cascade
        indexes = (("actor_id", "list_id"), ("follow_id",))
