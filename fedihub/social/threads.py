"""A status's thread as its reader may see it: the ancestors up to the root, and the replies
below it, generation by generation (one visibility check per generation, bounded)."""

from __future__ import annotations

from dataclasses import dataclass

from fedihub import models
from fedihub.errors import NotFound
from fedihub.social import visibility

MAX_CONTEXT = 200


@dataclass(frozen=True)
class Thread:
    ancestors: list[models.Status]
    descendants: list[models.Status]


async def visible_status(status_id: int, viewer: models.Actor | None) -> models.Status:
    """The live status `viewer` may see; NotFound otherwise (a hidden one looks like none)."""
    status = await models.Status.get_or_none(id=status_id, deleted_at__isnull=True)
    if status is None or not await visibility.can_see(viewer, status):
        raise NotFound("Record not found")
    return status


async def context(status: models.Status, viewer: models.Actor | None) -> Thread:
    chain: list[models.Status] = []
    cursor = status
    while cursor.in_reply_to_id and len(chain) < MAX_CONTEXT:
        parent = await models.Status.get_or_none(id=cursor.in_reply_to_id, deleted_at__isnull=True)
        if parent is None:
            break
        chain.append(parent)
        cursor = parent
    chain.reverse()
    ancestors = await visibility.visible(viewer, chain)  # one check for the whole chain
    descendants: list[models.Status] = []
    frontier = [status.id]
    while frontier and len(descendants) < MAX_CONTEXT:
        children = await models.Status.filter(
            in_reply_to_id__in=frontier, deleted_at__isnull=True
        ).order_by("id")
        shown = await visibility.visible(viewer, children)  # one check per generation
        descendants.extend(shown)
        frontier = [child.id for child in shown]
    return Thread(ancestors, descendants[:MAX_CONTEXT])
