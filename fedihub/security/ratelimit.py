"""Counting events per key in a sliding time window: throttles for failed sign-ins and the like.

The interface is one coroutine, `hit(key, limit, window_s) -> bool`, so a Redis-backed limiter can
replace this in-process one without changing callers. In-process counts are per web process: with
several workers an attacker gets `limit` tries per worker, which is still a bound. Imports nothing
from the web.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: float) -> bool:
        """Record one event for `key`; True while at most `limit` events fall in the window."""
        ...

    async def exceeded(self, key: str, limit: int, window_s: float) -> bool:
        """True when `key` already has `limit` events in the window (records nothing)."""
        ...

    async def reset(self, key: str) -> None:
        """Forget the events of `key`."""
        ...


class MemoryLimiter:
    """Sliding-window counters in a dict, bounded in the number of keys it remembers."""

    def __init__(
        self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._max_keys = max_keys
        self._clock = clock

    def _recent(self, key: str, window_s: float) -> deque[float]:
        now = self._clock()
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and events[0] <= now - window_s:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    async def hit(self, key: str, limit: int, window_s: float) -> bool:
        events = self._recent(key, window_s)
        events.append(self._clock())
        self._events[key] = events
        self._events.move_to_end(key)
        # forget the least recently hit keys first: a flood of new keys cannot grow memory forever
        while len(self._events) > self._max_keys:
            self._events.popitem(last=False)
        # only the last `limit + 1` events matter for the answer
        while len(events) > limit + 1:
            events.popleft()
        return len(events) <= limit

    async def exceeded(self, key: str, limit: int, window_s: float) -> bool:
        return len(self._recent(key, window_s)) >= limit

    async def reset(self, key: str) -> None:
        self._events.pop(key, None)


_default = MemoryLimiter()


async def hit(key: str, limit: int, window_s: float) -> bool:
    """Record one event for `key` on the process-wide limiter; True while within `limit`."""
    return await _default.hit(key, limit, window_s)
