"""Keeping copies of remote actors fresh: keys, names and inboxes change on their servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fedihub import models
from fedihub.accounts import resolver
from fedihub.errors import FedihubError
from fedihub.runtime import Runtime

STALE_ACTOR = timedelta(days=3)
BATCH = 50


async def refresh_stale_actors(rt: Runtime) -> None:
    """Refetch a bounded batch of remote actors followed by local users whose copy is old."""
    cutoff = datetime.now(UTC) - STALE_ACTOR
    stale = (
        await models.Actor.filter(
            domain__not_isnull=True,
            deleted_at__isnull=True,
            fetched_at__lt=cutoff,
            followers_rel__follower__domain__isnull=True,
        )
        .distinct()
        .limit(BATCH)
    )
    for actor in stale:
        try:
            await resolver.fetch_actor(rt, actor.uri, refresh=True)
        except FedihubError:
            continue  # a peer that is down now is refreshed next time
