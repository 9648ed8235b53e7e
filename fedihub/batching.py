"""Group calls: what concurrent callers ask of the database goes in one statement per batch.

The first caller starts a batch at once; callers arriving while that batch's statement is in
flight go together in the next (group commit). Nobody waits on a timer, and nobody gets a row read
before they asked. A worker running 32 deliveries at once thus reads their 32 Host rows, or marks
their 32 jobs done, in a few statements instead of 32.

Imports nothing of fedihub.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Queue(Generic[T, R]):
    def __init__(self) -> None:
        self.waiting: list[tuple[T, asyncio.Future[R]]] = []
        self.flusher: asyncio.Task[None] | None = None  # held: the loop keeps weak references


class Batcher(Generic[T, R]):
    """`await batcher(item)` runs `run` on a batch of items and returns the item's result.

    `run` gets the items of one batch (possibly repeated) and returns one result per item, in
    order; its exception is raised to every caller of the batch.
    """

    def __init__(self, run: Callable[[list[T]], Awaitable[list[R]]]) -> None:
        self._run = run
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[T, R]] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        result: asyncio.Future[R] = loop.create_future()
        queue.waiting.append((item, result))
        if queue.flusher is None:
            queue.flusher = loop.create_task(self._flush(queue))
        # shielded: a caller cancelled meanwhile does not take the batch down with it
        return await asyncio.shield(result)

    async def _flush(self, queue: _Queue[T, R]) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while queue.waiting:
                batch, queue.waiting = queue.waiting, []
                try:
                    results = await self._run([item for item, _ in batch])
                    if len(results) != len(batch):
                        raise RuntimeError(f"{len(results)} results for {len(batch)} items")
                except Exception as exc:  # as each caller's own statement would have raised
                    for _, result in batch:
                        if not result.done():
                            result.set_exception(exc)
                    continue
                for (_, result), value in zip(batch, results, strict=True):
                    if not result.done():
                        result.set_result(value)
        finally:
            queue.flusher = None
            for _, result in [*batch, *queue.waiting]:  # only left when this task was cancelled
                if not result.done():
                    result.cancel()
            queue.waiting = []
