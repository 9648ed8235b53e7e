"""Trends as last computed: the hashtags and statuses the periodic refresh ranked
(social/trends.py).

Each list is replaced whole by one refresh, so every web process reads the same stored answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id

if TYPE_CHECKING:
    from fedihub.models.statuses import Status


class TrendingTag(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    name = fields.CharField(max_length=255, unique=True)  # lower-cased, without '#'
    rank = fields.IntField(db_index=True)  # 0 is the top
    score = fields.FloatField()
    # Mastodon's Tag.history: [{"day", "uses", "accounts"}] for the last 7 days, newest first
    history: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    computed_at = fields.DatetimeField()

    class Meta:
        table = "trending_tags"


class TrendingStatus(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    status: fields.OneToOneRelation[Status] = fields.OneToOneField(
        "models.Status", related_name="trend", on_delete=fields.CASCADE
    )
    rank = fields.IntField(db_index=True)  # 0 is the top
    score = fields.FloatField()
    computed_at = fields.DatetimeField()

    status_id: int

    class Meta:
        table = "trending_statuses"
