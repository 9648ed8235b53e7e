"""The node's periodic housekeeping, run once per period across the cluster (jobs/periodic.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fedihub import models
from fedihub.jobs import periodic
from fedihub.jobs.queue import now_ms
from fedihub.media import remote_cache
from fedihub.models import JobState
from fedihub.runtime import Runtime
from fedihub.social import trends

DONE_JOB_RETENTION = timedelta(days=7)  # inbox dedupe by activity id needs finished rows a while
STALE_ACTOR = timedelta(days=3)


@periodic.every(3600, "purge_finished_jobs")
async def purge_finished_jobs(rt: Runtime) -> None:
    cutoff = datetime.now(UTC) - DONE_JOB_RETENTION
    await models.Job.filter(
        state__in=[JobState.DONE, JobState.DEAD], finished_at__lt=cutoff
    ).delete()


@periodic.every(900, "release_orphaned_leases")
async def release_orphaned_leases(rt: Runtime) -> None:
    """Jobs left `running` by a dead worker are claimable once their lease expires; this also puts
    back those whose worker vanished mid-statement, so the queue summary stays truthful."""
    await models.Job.filter(state=JobState.RUNNING, locked_until__lt=now_ms() - 60_000).update(
        state=JobState.PENDING, locked_by=None, locked_until=None
    )


@periodic.every(6 * 3600, "refresh_stale_actors")
async def refresh_stale_actors(rt: Runtime) -> None:
    """Refetch a bounded batch of remote actors followed by local users whose copy is old (keys,
    names and inboxes change)."""
    from fedihub.accounts import resolver
    from fedihub.errors import FedihubError

    cutoff = datetime.now(UTC) - STALE_ACTOR
    stale = (
        await models.Actor.filter(
            domain__not_isnull=True,
            deleted_at__isnull=True,
            fetched_at__lt=cutoff,
            followers_rel__follower__domain__isnull=True,
        )
        .distinct()
        .limit(50)
    )
    for actor in stale:
        try:
            await resolver.fetch_actor(rt, actor.uri, refresh=True)
        except FedihubError:
            continue  # a peer that is down now is refreshed next time


@periodic.every(3600, "expire_remote_media")
async def expire_remote_media(rt: Runtime) -> None:
    """Delete cached copies of remote media past the retention period (0 days: keep them)."""
    days = rt.settings.media_cache_retention_days
    if days > 0:
        await remote_cache.expire(rt, older_than=timedelta(days=days))


@periodic.every(900, "refresh_trends")
async def refresh_trends(rt: Runtime) -> None:
    """Recompute the trending tags and statuses that /api/v1/trends serves from the database."""
    await trends.refresh()
