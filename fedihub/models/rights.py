"""What an account holds about its own sign-in and data: the second factor (TOTP secret sealed,
recovery codes hashed), the web sessions it has open, and its CSV imports and archive exports."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id


class TwoFactor(Model):
    """A user's TOTP second factor: made at setup, `enabled` once a first code confirmed it."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    user_id = fields.BigIntField(unique=True)
    secret_sealed = fields.TextField()  # the RFC 6238 secret, AES-GCM with the node's KEK
    enabled = fields.BooleanField(default=False)
    last_step = fields.BigIntField(default=0)  # the newest time step accepted: never twice
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "two_factors"


class RecoveryCode(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    user_id = fields.BigIntField()
    code_hash = fields.CharField(max_length=128)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recovery_codes"
        indexes = (("user_id",),)


class WebSession(Model):
    """One signed-in browser: the cookie carries `key`'s plain value, the row its digest."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    user_id = fields.BigIntField()
    key_hash = fields.CharField(max_length=128, unique=True)
    user_agent = fields.CharField(max_length=512, default="")
    ip = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "web_sessions"
        indexes = (("user_id",),)


class TransferState(StrEnum):
    """An import or an archive: `pending → running → done | failed`."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DataImport(Model):
    """One uploaded CSV in Mastodon's format, applied line by line by a background job."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    user_id = fields.BigIntField()
    kind = fields.CharField(
        max_length=32
    )  # following, blocks, mutes, domain_blocks, bookmarks, lists
    mode = fields.CharField(max_length=16)  # merge or overwrite
    body = fields.TextField()  # the file as uploaded, emptied when done
    state = fields.CharEnumField(TransferState, max_length=16, default=TransferState.PENDING)
    total = fields.IntField(default=0)
    processed = fields.IntField(default=0)
    imported = fields.IntField(default=0)
    failed = fields.IntField(default=0)
    errors = fields.TextField(default="")  # the first malformed or unresolvable lines
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "data_imports"
        indexes = (("user_id",),)


class AccountArchive(Model):
    """An archive of the account (actor.json, outbox.json, media) made by a background job."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    user_id = fields.BigIntField()
    state = fields.CharEnumField(TransferState, max_length=16, default=TransferState.PENDING)
    total = fields.IntField(default=0)
    processed = fields.IntField(default=0)
    storage_key = fields.CharField(max_length=255, null=True)
    size = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_archives"
        indexes = (("user_id",),)
