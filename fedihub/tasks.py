"""Wiring of per-process resources and job handlers, shared by `serve` and `worker`.

Importing the services here (not in jobs/) keeps jobs/ free of job kinds, and lets both the web
process and the worker process register the same handlers.
"""

from __future__ import annotations

import asyncio
import contextlib

from fedihub.runtime import Runtime

_loaded = False


def load() -> None:
    """Import every module that registers a job handler."""
    global _loaded
    if _loaded:
        return
    from fedihub import maintenance  # noqa: F401  registers the periodic housekeeping
    from fedihub.inbox import dispatch  # noqa: F401  registers "inbox"
    from fedihub.media import (
        processing,  # noqa: F401  registers "media_process"
        remote_cache,  # noqa: F401  registers "media_fetch"
    )
    from fedihub.outbox import delivery  # noqa: F401  registers "deliver"
    from fedihub.social import scheduled  # noqa: F401  registers "scheduled_status" and its sweep

    _loaded = True


def install(rt: Runtime, *, run_jobs: bool) -> None:
    """Add this process's start-up and shutdown hooks to the Runtime."""
    load()
    rt.startup_hooks.append(_open_http)
    rt.shutdown_hooks.append(_close_http)
    if rt.settings.redis_url:
        rt.startup_hooks.append(_open_redis)
        rt.shutdown_hooks.append(_close_redis)
    if run_jobs:
        rt.startup_hooks.append(_start_runner)
        rt.shutdown_hooks.append(_stop_runner)


async def _open_http(rt: Runtime) -> None:
    from fedihub import __version__
    from fedihub.security import http

    settings = rt.settings
    rt.resources["http"] = http.build_client(
        allow_private=settings.allow_private_networks,
        max_connections=settings.http_max_connections,
        max_per_host=settings.http_max_per_host,
        timeout=settings.http_timeout,
        user_agent=f"fedihub/{__version__} (+{settings.base_url}/)",
    )


async def _close_http(rt: Runtime) -> None:
    client = rt.resources.pop("http", None)
    if client is not None:
        await client.aclose()


async def _open_redis(rt: Runtime) -> None:
    """Connect to the shared Redis and check it answers: a wrong URL stops the start plainly."""
    import redis.asyncio as redis

    from fedihub.api.ratelimit import RedisApiLimiter
    from fedihub.errors import ConfigError
    from fedihub.security.shared_limits import RedisLimiter

    client = redis.from_url(rt.settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # any connection or auth error: one sentence, no traceback
        await client.aclose()
        raise ConfigError(f"cannot reach Redis at {rt.settings.redis_url}: {exc}") from None
    rt.resources["redis"] = client
    # keys named by the node, as its event channel is: two nodes sharing one Redis (staging and
    # production, say) must not spend each other's budgets or throttle each other's sign-ins
    node = rt.settings.domain
    rt.resources["ratelimit"] = RedisLimiter(client, prefix=f"fedihub:{node}:rl:")
    rt.resources["api_limiter"] = RedisApiLimiter(client, prefix=f"fedihub:{node}:api:")


async def _close_redis(rt: Runtime) -> None:
    client = rt.resources.pop("redis", None)
    if client is not None:
        await client.aclose()


async def _start_runner(rt: Runtime) -> None:
    from fedihub.jobs import runner

    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(rt, stop, concurrency=rt.settings.worker_concurrency))
    rt.resources["runner"] = (stop, task)


async def _stop_runner(rt: Runtime) -> None:
    stop, task = rt.resources.pop("runner", (None, None))
    if stop is None:
        return
    stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def start_resources(rt: Runtime) -> None:
    for hook in rt.startup_hooks:
        await hook(rt)


async def stop_resources(rt: Runtime) -> None:
    for hook in reversed(rt.shutdown_hooks):
        await hook(rt)
