"""The job queue's own upkeep, run as periodic tasks (see node.PERIODIC_TASKS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fedihub import models
from fedihub.jobs.queue import now_ms
from fedihub.models import JobState
from fedihub.runtime import Runtime

DONE_JOB_RETENTION = timedelta(days=7)  # inbox dedupe by activity id needs finished rows a while


async def purge_finished_jobs(rt: Runtime) -> None:
    cutoff = datetime.now(UTC) - DONE_JOB_RETENTION
    await models.Job.filter(
        state__in=[JobState.DONE, JobState.DEAD], finished_at__lt=cutoff
    ).delete()


async def release_orphaned_leases(rt: Runtime) -> None:
    """Jobs left `running` by a dead worker are claimable once their lease expires; this also puts
    back those whose worker vanished mid-statement, so the queue summary stays truthful."""
    await models.Job.filter(state=JobState.RUNNING, locked_until__lt=now_ms() - 60_000).update(
        state=JobState.PENDING, locked_by=None, locked_until=None
    )
