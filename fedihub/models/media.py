"""Media attachments (uploads and remote media), bookmarks, mutes and read markers."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id


class MediaProcessing(StrEnum):
    """An upload's processing (Mastodon's `processing`): queued -> complete | failed."""

    QUEUED = "queued"  # stored without its metadata; preview and blurhash wait for a job
    COMPLETE = "complete"
    FAILED = "failed"  # the image could not be decoded; it cannot be posted


class MediaAttachment(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor_id = fields.BigIntField(db_index=True)  # the owner
    status_id = fields.BigIntField(null=True, db_index=True)  # set when attached to a status
    # set while a scheduled status holds it; moves to status_id when that status is published
    scheduled_status_id = fields.BigIntField(null=True, db_index=True)
    kind = fields.CharField(max_length=16, default="image")  # image, video, gifv, audio, unknown
    content_type = fields.CharField(max_length=128, default="application/octet-stream")
    # where the bytes are kept; indexed: the restricted-file route finds a row by its key
    storage_key = fields.CharField(max_length=512, null=True, db_index=True)
    # the small preview's file; None: the original is its own preview (small images, old rows)
    preview_key = fields.CharField(max_length=512, null=True, db_index=True)
    processing = fields.CharEnumField(
        MediaProcessing, max_length=16, default=MediaProcessing.COMPLETE
    )
    remote_url = fields.CharField(max_length=768, null=True)
    description = fields.TextField(null=True)
    blurhash = fields.CharField(max_length=64, null=True)
    meta: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    size = fields.BigIntField(default=0)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "media_attachments"


class Bookmark(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor_id = fields.BigIntField()
    status_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "bookmarks"
        unique_together = (("actor_id", "status_id"),)


class Mute(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor_id = fields.BigIntField()
    target_id = fields.BigIntField()
    notifications = fields.BooleanField(default=True)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mutes"
        unique_together = (("actor_id", "target_id"),)


class Marker(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor_id = fields.BigIntField()
    timeline = fields.CharField(max_length=32)  # home, notifications
    last_read_id = fields.BigIntField()
    version = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "markers"
        unique_together = (("actor_id", "timeline"),)
