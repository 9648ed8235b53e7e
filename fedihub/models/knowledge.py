"""Knowledge posts: long-form articles with their versions and read counts.

A published post is also a status (object_type "Article"), which carries what every status has:
its id and uri, visibility, replies, favourites, boosts and bookmarks. The Article row holds what
only a knowledge post has: the title, the Markdown body, the licence, the draft state, versions.
A draft has no status, so it has no public id at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id
from fedihub.models.statuses import Visibility

if TYPE_CHECKING:
    from fedihub.models.actors import Actor
    from fedihub.models.statuses import Status


class Article(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="articles", on_delete=fields.CASCADE
    )
    # the status that federates it; None while it is a draft
    status: fields.OneToOneNullableRelation[Status] = fields.OneToOneField(
        "models.Status", related_name="article", null=True, on_delete=fields.SET_NULL
    )
    local = fields.BooleanField(default=True)
    title = fields.CharField(max_length=300)
    summary = fields.TextField(default="")  # plain text
    body = fields.TextField(default="")  # Markdown source (a peer's, when it sent one)
    content = fields.TextField(default="")  # sanitised HTML
    tags: fields.Field[list[str]] = fields.JSONField(default=list)
    language = fields.CharField(max_length=16, null=True)
    license = fields.CharField(max_length=256, null=True)
    visibility = fields.CharEnumField(Visibility, max_length=16, default=Visibility.PUBLIC)
    draft = fields.BooleanField(default=True)
    version = fields.IntField(default=1)
    media_ids: fields.Field[list[int]] = fields.JSONField(default=list)
    cover_id = fields.BigIntField(null=True)
    # words of the title, summary, body and tags, Chinese as character bigrams (knowledge/search.py)
    search_text = fields.TextField(default="")
    indexable = fields.BooleanField(default=True)  # a peer's author said yes to search
    created_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    actor_id: int
    status_id: int | None

    class Meta:
        table = "articles"
        indexes = (("draft", "deleted_at", "published_at"), ("actor_id", "id"))


class ArticleVersion(Model):
    # Version n of an article as it was published or saved (1 is the first).

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="versions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    title = fields.CharField(max_length=300)
    summary = fields.TextField(default="")
    body = fields.TextField(default="")
    content = fields.TextField(default="")
    created_at = fields.DatetimeField()

    article_id: int

    class Meta:
        table = "article_versions"
        unique_together = (("article", "number"),)


class ArticleReads(Model):
    # Reads of an article in one hour (no reader is stored): flushed from memory in batches.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    article_id = fields.BigIntField()
    hour = fields.DatetimeField()
    count = fields.IntField(default=0)

    class Meta:
        table = "article_reads"
        unique_together = (("article_id", "hour"),)
        indexes = (("hour", "article_id"),)


class TrendingArticle(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    article_id = fields.BigIntField(unique=True)
    rank = fields.IntField(db_index=True)
    score = fields.FloatField()
    computed_at = fields.DatetimeField()

    class Meta:
        table = "trending_articles"
