"""Periodic work without a single owner: each task runs once per period across the whole node.

Every runner, on every tick, enqueues each task's job for the current period with the dedupe key
`periodic:<name>:<period number>`: the first enqueue wins and the others are no-ops, so however
many workers run, one job per period exists; it is claimed like any job, so when the worker that
took it dies, its lease expires and another worker runs it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fedihub.jobs import queue
from fedihub.runtime import Runtime

KIND = "periodic"


@dataclass(frozen=True)
class Task:
    name: str
    every_s: int
    run: Callable[[Runtime], Awaitable[None]]


tasks: dict[str, Task] = {}


def every(
    seconds: int, name: str
) -> Callable[[Callable[[Runtime], Awaitable[None]]], Callable[[Runtime], Awaitable[None]]]:
    def register(fn: Callable[[Runtime], Awaitable[None]]) -> Callable[[Runtime], Awaitable[None]]:
        tasks[name] = Task(name, seconds, fn)
        return fn

    return register


async def tick(rt: Runtime, now: float | None = None) -> int:
    """Enqueue every task's job for the current period (a no-op where one exists); returns new
    ones."""
    at = time.time() if now is None else now
    made = 0
    for task in tasks.values():
        period = int(at // task.every_s)
        job = await queue.enqueue(
            KIND,
            {"task": task.name, "period": period},
            dedupe_key=f"{KIND}:{task.name}:{period}",
            max_attempts=3,
        )
        made += job is not None
    return made


@queue.handler(KIND)
async def _run(rt: Runtime, payload: dict[str, Any]) -> None:
    task = tasks.get(str(payload["task"]))
    if task is None:
        raise queue.PermanentError(f"no periodic task {payload['task']!r}")
    await task.run(rt)
