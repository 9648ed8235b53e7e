"""Notifications for local actors (Mastodon's types: follow, follow_request, mention, favourite,
reblog, update, and fedihub's own later, such as project invitations)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fedihub import models

# listeners (the streaming layer) learn about new notifications without social/ importing them
Listener = Callable[[models.Notification], Awaitable[None]]
listeners: list[Listener] = []


async def notify(
    recipient: models.Actor, kind: str, from_actor: models.Actor, status: models.Status | None = None
) -> models.Notification | None:
    """Record a notification for a local recipient; none for remote ones or for oneself."""
    if recipient.domain is not None or recipient.id == from_actor.id:
        return None
    if await models.Block.filter(actor_id=recipient.id, target_id=from_actor.id).exists():
        return None
    if await models.Mute.filter(actor_id=recipient.id, target_id=from_actor.id, notifications=True).exists():
        return None
    note = await models.Notification.create(
        recipient=recipient, kind=kind, from_actor=from_actor, status=status
    )
    for listener in listeners:
        await listener(note)
    return note


async def withdraw(recipient_id: int, kind: str, from_actor_id: int, status_id: int | None = None) -> None:
    """Remove a notification whose cause was undone (an unfollow, an unlike)."""
    query = models.Notification.filter(recipient_id=recipient_id, kind=kind, from_actor_id=from_actor_id)
    if status_id is not None:
        query = query.filter(status_id=status_id)
    await query.delete()
