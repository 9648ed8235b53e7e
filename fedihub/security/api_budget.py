"""The API's request budget and its X-RateLimit-* headers (Mastodon: 300 requests per 5 minutes).

Fixed windows, as Mastodon's rack-attack throttles count: the headers need a limit, what is left and
when the window resets, which a sliding counter cannot say simply. `MemoryApiLimiter` counts per
process (see fedihub.security.ratelimit for the same trade-off); `RedisApiLimiter` counts once for
the whole cluster. The assembler (fedihub/node.py) picks one.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from fedihub.security import shared_limits


@dataclass(frozen=True)
class Budget:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # Unix time

    def headers(self) -> dict[str, str]:
        reset = datetime.fromtimestamp(self.reset_at, UTC).isoformat(timespec="milliseconds")
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset.replace("+00:00", "Z"),
        }


class ApiLimiter(Protocol):
    limit: int

    async def hit(self, key: str, limit: int | None = None) -> Budget:
        """Count one request for `key` against `limit` (default: the limiter's)."""
        ...


class MemoryApiLimiter:
    def __init__(
        self,
        limit: int = 300,
        window_s: float = 300.0,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    async def hit(self, key: str, limit: int | None = None) -> Budget:
        """Count one request for `key` against `limit` (default: this limiter's)."""
        limit = self.limit if limit is None else limit
        now = self._clock()
        start = now - (now % self.window_s)
        window, count = self._counts.get(key, (start, 0))
        if window != start:
            count = 0
        count += 1
        self._counts[key] = (start, count)
        self._counts.move_to_end(key)
        while len(self._counts) > self._max_keys:  # forget the least recently seen keys first
            self._counts.popitem(last=False)
        return Budget(count <= limit, limit, max(limit - count, 0), start + self.window_s)


class RedisApiLimiter:
    """Fixed windows in Redis for the API's X-RateLimit-* budget (MemoryApiLimiter's `hit`)."""

    def __init__(
        self, client: Any, limit: int = 300, window_s: float = 300.0, prefix: str = "fedihub:api:"
    ) -> None:
        self._redis = client
        self.limit = limit
        self.window_s = window_s
        self._prefix = prefix

    async def hit(self, key: str, limit: int | None = None) -> Budget:
        limit = self.limit if limit is None else limit
        now = time.time()
        start = now - (now % self.window_s)
        name = f"{self._prefix}{key}:{int(start)}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, int(self.window_s) + 1)
                count, _ = await pipe.execute()
        except Exception as exc:
            shared_limits.record_failure(exc)
            return Budget(True, limit, limit, start + self.window_s)
        count = int(count)
        return Budget(count <= limit, limit, max(limit - count, 0), start + self.window_s)
