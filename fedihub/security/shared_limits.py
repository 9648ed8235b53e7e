"""Rate limits shared by every process of a node, kept in Redis (FEDIHUB_REDIS_URL).

Without Redis each process counts alone (security/ratelimit.MemoryLimiter,
security/api_budget.MemoryApiLimiter): a client then gets the limit once per web process. With
Redis one count serves the whole cluster.
When Redis stops answering, limits fail open (the request is allowed and the failure logged and
counted in /metrics as fedihub_ratelimit_errors_total): an outage of the cache must not lock
every researcher out of the node; the counters resume when Redis is back.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from fedihub import metrics

log = logging.getLogger(__name__)
metrics.describe(
    "fedihub_ratelimit_errors_total",
    "Rate-limit checks that failed open because Redis did not answer",
)


def record_failure(exc: Exception) -> None:
    """Count and log a check that failed open."""
    metrics.inc("fedihub_ratelimit_errors_total")
    log.warning("rate limit store unavailable, allowing the request: %s", exc)


class RedisLimiter:
    """Sliding-window counters in sorted sets: the same interface as ratelimit.MemoryLimiter."""

    def __init__(self, client: Any, prefix: str = "fedihub:rl:") -> None:
        self._redis = client
        self._prefix = prefix

    async def hit(self, key: str, limit: int, window_s: float) -> bool:
        name = self._prefix + key
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(name, 0, now - window_s)
                pipe.zadd(name, {f"{now}:{uuid.uuid4().hex[:8]}": now})
                pipe.zcard(name)
                pipe.expire(name, int(window_s) + 1)
                _, _, count, _ = await pipe.execute()
        except Exception as exc:  # any client or connection error: fail open, as documented
            record_failure(exc)
            return True
        return int(count) <= limit

    async def exceeded(self, key: str, limit: int, window_s: float) -> bool:
        name = self._prefix + key
        try:
            await self._redis.zremrangebyscore(name, 0, time.time() - window_s)
            return int(await self._redis.zcard(name)) >= limit
        except Exception as exc:
            record_failure(exc)
            return False

    async def reset(self, key: str) -> None:
        try:
            await self._redis.delete(self._prefix + key)
        except Exception as exc:
            record_failure(exc)
