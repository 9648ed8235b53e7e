"""What a local actor decided about their notifications: the policy that filters them, the
requests that hold filtered ones, the senders accepted past the policy, muted conversations, and
Web Push subscriptions."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id


class NotificationPolicy(Model):
    """Mastodon's v2 policy: each field is accept, filter or drop (a row only once changed)."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor_id = fields.BigIntField(unique=True)
    for_not_following = fields.CharField(max_length=8, default="accept")
    for_not_followers = fields.CharField(max_length=8, default="accept")
    for_new_accounts = fields.CharField(max_length=8, default="accept")
    for_private_mentions = fields.CharField(max_length=8, default="filter")
    for_limited_accounts = fields.CharField(max_length=8, default="filter")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_policies"


class NotificationRequest(Model):
    """The filtered notifications from one sender, waiting for the recipient to accept or
    dismiss them."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    recipient_id = fields.BigIntField()
    from_actor_id = fields.BigIntField()
    last_status_id = fields.BigIntField(null=True)
    notifications_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_requests"
        unique_together = (("recipient_id", "from_actor_id"),)


class NotificationPermission(Model):
    """A sender whose notifications pass the recipient's policy (an accepted request)."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    recipient_id = fields.BigIntField()
    from_actor_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification_permissions"
        unique_together = (("recipient_id", "from_actor_id"),)


class ConversationMute(Model):
    """A thread the actor hears no more of (Mastodon's conversation mute), by its conversation
    key: the thread's `conversation` URI, or its first status's URI."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor_id = fields.BigIntField()
    conversation = fields.CharField(max_length=768)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conversation_mutes"
        unique_together = (("actor_id", "conversation"),)


class PushSubscription(Model):
    """A Web Push subscription: one per OAuth access token, as on Mastodon."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    token_id = fields.BigIntField(unique=True)
    actor_id = fields.BigIntField(db_index=True)
    endpoint = fields.CharField(max_length=2048)
    key_p256dh = fields.CharField(max_length=128)
    key_auth = fields.CharField(max_length=64)
    alerts: fields.Field[dict[str, bool]] = fields.JSONField(default=dict)
    policy = fields.CharField(max_length=16, default="all")  # all, followed, follower, none
    standard = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "push_subscriptions"
