"""A user deleting her own account, as Mastodon's "Delete account" does: at once (password
confirmed) she is signed out everywhere, her posts are hidden and her peers are sent a `Delete` of
her actor; then a job (`KIND`) really deletes what the node keeps of her: posts and what hangs from
them, media files, follows both ways, favourites, lists, notifications, her profile's contents,
her sign-in and, once the Delete has reached every inbox (it is signed with it), her key.

The actor row stays as a tombstone (its pages answer 404, its username is not given again, as
Mastodon reserves it); reports and the audit log about her stay for the moderators.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q, Subquery

from fedihub import jobs, models
from fedihub.accounts import revocations
from fedihub.activitypub.vocabulary import AS_CONTEXT, PUBLIC
from fedihub.errors import Invalid
from fedihub.jobs import queue
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.security import passwords
from fedihub.social import counters

log = logging.getLogger(__name__)
KIND = "delete_account"
KEY_RECHECK_MS = 10 * 60 * 1000  # while the Delete is still being delivered
KEY_KEPT_AT_MOST = timedelta(days=3)  # deliveries still failing then are given up for the key

# rows that are the account's own, by the column naming her actor
_OWN: tuple[tuple[type[Any], str], ...] = (
    (models.Bookmark, "actor_id"),
    (models.ConversationMute, "actor_id"),
    (models.DirectoryEntry, "actor_id"),
    (models.Filter, "actor_id"),
    (models.FollowedTag, "actor_id"),
    (models.ListAccount, "actor_id"),
    (models.List, "owner_id"),
    (models.Marker, "actor_id"),
    (models.Mention, "actor_id"),
    (models.Mute, "actor_id"),
    (models.Mute, "target_id"),
    (models.Block, "actor_id"),
    (models.Block, "target_id"),
    (models.Pin, "actor_id"),
    (models.PollVote, "actor_id"),
    (models.PushSubscription, "actor_id"),
    (models.ScheduledStatus, "actor_id"),
    (models.UserDomainBlock, "actor_id"),
    (models.NotificationPolicy, "actor_id"),
    (models.NotificationPermission, "recipient_id"),
    (models.NotificationPermission, "from_actor_id"),
    (models.NotificationRequest, "recipient_id"),
    (models.NotificationRequest, "from_actor_id"),
    (models.Notification, "recipient_id"),
    (models.Notification, "from_actor_id"),
    (models.Suggestion, "viewer_id"),
    (models.Suggestion, "account_id"),
    (models.ArticleSuggestion, "viewer_id"),
    (models.Article, "actor_id"),
)


async def delete_own(rt: Runtime, user: models.User, password: str) -> None:
    """Delete `user`'s account (her password confirms it): what peers and visitors see goes at
    once, the rest in the background."""
    ok = await asyncio.to_thread(passwords.verify_password, user.password_hash, password)
    if not ok:
        raise Invalid("password: the password is wrong", field="password")
    actor = await models.Actor.get(id=user.actor_id)
    if actor.deleted_at is not None:
        return
    now = datetime.now(UTC).replace(microsecond=0)
    user.disabled = True
    user.session_epoch += 1
    await user.save(update_fields=["disabled", "session_epoch"])
    await models.OAuthToken.filter(user_id=user.id, revoked_at__isnull=True).update(revoked_at=now)
    await revocations.account_disabled(rt, user.id)  # her open streams close
    await models.Status.filter(actor_id=actor.id, deleted_at__isnull=True).update(deleted_at=now)
    # her peers forget her (Mastodon sends this same Delete for a deleted account): everyone
    # following her or followed by her
    followed = await models.Actor.filter(
        followers_rel__follower_id=actor.id, domain__not_isnull=True
    ).only("id", "uri", "domain", "inbox", "shared_inbox", "deleted_at")
    recipients = await publish.follower_actors(actor.id) + followed
    delete: dict[str, object] = {
        "@context": AS_CONTEXT,
        "id": f"{actor.uri}#delete",
        "type": "Delete",
        "actor": actor.uri,
        "object": actor.uri,
        "to": [PUBLIC],
    }
    await publish.publish(rt, actor, delete, recipients)
    await models.Actor.filter(id=actor.id).update(deleted_at=now)
    await jobs.enqueue(rt, KIND, {"actor": actor.id}, dedupe_key=f"{KIND}:{actor.id}")
    log.info("the account %s is being deleted by its owner", actor.uri)


async def purge(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of KIND: delete what the node keeps of the account (idempotent)."""
    actor = await models.Actor.get_or_none(id=int(payload["actor"]), domain=None)
    user = await models.User.get_or_none(actor_id=int(payload["actor"]))
    if actor is None or user is None or actor.deleted_at is None:
        return
    if not payload.get("data_gone"):
        await _drop_data(rt, actor, user)
    delete = await models.OutboxActivity.get_or_none(uri=f"{actor.uri}#delete")
    if delete is not None and datetime.now(UTC) - actor.deleted_at < KEY_KEPT_AT_MOST:
        waiting = models.Job.filter(
            kind=publish.DELIVER,
            dedupe_key__startswith=f"{publish.DELIVER}:{delete.id}:",
            state__in=[models.JobState.PENDING, models.JobState.RUNNING],
        )
        if await waiting.exists():
            # the Delete is signed with her key when it is sent: keep it until then
            await jobs.enqueue(
                rt,
                KIND,
                {"actor": actor.id, "data_gone": True},
                dedupe_key=f"{KIND}:{actor.id}:{queue.now_ms()}",
                delay_ms=KEY_RECHECK_MS,
            )
            return
    await models.OutboxActivity.filter(actor_id=actor.id).delete()
    await models.User.filter(id=user.id).update(
        private_key_sealed="",
        password_hash="",
        email=f"deleted-{user.id}@invalid",
    )
    await models.Actor.filter(id=actor.id).update(public_key_pem="")
    log.info("deleted the account %s", actor.uri)


async def _drop_data(rt: Runtime, actor: models.Actor, user: models.User) -> None:
    col = models.column
    others = set(
        await col(models.Follow.filter(follower_id=actor.id).values_list("target_id", flat=True))
    ) | set(
        await col(models.Follow.filter(target_id=actor.id).values_list("follower_id", flat=True))
    )
    # statuses of others she favourited or boosted: their counters change
    boosts = models.Status.filter(actor_id=actor.id, reblog_of_id__not_isnull=True)
    favourites = models.Favourite.filter(actor_id=actor.id)
    touched = await col(
        models.Status.filter(
            Q(id__in=Subquery(boosts.values("reblog_of_id")))
            | Q(id__in=Subquery(favourites.values("status_id"))),
        ).values_list("id", flat=True)
    )
    media = models.MediaAttachment.filter(actor_id=actor.id)
    for key, preview in await media.values_list("storage_key", "preview_key"):
        for stored in (key, preview):
            if stored:
                await rt.storage.delete(stored)
    await media.delete()
    await models.Favourite.filter(actor_id=actor.id).delete()
    await models.Bookmark.filter(
        status_id__in=Subquery(models.Status.filter(actor_id=actor.id).values("id"))
    ).delete()
    for model, column in _OWN:
        await model.filter(**{column: actor.id}).delete()
    await models.Status.filter(actor_id=actor.id).delete()
    await models.Follow.filter(Q(follower_id=actor.id) | Q(target_id=actor.id)).delete()
    await models.OAuthToken.filter(user_id=user.id).delete()
    await models.OAuthCode.filter(user_id=user.id).delete()
    await models.Actor.filter(id=actor.id).update(
        display_name="",
        summary="",
        icon_url=None,
        header_url=None,
        links=[],
        research_areas=[],
        affiliation="",
        also_known_as=[],
        statuses_count=0,
        followers_count=0,
        following_count=0,
    )
    if others:
        await counters.refresh_follow_counts(*others)
    for status_id in touched:
        await counters.refresh_interaction_counts(status_id)


__all__ = ["KIND", "delete_own", "purge"]
