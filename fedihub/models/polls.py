"""Polls (Mastodon's Poll, ActivityPub's Question), their votes, and pinned statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id

if TYPE_CHECKING:
    from fedihub.models.actors import Actor
    from fedihub.models.statuses import Status


class Poll(Model):
    # One per status that asks a question, local or remote.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    status: fields.OneToOneRelation[Status] = fields.OneToOneField(
        "models.Status", related_name="poll", on_delete=fields.CASCADE
    )
    options: fields.Field[list[str]] = fields.JSONField(default=list)
    # votes per option: counted from the votes here for a local poll, as its origin says for a
    # remote one (with our own voters' votes added until the origin's next Update)
    tallies: fields.Field[list[int]] = fields.JSONField(default=list)
    multiple = fields.BooleanField(default=False)
    hide_totals = fields.BooleanField(default=False)
    expires_at = fields.DatetimeField(null=True, db_index=True)
    voters_count = fields.IntField(null=True)
    # set once voters and the author were told it ended (and a local one's end was federated)
    ended_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    status_id: int

    class Meta:
        table = "polls"


class PollVote(Model):
    # One chosen option of one voter (a multiple-choice vote is several rows).

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="votes", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="poll_votes", on_delete=fields.CASCADE
    )
    choice = fields.IntField()
    uri = fields.CharField(max_length=768, null=True, unique=True)  # the vote Note's id
    created_at = fields.DatetimeField(auto_now_add=True)

    poll_id: int
    actor_id: int

    class Meta:
        table = "poll_votes"
        unique_together = (("poll", "actor", "choice"),)


class Pin(Model):
    # A status its author pinned to their profile (Mastodon's StatusPin); remote actors' pins
    # come from their `featured` collection.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="pins", on_delete=fields.CASCADE
    )
    status: fields.ForeignKeyRelation[Status] = fields.ForeignKeyField(
        "models.Status", related_name="pins", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int
    status_id: int

    class Meta:
        table = "status_pins"
        unique_together = (("actor", "status"),)
