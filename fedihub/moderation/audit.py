"""The audit log: every admin and moderator action (who, what, on what, when, from which address),
append-only. Entries are written here and read by admins; nothing in the node changes or deletes
them (the model refuses a second save and a delete).

The address is passed in by the edge (the API knows the request; a command-line action has none:
it is recorded as "cli").
"""

from __future__ import annotations

from datetime import datetime

from tortoise.queryset import QuerySet

from fedihub import models


async def record(
    by: models.User | None,
    action: str,
    target_type: str,
    target: str,
    *,
    ip: str | None = None,
    detail: str = "",
) -> models.AuditEntry:
    """Append one entry; `by` None for the node's own command line."""
    acct = ""
    actor_id = None
    if by is not None:
        actor_id = by.actor_id
        acct = by.username_key
    return await models.AuditEntry.create(
        actor_id=actor_id,
        actor_acct=acct or "(command line)",
        action=action[:64],
        target_type=target_type[:64],
        target=target[:768],
        detail=detail[:2000],
        ip=(ip or ("cli" if by is None else None)),
    )


def search(
    *,
    actor_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[models.AuditEntry]:
    """Entries matching every filter given."""
    query = models.AuditEntry.all()
    if actor_id is not None:
        query = query.filter(actor_id=actor_id)
    if action:
        query = query.filter(action=action)
    if target_type:
        query = query.filter(target_type=target_type)
    if target:
        query = query.filter(target=target)
    if since is not None:
        query = query.filter(created_at__gte=since)
    if until is not None:
        query = query.filter(created_at__lt=until)
    return query


__all__ = ["record", "search"]
