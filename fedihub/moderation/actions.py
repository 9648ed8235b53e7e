"""Moderators' actions on accounts, local and remote (Mastodon's admin account actions):

- `silence` (Mastodon 4's "limit"): the account's posts reach only its followers;
- `sensitive`: its media are shown behind a warning, now and in what it posts later;
- `disable` (local accounts): no sign-in, its tokens and streams stop at once;
- `suspend`: its statuses are hidden at once, its activities dropped; a local account cannot
  sign in and its deletion (`Delete` of the actor) is federated. Undone (`unsuspend`) within
  SUSPENSION_GRACE everything comes back; after it, the data is deleted (`purge_expired`, a
  periodic task).

Every action and its undo is one function here; the admin API and the command line call them and
the audit log records them (audit.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tortoise.expressions import Subquery

from fedihub import models
from fedihub.accounts import activities as actor_activities
from fedihub.accounts import revocations, users
from fedihub.activitypub.vocabulary import AS_CONTEXT, PUBLIC
from fedihub.errors import Invalid
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import counters

log = logging.getLogger(__name__)
SUSPENSION_GRACE = timedelta(days=30)


class Action(StrEnum):
    NONE = "none"  # a warning only
    SENSITIVE = "sensitive"
    DISABLE = "disable"
    SILENCE = "silence"
    SUSPEND = "suspend"


class Undo(StrEnum):
    ENABLE = "enable"
    UNSENSITIVE = "unsensitive"
    UNSILENCE = "unsilence"
    UNSUSPEND = "unsuspend"


async def standing(actor_id: int) -> models.AccountModeration:
    """The account's moderation row (made empty on first use)."""
    row, _ = await models.AccountModeration.get_or_create(actor_id=actor_id)
    return row


def _now() -> datetime:
    # whole seconds: the hidden statuses are found again by this exact value
    return datetime.now(UTC).replace(microsecond=0)


async def perform(rt: Runtime, actor: models.Actor, action: Action) -> None:
    """Carry out `action` on `actor` (idempotent: doing it twice changes nothing more)."""
    row = await standing(actor.id)
    if action is Action.NONE:
        return
    if action is Action.DISABLE:
        user = await _local_user(actor)
        await _set_disabled(rt, user, True)
    elif action is Action.SILENCE:
        if row.silenced_at is None:
            row.silenced_at = _now()
    elif action is Action.SENSITIVE:
        if row.sensitized_at is None:
            row.sensitized_at = _now()
        with_media = models.MediaAttachment.filter(actor_id=actor.id, status_id__not_isnull=True)
        await models.Status.filter(id__in=Subquery(with_media.values("status_id"))).update(
            sensitive=True
        )
    elif action is Action.SUSPEND and row.suspended_at is None:
        await _suspend(rt, actor, row)
    await row.save()


async def undo(rt: Runtime, actor: models.Actor, what: Undo) -> None:
    row = await standing(actor.id)
    if what is Undo.ENABLE:
        await _set_disabled(rt, await _local_user(actor), False)
    elif what is Undo.UNSILENCE:
        row.silenced_at = None
    elif what is Undo.UNSENSITIVE:
        row.sensitized_at = None  # statuses marked sensitive meanwhile stay so
    elif what is Undo.UNSUSPEND and row.suspended_at is not None:
        await _unsuspend(rt, actor, row)
    await row.save()


async def _local_user(actor: models.Actor) -> models.User:
    user = await models.User.get_or_none(actor_id=actor.id)
    if user is None:
        raise Invalid("only a local account can be disabled or enabled", field="type")
    return user


async def _set_disabled(rt: Runtime, user: models.User, disabled: bool) -> None:
    user.disabled = disabled
    user.session_epoch += 1
    await user.save(update_fields=["disabled", "session_epoch"])
    if disabled:
        await users.end_web_sessions(user.id)  # its browsers are signed out
        await revocations.account_disabled(rt, user.id)  # its open streams close


async def _suspend(rt: Runtime, actor: models.Actor, row: models.AccountModeration) -> None:
    now = _now()
    row.suspended_at = now
    row.purge_after = now + SUSPENSION_GRACE
    await models.Status.filter(actor_id=actor.id, deleted_at__isnull=True).update(deleted_at=now)
    await counters.refresh_status_counts(actor.id)
    user = await models.User.get_or_none(actor_id=actor.id)
    if user is None:
        return
    if not user.disabled:
        row.disabled_by_suspension = True
        await _set_disabled(rt, user, True)
    # its peers forget it (Mastodon sends the same Delete when it suspends an account); the
    # deliveries are signed with the key the account keeps until the purge
    recipients = await publish.follower_actors(actor.id) + await _followed(actor.id)
    delete: dict[str, object] = {
        "@context": AS_CONTEXT,
        "id": f"{actor.uri}#delete/{int(now.timestamp())}",
        "type": "Delete",
        "actor": actor.uri,
        "object": actor.uri,
        "to": [PUBLIC],
    }
    await publish.publish(rt, actor, delete, recipients)


async def _followed(actor_id: int) -> list[models.Actor]:
    return await models.Actor.filter(
        followers_rel__follower_id=actor_id, domain__not_isnull=True
    ).only("id", "uri", "domain", "inbox", "shared_inbox", "deleted_at")


async def _unsuspend(rt: Runtime, actor: models.Actor, row: models.AccountModeration) -> None:
    hidden_at = row.suspended_at
    row.suspended_at = None
    row.purge_after = None
    await models.Status.filter(actor_id=actor.id, deleted_at=hidden_at).update(deleted_at=None)
    await counters.refresh_status_counts(actor.id)
    user = await models.User.get_or_none(actor_id=actor.id)
    if user is not None and row.disabled_by_suspension:
        row.disabled_by_suspension = False
        await _set_disabled(rt, user, False)
    if user is not None:
        # peers that processed the Delete fetch the actor again when it next speaks; its
        # followers there are gone, as after a Mastodon unsuspension
        update = await actor_activities.update_actor(rt, actor)
        await publish.publish(rt, actor, update, await publish.follower_actors(actor.id))


async def purge_expired(rt: Runtime) -> None:
    """The periodic task: delete the data of suspensions past their grace period."""
    due = await models.AccountModeration.filter(
        suspended_at__not_isnull=True, purge_after__lte=datetime.now(UTC)
    ).limit(100)
    for row in due:
        actor = await models.Actor.get_or_none(id=row.actor_id)
        if actor is None:
            continue
        if actor.domain is not None:
            await models.Actor.filter(id=actor.id).delete()  # cascades all it had here
            continue
        await models.Status.filter(actor_id=actor.id).delete()
        media = models.MediaAttachment.filter(actor_id=actor.id)
        for key, preview in await media.values_list("storage_key", "preview_key"):
            for stored in (key, preview):
                if stored:
                    await rt.storage.delete(stored)
        await media.delete()
        await models.Follow.filter(follower_id=actor.id).delete()
        await models.Follow.filter(target_id=actor.id).delete()
        await models.Actor.filter(id=actor.id).update(deleted_at=datetime.now(UTC))
        await models.AccountModeration.filter(id=row.id).update(purge_after=None)
        log.info("purged the suspended account %s", actor.uri)


__all__ = ["SUSPENSION_GRACE", "Action", "Undo", "perform", "purge_expired", "standing", "undo"]
