"""Dropping what the node stores of a suspended server: its actors and everything hanging from them
(statuses, boosts, favourites, follows both ways, mentions, notifications, list memberships, media
rows and the files copied from it), in batches, as a job (`KIND`) enqueued by the suspension.

The local accounts it touched get their counters recomputed. The job is idempotent (a retry picks
up what is left) and stops when the suspension was lifted meanwhile. After an unblock, the peer's
actors are fetched afresh when they next appear.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.expressions import Q, Subquery

from fedihub import jobs, models
from fedihub.jobs import queue
from fedihub.models import Severity
from fedihub.runtime import Runtime
from fedihub.social import counters

log = logging.getLogger(__name__)
KIND = "purge_domain"
BATCH = 200


async def enqueue(rt: Runtime, domain: str) -> None:
    await jobs.enqueue(rt, KIND, {"domain": domain}, dedupe_key=f"{KIND}:{domain}:{queue.now_ms()}")


def of_domain(domain: str) -> Q:
    """Actors of `domain` and of its subdomains."""
    return Q(domain=domain) | Q(domain__endswith=f".{domain}")


async def purge(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of KIND."""
    domain = str(payload["domain"])
    block = await models.DomainBlock.get_or_none(domain=domain)
    if block is None or block.severity is not Severity.SUSPEND:
        return  # lifted before the job ran: keep what is stored
    dropped = 0
    while True:
        ids = await models.Actor.filter(of_domain(domain), domain__not_isnull=True).limit(BATCH)
        actor_ids = [actor.id for actor in ids]
        if not actor_ids:
            break
        await _drop(rt, actor_ids)
        dropped += len(actor_ids)
    log.info("dropped %d actors of the suspended server %s", dropped, domain)


async def _drop(rt: Runtime, actor_ids: list[int]) -> None:
    col = models.column
    related = await col(
        models.Follow.filter(follower_id__in=actor_ids).values_list("target_id", flat=True)
    ) + await col(
        models.Follow.filter(target_id__in=actor_ids).values_list("follower_id", flat=True)
    )
    # local statuses they favourited or boosted: their counters change
    boosts = models.Status.filter(actor_id__in=actor_ids, reblog_of_id__not_isnull=True)
    favourites = models.Favourite.filter(actor_id__in=actor_ids)
    touched = await col(
        models.Status.filter(
            Q(id__in=Subquery(boosts.values("reblog_of_id")))
            | Q(id__in=Subquery(favourites.values("status_id"))),
            local=True,
        ).values_list("id", flat=True)
    )
    statuses = Subquery(models.Status.filter(actor_id__in=actor_ids).values("id"))
    media = await models.MediaAttachment.filter(actor_id__in=actor_ids).values_list(
        "storage_key", "preview_key"
    )
    for key, preview in media:
        for stored in (key, preview):
            if stored:
                await rt.storage.delete(stored)
    await models.MediaAttachment.filter(actor_id__in=actor_ids).delete()
    await models.Bookmark.filter(status_id__in=statuses).delete()
    await models.Mute.filter(target_id__in=actor_ids).delete()
    # the database cascades the rest: statuses and what hangs from them, follows, blocks, lists
    await models.Actor.filter(id__in=actor_ids).delete()
    await counters.refresh_follow_counts(
        *await col(models.Actor.filter(id__in=set(related)).values_list("id", flat=True))
    )
    for status_id in touched:
        await counters.refresh_interaction_counts(status_id)


__all__ = ["BATCH", "KIND", "enqueue", "of_domain", "purge"]
