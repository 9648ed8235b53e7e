"""The in-process limiter behind the sign-in throttle: a sliding window per key."""

from __future__ import annotations

from fedihub.security import ratelimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_limit_counts_per_key_within_the_window() -> None:
    clock = Clock()
    limiter = ratelimit.MemoryLimiter(clock=clock)
    results = [await limiter.hit("ip:1", 3, 60) for _ in range(4)]
    assert results == [True, True, True, False]
    assert await limiter.exceeded("ip:1", 3, 60)
    assert not await limiter.exceeded("ip:2", 3, 60)
    assert await limiter.hit("ip:2", 3, 60)


async def test_old_events_leave_the_window() -> None:
    clock = Clock()
    limiter = ratelimit.MemoryLimiter(clock=clock)
    for _ in range(3):
        await limiter.hit("k", 3, 60)
        clock.now += 10
    assert await limiter.exceeded("k", 3, 60)
    clock.now += 31  # the first event is now 61 s old
    assert not await limiter.exceeded("k", 3, 60)
    assert await limiter.hit("k", 3, 60)
    await limiter.reset("k")
    assert not await limiter.exceeded("k", 1, 60)


async def test_memory_stays_bounded_by_the_number_of_keys() -> None:
    limiter = ratelimit.MemoryLimiter(max_keys=10, clock=Clock())
    for i in range(100):
        await limiter.hit(f"k{i}", 1, 60)
    assert await limiter.exceeded("k99", 1, 60)
    assert not await limiter.exceeded("k0", 1, 60)  # forgotten, least recently hit


async def test_module_level_hit_uses_one_process_wide_limiter() -> None:
    assert await ratelimit.hit("test:module-level", 1, 60)
    assert not await ratelimit.hit("test:module-level", 1, 60)
