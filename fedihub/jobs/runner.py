"""The runner loop: claim due jobs up to a concurrency bound, run them, sleep when idle.

Runs inside `fedihub worker`, or inside `fedihub serve` when the node is on SQLite (one process
does everything). SIGTERM stops claiming, lets running jobs finish for a grace period, then hands
the rest back. While a job runs its worker renews the lease, so a slow job (a peer answering late)
is never taken over by another worker while this one lives; a worker that dies stops renewing,
and its jobs come back one lease later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from fedihub.jobs import periodic, queue
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)
IDLE_POLL_S = 0.5
PERIODIC_TICK_S = 30.0
GRACE_S = 10.0


async def run(rt: Runtime, stop: asyncio.Event, *, concurrency: int) -> None:
    wakeup = rt.job_wakeup = asyncio.Event()
    running: dict[asyncio.Task[bool], int] = {}  # task -> the id of the job it runs
    renewer = asyncio.create_task(_renew_leases(rt, running))
    next_tick = 0.0
    try:
        while not stop.is_set():
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + PERIODIC_TICK_S
                with contextlib.suppress(Exception):  # a failed tick is retried at the next one
                    await periodic.tick(rt)
            free = concurrency - len(running)
            batch = []
            if free > 0:
                try:
                    batch = await queue.claim(rt, limit=free)
                except Exception:  # database hiccup: log, back off, keep the worker alive
                    log.exception("claiming jobs failed")
                    await asyncio.sleep(IDLE_POLL_S * 4)
                    continue
            for job in batch:
                task = asyncio.create_task(queue.run_job(rt, job))
                running[task] = job.id
                task.add_done_callback(lambda done: running.pop(done, None))
            if not batch:
                wakeup.clear()
                waiters = [
                    asyncio.create_task(wakeup.wait()),
                    asyncio.create_task(stop.wait()),
                ]
                # full: a finishing job frees a slot; waiting on the job tasks themselves
                watched: set[asyncio.Task[Any]] = set(waiters)
                if running and free <= 0:
                    watched.update(running)
                await asyncio.wait(
                    watched, timeout=IDLE_POLL_S, return_when=asyncio.FIRST_COMPLETED
                )
                for waiter in waiters:  # never the jobs: they run on
                    waiter.cancel()
    finally:
        if running:
            _, unfinished = await asyncio.wait(set(running), timeout=GRACE_S)
            for task in unfinished:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*unfinished, return_exceptions=True)
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
        rt.job_wakeup = None


async def _renew_leases(rt: Runtime, running: dict[asyncio.Task[bool], int]) -> None:
    """Every third of a lease, extend the leases of this worker's running jobs by one lease."""
    while True:
        await asyncio.sleep(rt.settings.job_lease_seconds / 3)
        if not running:
            continue
        try:
            await queue.renew(rt, list(running.values()))
        except Exception:  # a database hiccup: the next round, well within the lease, tries again
            log.exception("renewing job leases failed")
