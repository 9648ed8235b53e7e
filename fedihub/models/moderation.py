"""Moderation: the node's policy towards other servers (domain blocks and the allowlist)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id


class Severity(StrEnum):
    """Mastodon's domain block severities."""

    NOOP = "noop"  # only the media and report rejections apply
    SILENCE = "silence"  # their posts reach only their followers here
    SUSPEND = "suspend"  # nothing in, nothing out, nothing kept


class DomainBlock(Model):
    # A server (and its subdomains) the node limits or refuses. `domain` is lower-cased punycode.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    domain = fields.CharField(max_length=255, unique=True)
    severity = fields.CharEnumField(Severity, max_length=16, default=Severity.SILENCE)
    reject_media = fields.BooleanField(default=False)
    reject_reports = fields.BooleanField(default=False)
    private_comment = fields.TextField(default="")  # for moderators only
    public_comment = fields.TextField(default="")  # shown with the public list
    obfuscate = fields.BooleanField(default=False)  # the public list stars part of the name
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "domain_blocks"


class DomainAllow(Model):
    # A server allowed to talk to the node when it runs in allowlist mode.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    domain = fields.CharField(max_length=255, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_allows"
