"""Moderation: the node's policy towards other servers (domain blocks and the allowlist),
what moderators did to accounts (silence, suspension, forced sensitive media, the moderator role),
the audit log of their actions, and users' own filters (Mastodon's filters v2)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id

if TYPE_CHECKING:
    from fedihub.models.actors import Actor


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


class StaffRole(StrEnum):
    NONE = ""
    MODERATOR = "moderator"  # accounts and reports; admins (User.is_admin) also run federation


class AccountModeration(Model):
    # What moderators did to one account (local or remote); no row: nothing.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="moderation", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(StaffRole, max_length=16, default=StaffRole.NONE)
    silenced_at = fields.DatetimeField(null=True)
    suspended_at = fields.DatetimeField(null=True)
    sensitized_at = fields.DatetimeField(null=True)
    # a suspension's data is deleted after this (it can be undone until then)
    purge_after = fields.DatetimeField(null=True, db_index=True)
    # the suspension disabled sign-in: its undo enables it again (a separate disable stays)
    disabled_by_suspension = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    actor_id: int

    class Meta:
        table = "account_moderation"


class AuditEntry(Model):
    # One admin or moderator action; written once, never changed or deleted by the node.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    # plain columns, not foreign keys: an entry outlives the accounts it names
    actor_id = fields.BigIntField(null=True, db_index=True)
    actor_acct = fields.CharField(max_length=320)
    action = fields.CharField(max_length=64, db_index=True)
    target_type = fields.CharField(max_length=64)
    target = fields.CharField(max_length=768)
    detail = fields.TextField(default="")
    ip = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_log"

    async def save(self, *args: Any, **kwargs: Any) -> None:
        if self._saved_in_db:
            raise PermissionError("audit log entries cannot be changed")
        await super().save(*args, **kwargs)

    async def delete(self, *args: Any, **kwargs: Any) -> None:
        raise PermissionError("audit log entries cannot be deleted")


class ReportCategory(StrEnum):
    """Mastodon's report categories."""

    SPAM = "spam"
    LEGAL = "legal"
    VIOLATION = "violation"  # of the node's rules (rule_ids)
    OTHER = "other"


class Report(Model):
    # A report of an account (and some of its statuses): by a local user, or a peer's Flag.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    reporter: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="reports_made", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="reports_received", on_delete=fields.CASCADE
    )
    category = fields.CharEnumField(ReportCategory, max_length=16, default=ReportCategory.OTHER)
    comment = fields.TextField(default="")  # plain text
    status_ids: fields.Field[list[int]] = fields.JSONField(default=list)
    rule_ids: fields.Field[list[str]] = fields.JSONField(default=list)
    forwarded = fields.BooleanField(default=False)  # sent to the target's server as a Flag
    uri = fields.CharField(max_length=768, null=True, unique=True)  # a received Flag's id
    assigned_actor_id = fields.BigIntField(null=True)
    action_taken_at = fields.DatetimeField(null=True, db_index=True)
    action_taken_by_actor_id = fields.BigIntField(null=True)
    outcome = fields.TextField(default="")  # what moderators did, told to the reporter
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    reporter_id: int
    target_id: int

    class Meta:
        table = "reports"
        indexes = (("reporter_id", "created_at"),)


class FilterAction(StrEnum):
    WARN = "warn"  # shown behind a warning naming the filter
    HIDE = "hide"  # left out


class Filter(Model):
    # A user's filter (Mastodon's filters v2): keywords and statuses, in some contexts.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="filters", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    # home, notifications, public, thread, account
    context: fields.Field[list[str]] = fields.JSONField(default=list)
    action = fields.CharEnumField(FilterAction, max_length=8, default=FilterAction.WARN)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int

    class Meta:
        table = "filters"


class FilterKeyword(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    # not `filter`: that would hide the model's own filter()
    parent: fields.ForeignKeyRelation[Filter] = fields.ForeignKeyField(
        "models.Filter", related_name="keywords", on_delete=fields.CASCADE
    )
    keyword = fields.CharField(max_length=255)
    whole_word = fields.BooleanField(default=True)

    parent_id: int

    class Meta:
        table = "filter_keywords"


class FilterStatus(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    parent: fields.ForeignKeyRelation[Filter] = fields.ForeignKeyField(
        "models.Filter", related_name="statuses", on_delete=fields.CASCADE
    )
    status_id = fields.BigIntField(db_index=True)

    parent_id: int

    class Meta:
        table = "filter_statuses"
        unique_together = (("parent", "status_id"),)


class UserDomainBlock(Model):
    # A server a user hides (Mastodon's /api/v1/domain_blocks): its accounts' posts and
    # notifications leave what the user is shown, and its followers of the user go.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="domain_blocks", on_delete=fields.CASCADE
    )
    domain = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int

    class Meta:
        table = "user_domain_blocks"
        unique_together = (("actor", "domain"),)
