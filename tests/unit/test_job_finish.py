"""Jobs that succeed together are marked done together: each run_job returns once its row says
done, only the worker holding a job marks it, and several finishes share one statement."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from fedihub import jobs, models
from fedihub.jobs import queue
from fedihub.runtime import Runtime

KIND = "test-finish"


@pytest.fixture
def handler(rt: Runtime) -> Iterator[list[int]]:
    ran: list[int] = []

    async def run(rt: Runtime, payload: dict[str, Any]) -> None:
        ran.append(int(str(payload["n"])))
        await asyncio.sleep(0)

    # a job kind of the test's own, added to this node's table as node.JOB_HANDLERS is
    rt.wiring = replace(rt.wiring, job_handlers={**rt.wiring.job_handlers, KIND: run})
    yield ran


class _Updates(logging.Handler):
    """Counts the UPDATE statements that mark jobs done, as tortoise logs them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith('UPDATE "jobs"') and '"finished_at"' in text:
            self.count += 1


async def test_jobs_finishing_together_are_each_done_when_run_job_returns(
    rt: Runtime, handler: list[int]
) -> None:
    await queue.enqueue_many(rt, KIND, [({"n": n}, f"{KIND}:{n}") for n in range(20)])
    claimed = await jobs.claim(rt, limit=20, kinds=[KIND])
    assert len(claimed) == 20

    async def run_then_read(job: models.Job) -> models.JobState:
        assert await jobs.run_job(rt, job)
        return (await models.Job.get(id=job.id)).state

    db_log = logging.getLogger("tortoise.db_client")
    level, updates = db_log.level, _Updates()
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(updates)
    try:
        states = await asyncio.gather(*(run_then_read(job) for job in claimed))
    finally:
        db_log.removeHandler(updates)
        db_log.setLevel(level)
    assert states == [models.JobState.DONE] * 20
    assert sorted(handler) == list(range(20))
    assert 1 <= updates.count < 20  # one statement served several jobs
    done = await models.Job.filter(kind=KIND, finished_at__isnull=False, locked_until=None).count()
    assert done == 20


async def test_a_job_taken_over_by_another_worker_is_not_marked_done_by_the_first(
    rt: Runtime, handler: list[int]
) -> None:
    await queue.enqueue_many(rt, KIND, [({"n": n}, f"{KIND}:{n}") for n in range(2)])
    mine, taken = await jobs.claim(rt, limit=2, kinds=[KIND])
    # its lease ran out and another worker holds it now
    await models.Job.filter(id=taken.id).update(locked_by="other-worker")
    await asyncio.gather(jobs.run_job(rt, mine), jobs.run_job(rt, taken))
    assert (await models.Job.get(id=mine.id)).state == models.JobState.DONE
    other = await models.Job.get(id=taken.id)
    assert other.state == models.JobState.RUNNING and other.locked_by == "other-worker"
