"""Periodic work runs once per period however many workers tick, and survives a dead worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fedihub import jobs, models
from fedihub.jobs import periodic
from fedihub.runtime import Runtime


async def test_each_task_is_enqueued_once_per_period_whoever_ticks(rt: Runtime) -> None:
    now = 1_800_000_000.0
    first = await periodic.tick(rt, now)
    assert first == len(rt.wiring.periodic_tasks) > 0
    # a second worker ticking in the same period adds nothing
    assert await periodic.tick(rt, now + 1) == 0
    assert await models.Job.filter(kind=periodic.KIND).count() == len(rt.wiring.periodic_tasks)
    # the next hour brings the hourly task again
    assert await periodic.tick(rt, now + 3600) >= 1


async def test_purge_keeps_recent_finished_jobs_and_removes_old_ones(rt: Runtime) -> None:
    old = datetime.now(UTC) - timedelta(days=8)
    await models.Job.create(
        kind="deliver", payload={}, run_at=0, state=models.JobState.DONE, finished_at=old
    )
    await models.Job.create(
        kind="deliver",
        payload={},
        run_at=0,
        state=models.JobState.DONE,
        finished_at=datetime.now(UTC),
    )
    (purge,) = [t for t in rt.wiring.periodic_tasks if t.name == "purge_finished_jobs"]
    await purge.run(rt)
    assert await models.Job.filter(kind="deliver").count() == 1


async def test_a_periodic_job_claimed_by_a_dead_worker_is_run_by_another(rt: Runtime) -> None:
    await periodic.tick(rt, 1_800_000_000.0)
    claimed = await jobs.claim(rt, limit=100)
    assert claimed  # the "dead" worker took them and never finished
    await models.Job.filter(kind=periodic.KIND).update(locked_until=0)  # its lease ran out
    rt.worker_name = "second-worker"
    assert await jobs.drain(rt) == len(claimed)
    assert await models.Job.filter(kind=periodic.KIND, state=models.JobState.DONE).count() == len(
        claimed
    )
