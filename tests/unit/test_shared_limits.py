"""Rate limits shared through Redis count once for the whole node, and fail open when Redis is
gone."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as redis

from fedihub import metrics, node
from fedihub.errors import ConfigError
from fedihub.runtime import Runtime
from fedihub.security.api_budget import RedisApiLimiter
from fedihub.security.shared_limits import RedisLimiter

REDIS_URL = os.environ.get("FEDIHUB_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def client() -> AsyncIterator[Any]:
    connection = redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await connection.ping()
    except Exception as exc:  # no Redis on this machine: say so in the summary
        await connection.aclose()
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield connection
    await connection.aclose()


async def test_two_processes_share_one_sliding_window(client: Any) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    web_a, web_b = RedisLimiter(client, prefix), RedisLimiter(client, prefix)
    assert await web_a.hit("sign-in:ip", 3, 60)
    assert await web_b.hit("sign-in:ip", 3, 60)
    assert await web_a.hit("sign-in:ip", 3, 60)
    # the fourth attempt is refused whichever process receives it
    assert not await web_b.hit("sign-in:ip", 3, 60)
    assert await web_a.exceeded("sign-in:ip", 3, 60)
    await web_b.reset("sign-in:ip")
    assert not await web_a.exceeded("sign-in:ip", 3, 60)


async def test_api_budget_is_counted_once_across_processes(client: Any) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    web_a, web_b = (
        RedisApiLimiter(client, limit=4, prefix=prefix),
        RedisApiLimiter(client, limit=4, prefix=prefix),
    )
    budgets = [await (web_a if i % 2 else web_b).hit("t:token") for i in range(5)]
    assert [b.remaining for b in budgets] == [3, 2, 1, 0, 0]
    assert [b.allowed for b in budgets] == [True, True, True, True, False]


async def test_limits_fail_open_and_are_counted_when_redis_is_down() -> None:
    gone = redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        assert await RedisLimiter(gone).hit("k", 1, 60)
        assert (await RedisApiLimiter(gone, limit=1).hit("k")).allowed
    finally:
        await gone.aclose()
    text = "\n".join(metrics.render_counters())
    assert "fedihub_ratelimit_errors_total" in text


async def test_an_unreachable_redis_stops_the_start_with_one_sentence(rt: Runtime) -> None:
    from dataclasses import replace

    broken = node.build(replace(rt.settings, redis_url="redis://127.0.0.1:1/0"), rt.secrets)
    with pytest.raises(ConfigError, match="cannot reach Redis at redis://127.0.0.1:1/0"):
        async with node.running(broken, node.Role.COMMAND, database=False):
            pass
    assert broken.redis is None  # what was opened before the failure was closed again


async def test_nodes_sharing_a_redis_count_their_limits_apart(rt: Runtime, client: Any) -> None:
    from dataclasses import replace

    first, second = (
        node.build(replace(rt.settings, redis_url=REDIS_URL, domain=domain), rt.secrets)
        for domain in (f"{uuid.uuid4().hex[:8]}.example", f"{uuid.uuid4().hex[:8]}.example")
    )
    async with (
        node.running(first, node.Role.COMMAND, database=False),
        node.running(second, node.Role.COMMAND, database=False),
    ):
        assert await first.limiter.hit("signin:ip:192.0.2.1", 1, 60)
        # the same address at the other node has its own attempts left
        assert await second.limiter.hit("signin:ip:192.0.2.1", 1, 60)
        assert not await first.limiter.hit("signin:ip:192.0.2.1", 1, 60)
        spent = await first.api_limiter.hit("t:same-token-text")
        fresh = await second.api_limiter.hit("t:same-token-text")
        assert fresh.remaining == spent.remaining
