"""Notifications for local actors (Mastodon's types: follow, follow_request, mention, favourite,
reblog, update, and fedihub's own later, such as project invitations)."""

from __future__ import annotations

import logging
import time

from fedihub import models
from fedihub.notifications import grouping, policy, threads
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)


async def notify(
    rt: Runtime,
    recipient: models.Actor,
    kind: str,
    from_actor: models.Actor,
    status: models.Status | None = None,
    *,
    own: bool = False,
) -> models.Notification | None:
    """Record a notification for a local recipient and tell the streams; none for remote ones or
    for oneself, unless `own` (the end of one's own poll)."""
    note = await record(recipient, kind, from_actor, status, own=own)
    await announce(rt, note)
    return note


async def record(
    recipient: models.Actor,
    kind: str,
    from_actor: models.Actor,
    status: models.Status | None = None,
    *,
    own: bool = False,
) -> models.Notification | None:
    """Store a notification without telling anyone yet: called inside the transaction that stores
    its cause, so a process killed in between cannot keep the cause and lose the notification (a
    replayed activity finds its cause stored and does nothing more). announce() after the commit.

    Nothing is stored from a muted thread or when the recipient's policy drops it; what the
    policy filters is stored aside, under a notification request (policy.hold)."""
    if recipient.domain is not None or (recipient.id == from_actor.id and not own):
        return None
    if await models.Block.filter(actor_id=recipient.id, target_id=from_actor.id).exists():
        return None
    if await models.Mute.filter(
        actor_id=recipient.id, target_id=from_actor.id, notifications=True
    ).exists():
        return None
    if status is not None and await threads.is_muted(recipient.id, status):
        return None
    verdict = await policy.verdict(recipient, kind, from_actor, status)
    if verdict == "drop":
        return None
    filtered = verdict == "filter"
    group_key = None
    if not filtered:  # as on Mastodon, a filtered notification stays alone once accepted
        now_ms = int(time.time() * 1000)
        group_key = await grouping.key_for(
            recipient.id, kind, status.id if status else None, now_ms
        )
    note = await models.Notification.create(
        recipient=recipient,
        kind=kind,
        from_actor=from_actor,
        status=status,
        group_key=group_key,
        filtered=filtered,
    )
    if filtered:
        await policy.hold(note)
    return note


async def announce(rt: Runtime, note: models.Notification | None) -> None:
    """Tell the listeners (node.NOTIFICATION_LISTENERS: the streams) of a committed notification.
    A listener's failure is logged and never undoes the notification: live events are a
    best-effort extra, clients refetch."""
    if note is None or note.filtered:  # a filtered one waits in its request, unannounced
        return
    for listener in rt.wiring.notification_listeners:
        try:
            await listener(rt, note)
        except Exception:  # see the docstring: the notification stands
            log.exception("notification listener failed for %s", note.id)


async def withdraw(
    recipient_id: int, kind: str, from_actor_id: int, status_id: int | None = None
) -> None:
    """Remove a notification whose cause was undone (an unfollow, an unlike)."""
    query = models.Notification.filter(
        recipient_id=recipient_id, kind=kind, from_actor_id=from_actor_id
    )
    if status_id is not None:
        query = query.filter(status_id=status_id)
    if await query.filter(filtered=True).exists():
        await query.delete()
        await policy.forget_sender(recipient_id, from_actor_id)
        return
    await query.delete()
