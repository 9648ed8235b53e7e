"""The expertise directory: who can be found, by which words, and which peers' directories we read.

A `DirectoryEntry` is one researcher anyone may find: a local account or a remote one we know
(both with an `actor`), or one read from a fedihub peer's public directory (no `actor` until
someone looks her up). `DirectoryTerm` rows are the search index: a namespaced term per word,
research area and language, so a search is index lookups on both databases.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id
from fedihub.models.actors import Actor


class DirectoryEntry(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)
    actor: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="directory_entries", null=True, on_delete=fields.CASCADE
    )
    # the host the account lives on (ours included), as people type it after the @
    node = fields.CharField(max_length=255, db_index=True)
    local = fields.BooleanField(default=False)
    username = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=255, default="")
    note = fields.TextField(default="")  # plain text
    url = fields.CharField(max_length=768, null=True)
    avatar_url = fields.CharField(max_length=768, null=True)
    research_areas: fields.Field[list[str]] = fields.JSONField(default=list)
    affiliation = fields.CharField(max_length=255, default="")
    languages: fields.Field[list[str]] = fields.JSONField(default=list)
    followers_count = fields.IntField(default=0)
    statuses_count = fields.IntField(default=0)
    joined_at = fields.DatetimeField()
    last_status_at = fields.DatetimeField(null=True)
    # what `order=active` sorts by: the last post, else the joining (never null, so both
    # databases put the same people first)
    active_at = fields.DatetimeField()
    # the peer whose directory listed this entry (None when we know the actor ourselves)
    listed_by = fields.CharField(max_length=255, null=True, db_index=True)
    indexed_at = fields.DatetimeField(auto_now=True)

    actor_id: int | None

    class Meta:
        table = "directory_entries"
        # the two orders of Mastodon's directory, walked newest first
        indexes = (("active_at", "id"), ("joined_at", "id"))


class DirectoryTerm(Model):
    # "w:<word>" for free text (CJK as characters and pairs), "a:<area>", "l:<language>"
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    term = fields.CharField(max_length=96)
    entry: fields.ForeignKeyRelation[DirectoryEntry] = fields.ForeignKeyField(
        "models.DirectoryEntry", related_name="terms", on_delete=fields.CASCADE
    )

    entry_id: int

    class Meta:
        table = "directory_terms"
        indexes = (("term", "entry_id"),)


class DirectoryPeer(Model):
    # A fedihub peer whose public directory we read, with back-off while it fails.
    domain = fields.CharField(max_length=255, primary_key=True)
    next_read_at = fields.DatetimeField(null=True)
    last_read_at = fields.DatetimeField(null=True)
    failures = fields.IntField(default=0)
    entries = fields.IntField(default=0)
    last_error = fields.CharField(max_length=255, default="")

    class Meta:
        table = "directory_peers"


class Suggestion(Model):
    # Whom a local user might follow, computed in the background, with the reasons in words.
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    viewer: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="suggestions", on_delete=fields.CASCADE
    )
    account: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="suggested_to", on_delete=fields.CASCADE
    )
    score = fields.FloatField()
    # Mastodon's `sources` (friends_of_friends, similar_to_recently_followed, ...)
    sources: fields.Field[list[str]] = fields.JSONField(default=list)
    # [{"kind": "areas", "text": "also works on ...", "areas": [...]}, ...]
    reasons: fields.Field[list[dict[str, object]]] = fields.JSONField(default=list)
    computed_at = fields.DatetimeField(auto_now=True)

    viewer_id: int
    account_id: int

    class Meta:
        table = "suggestions"
        unique_together = (("viewer", "account"),)


class SuggestionDismissal(Model):
    # DELETE /api/v1/suggestions/:account_id: never suggest her to this viewer again.
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    viewer_id = fields.BigIntField()
    account_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "suggestion_dismissals"
        unique_together = (("viewer_id", "account_id"),)


class ArticleSuggestion(Model):
    # What a local researcher might read (knowledge posts), computed in the background.
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    viewer: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="article_suggestions", on_delete=fields.CASCADE
    )
    article_id = fields.BigIntField()
    score = fields.FloatField()
    reasons: fields.Field[list[dict[str, object]]] = fields.JSONField(default=list)
    computed_at = fields.DatetimeField(auto_now=True)

    viewer_id: int

    class Meta:
        table = "article_suggestions"
        unique_together = (("viewer", "article_id"),)
