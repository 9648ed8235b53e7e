"""Periodic work without a single owner: each task runs once per period across the whole node.

Every runner, on every tick, enqueues each task's job for the current period with the dedupe key
`periodic:<name>:<period number>`: the first enqueue wins and the others are no-ops, so however
many workers run, one job per period exists; it is claimed like any job, so when the worker that
took it dies, its lease expires and another worker runs it. The tasks are the table
`node.PERIODIC_TASKS`, handed over on the Runtime.
"""

from __future__ import annotations

import time
from typing import Any

from fedihub.jobs import queue
from fedihub.runtime import Runtime

KIND = "periodic"


async def tick(rt: Runtime, now: float | None = None) -> int:
    """Enqueue every task's job for the current period (a no-op where one exists); returns new
    ones."""
    at = time.time() if now is None else now
    made = 0
    for task in rt.wiring.periodic_tasks:
        period = int(at // task.every_s)
        job = await queue.enqueue(
            rt,
            KIND,
            {"task": task.name, "period": period},
            dedupe_key=f"{KIND}:{task.name}:{period}",
            max_attempts=3,
        )
        made += job is not None
    return made


async def run(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of KIND: runs the named task."""
    name = str(payload.get("task"))
    for task in rt.wiring.periodic_tasks:
        if task.name == name:
            await task.run(rt)
            return
    raise queue.PermanentError(f"no periodic task {name!r}")
